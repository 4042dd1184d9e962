// Named SQL over the unified view that is not a list or a report definition: the CEO dashboard.
#pragma once

namespace vertice::unified::sql {

// The CEO's numbers in one statement (one snapshot): every panel is exact as of that moment,
// because the view and its daily totals change in the writers' own transactions. Money leaves
// the database as text.
inline constexpr const char* kDashboard = R"sql(
-- $1: the injected clock's instant; today is Mexico City's day of it (bound, not a round trip).
WITH now_ AS (SELECT clock_timestamp() AS at, ($1::timestamptz AT TIME ZONE 'America/Mexico_City')::date AS today),
-- The last 12 months' revenue (which include January): the 11 past months from the monthly
-- totals (one row per month and group, dated its first day), this month day by day. Summed per
-- day, type and vertical once, before the panels read it: until compaction merges them, this
-- month's days hold a delta per sale (30,000 after a busy minute), which six panels would re-read.
daily AS (
  SELECT fecha, transaction_type, vertical, sum(total) AS total, sum(count) AS count
  FROM (SELECT r.fecha, r.transaction_type, r.vertical, r.total, r.count
        FROM now_, universal_revenue_rollup((date_trunc('month', now_.today) - interval '11 months')::date,
                                            (date_trunc('month', now_.today) - interval '1 day')::date, false) r
        UNION ALL
        SELECT d.fecha, d.transaction_type, d.vertical, d.total, d.count
        FROM universal_daily d, now_
        WHERE universal_is_revenue(d.transaction_type)  -- cash flows (bank movements) are not revenue
          AND d.fecha >= date_trunc('month', now_.today)::date AND d.fecha <= now_.today) x
  GROUP BY fecha, transaction_type, vertical),
year_ AS (SELECT * FROM daily, now_ WHERE fecha >= date_trunc('year', now_.today)::date),
health AS (SELECT * FROM mv_health_check(clock_timestamp(), vertice_current_company())),
open_ AS (SELECT o.amount, o.days FROM now_, invoice_open_items('issued', now_.today) o)
SELECT json_build_object(
  'company_id', vertice_current_company(),
  'currency', 'MXN',
  'as_of', now_.at,
  'today', now_.today,
  'freshness', json_build_object('status', health.status, 'verified_at', health.last_success_at,
                                 'pending_events', health.pending_events, 'last_error', health.last_error),
  'revenue', json_build_object(
     'today', (SELECT coalesce(sum(total), 0)::numeric(18,2)::text FROM daily WHERE fecha = now_.today),
     'month', (SELECT coalesce(sum(total), 0)::numeric(18,2)::text FROM daily
               WHERE fecha >= date_trunc('month', now_.today)::date AND fecha <= now_.today),
     'year', (SELECT coalesce(sum(total), 0)::numeric(18,2)::text FROM year_),
     'as_of', now_.at, 'freshness_seconds', 0),
  'by_type', json_build_object('items', (SELECT coalesce(json_agg(json_build_object('transaction_type', t,
       'total', s::numeric(18,2)::text, 'count', n) ORDER BY s DESC, t), '[]')
       FROM (SELECT transaction_type AS t, sum(total) AS s, sum(count) AS n FROM year_ GROUP BY 1
             HAVING sum(count) <> 0) x), 'as_of', now_.at, 'freshness_seconds', 0),
  'by_vertical', json_build_object('items', (SELECT coalesce(json_agg(json_build_object('vertical', v,
       'total', s::numeric(18,2)::text, 'count', n) ORDER BY s DESC, v), '[]')
       FROM (SELECT vertical AS v, sum(total) AS s, sum(count) AS n FROM year_ GROUP BY 1
             HAVING sum(count) <> 0) x), 'as_of', now_.at, 'freshness_seconds', 0),
  'monthly', json_build_object('items', (SELECT json_agg(json_build_object('month', to_char(m, 'YYYY-MM'),
       'total', coalesce(t.total, 0)::numeric(18,2)::text) ORDER BY m)
       FROM generate_series(date_trunc('month', now_.today) - interval '11 months', date_trunc('month', now_.today),
                            interval '1 month') AS m
       LEFT JOIN (SELECT date_trunc('month', fecha) AS month, sum(total) AS total FROM daily GROUP BY 1) t
         ON t.month = m), 'as_of', now_.at, 'freshness_seconds', 0),
  'receivables', json_build_object(
     'outstanding_mxn', (SELECT coalesce(sum(amount), 0)::numeric(18,2)::text FROM open_),
     'invoices', (SELECT count(*) FROM open_),
     'buckets', json_build_object(
        '0_30', (SELECT coalesce(sum(amount) FILTER (WHERE days <= 30), 0)::numeric(18,2)::text FROM open_),
        '31_60', (SELECT coalesce(sum(amount) FILTER (WHERE days BETWEEN 31 AND 60), 0)::numeric(18,2)::text FROM open_),
        '61_90', (SELECT coalesce(sum(amount) FILTER (WHERE days BETWEEN 61 AND 90), 0)::numeric(18,2)::text FROM open_),
        '90_plus', (SELECT coalesce(sum(amount) FILTER (WHERE days > 90), 0)::numeric(18,2)::text FROM open_)),
     'as_of', now_.at, 'freshness_seconds', 0),
  'latest', json_build_object('items', (SELECT coalesce(json_agg(json_build_object('transaction_type',
       t.transaction_type, 'vertical', t.vertical, 'source_table', t.source_table, 'source_id', t.source_id,
       'fecha', t.fecha, 'monto_total', t.monto_total::numeric(18,2)::text, 'moneda', t.moneda, 'status', t.status)
       ORDER BY t.fecha DESC, t.source_table DESC, t.source_id DESC), '[]')
       FROM (SELECT * FROM universal_transactions ORDER BY fecha DESC, source_table DESC, source_id DESC LIMIT 10) t),
     'as_of', now_.at, 'freshness_seconds', 0)
) AS body
FROM now_, health
)sql";

// Every statement above, for the tenancy test (tests/unit/tenancy_sql_test.cpp).
inline constexpr const char* kAll[] = {kDashboard};

}  // namespace vertice::unified::sql
