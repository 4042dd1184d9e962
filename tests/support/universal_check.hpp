// The unified view against a from-scratch recomputation from its sources: the number of rows,
// daily totals and monthly totals that differ, in both directions (0 when the view is right).
// Shared by the freshness tests and the kill -9 durability tests.
#pragma once

namespace vertice::testing {

inline constexpr const char* kUniversalDifferences = R"sql(
SELECT (SELECT count(*) FROM ((SELECT * FROM universal_transactions_mv EXCEPT ALL SELECT * FROM universal_transactions_source)
                              UNION ALL
                              (SELECT * FROM universal_transactions_source EXCEPT ALL SELECT * FROM universal_transactions_mv)) d)
     + (SELECT count(*) FROM (
          SELECT company_id, fecha, transaction_type, vertical, source_table, status, sum(total) AS t, sum(count) AS n
          FROM universal_daily_totals GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(count) <> 0 OR sum(total) <> 0
          EXCEPT
          SELECT company_id, fecha, transaction_type, vertical, source_table, status, sum(monto_total), count(*)
          FROM universal_transactions_source GROUP BY 1, 2, 3, 4, 5, 6) d)
     + (SELECT count(*) FROM (
          SELECT company_id, fecha, transaction_type, vertical, source_table, status, sum(monto_total), count(*)
          FROM universal_transactions_source GROUP BY 1, 2, 3, 4, 5, 6
          EXCEPT
          SELECT company_id, fecha, transaction_type, vertical, source_table, status, sum(total) AS t, sum(count) AS n
          FROM universal_daily_totals GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(count) <> 0 OR sum(total) <> 0) d)
     -- Monthly totals: each month's folded totals plus its pending deltas, against the events.
     + (WITH rolled AS (
          SELECT company_id, month, transaction_type, vertical, source_table, status, sum(t) AS t, sum(n) AS n
          FROM (SELECT company_id, month, transaction_type, vertical, source_table, status, total AS t, count AS n
                FROM universal_monthly_totals
                UNION ALL
                SELECT company_id, date_trunc('month', fecha)::date, transaction_type, vertical, source_table, status,
                       total, count
                FROM universal_daily_totals WHERE NOT folded) m
          GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0 OR sum(t) <> 0
        ), events AS (
          SELECT company_id, date_trunc('month', fecha)::date AS month, transaction_type, vertical, source_table, status,
                 sum(monto_total) AS t, count(*) AS n
          FROM universal_transactions_source GROUP BY 1, 2, 3, 4, 5, 6
        )
        SELECT count(*) FROM ((SELECT * FROM rolled EXCEPT ALL SELECT * FROM events)
                              UNION ALL
                              (SELECT * FROM events EXCEPT ALL SELECT * FROM rolled)) d)
)sql";

// The rows behind a non-zero kUniversalDifferences, one line each (empty when none): company,
// source_table, source_id, then what a recomputation gives (expected) and what the view holds
// (actual), "-" for a row missing on that side. For failure messages.
inline constexpr const char* kUniversalDifferingRows = R"sql(
SELECT COALESCE(string_agg(format('%s %s %s expected=%s actual=%s', COALESCE(e.company_id, a.company_id),
                                  COALESCE(e.source_table, a.source_table), COALESCE(e.source_id, a.source_id),
                                  CASE WHEN e.source_id IS NULL THEN '-' ELSE row(e.*)::text END,
                                  CASE WHEN a.source_id IS NULL THEN '-' ELSE row(a.*)::text END),
                           E'\n' ORDER BY COALESCE(e.source_table, a.source_table), COALESCE(e.source_id, a.source_id)), '')
FROM universal_transactions_source e
FULL JOIN universal_transactions_mv a ON a.source_table = e.source_table AND a.source_id = e.source_id
WHERE e.source_id IS NULL OR a.source_id IS NULL OR row(e.*) IS DISTINCT FROM row(a.*)
)sql";

}  // namespace vertice::testing
