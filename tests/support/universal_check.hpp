// The unified view against a from-scratch recomputation from its sources: the number of rows and
// daily totals that differ, in both directions (0 when the incrementally maintained view is right).
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
)sql";

}  // namespace vertice::testing
