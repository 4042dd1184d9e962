// Freshness of the unified view, for the company a request acts in:
//   POST /api/v1/mv/refresh   level 3, on demand (owner, ceo, cfo): answers when done
//   GET  /api/v1/mv/health    the SLA status, pending large-transaction events, last error
//   GET  /api/v1/mv/metrics   refresh counts, failures and durations by level (24 h, 7 d)
//   GET  /api/v1/dashboard    the CEO's numbers, each panel with as_of and freshness_seconds
//   GET  /api/v1/events       Server-Sent Events: a notice whenever the company's numbers change
//   GET/PUT /api/v1/mv/settings  the company's large-transaction threshold (level 2)
#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/app.hpp"
#include "core/field_errors.hpp"
#include "freshness/change_feed.hpp"
#include "freshness/refresh_service.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "shared/audit.hpp"
#include "shared/decimal.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

json::object OutcomeJson(const freshness::RefreshOutcome& o) {
  return json::object{{"refresh_id", std::to_string(o.refresh_id)},
                      {"level", o.level},
                      {"status", o.status},
                      {"started_at", o.started_at},
                      {"finished_at", o.finished_at},
                      {"duration_ms", o.duration_ms},
                      {"rows_checked", o.rows_checked},
                      {"rows_repaired", o.rows_repaired},
                      {"totals_repaired", o.totals_repaired},
                      {"events_served", o.events_served},
                      {"joined", o.joined},
                      {"reused", o.reused}};
}

Result<bool> ParseFlag(std::string_view query, std::string_view name) {
  auto v = shared::QueryValue(query, name);
  if (v.empty() || v == "false" || v == "0") return false;
  if (v == "true" || v == "1") return true;
  FieldErrors errors;
  errors.Add(name, "invalid_field", "debe ser true o false");
  return std::unexpected(errors.ToStatus().error());
}

db::Task<Result<http::Response>> Refresh(freshness::RefreshService& service, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(bool force, ParseFlag(ctx.request.query, "force"));
  freshness::RefreshRequest r;
  r.level = freshness::Level::kOnDemand;
  r.company = ctx.CompanyId();
  r.reason = "on demand";
  r.requested_by = ctx.principal->email;
  r.force = force;
  VERTICE_CO_ASSIGN_OR_RETURN(auto outcome, co_await service.Refresh(r));
  if (outcome.status == "failed") {
    co_return Fail(ErrorKind::kUnavailable, "freshness.refresh_failed",
                   "La actualización no terminó; los datos siguen como estaban. Intenta de nuevo.",
                   json::object{{"refresh_id", std::to_string(outcome.refresh_id)}}, outcome.error);
  }
  co_return Json(200, OutcomeJson(outcome));
}

// Health against the SLAs for this company (its events, its and full refreshes).
constexpr const char* kHealthSql =
    "SELECT json_build_object('status', h.status, 'last_success_at', h.last_success_at, "
    "'age_seconds', h.age_seconds, 'last_full_success_at', h.last_full_success_at, "
    "'full_age_seconds', h.full_age_seconds, 'pending_events', h.pending_events, "
    "'oldest_pending_seconds', h.oldest_pending_seconds, 'last_status', h.last_status, "
    "'last_error', h.last_error, 'last_error_at', h.last_error_at, 'running', h.running, "
    "'slas', json_build_object('scheduled_seconds', 3600, 'event_seconds', 600), "
    "'recent', (SELECT coalesce(json_agg(json_build_object('refresh_id', l.refresh_id::text, 'level', l.level, "
    "'reason', l.reason, 'requested_by', l.requested_by, 'scope', CASE WHEN l.companies IS NULL THEN 'all' "
    "ELSE 'company' END, 'started_at', l.started_at, 'finished_at', l.finished_at, 'duration_ms', l.duration_ms, "
    "'rows_checked', l.rows_checked, 'rows_repaired', l.rows_repaired, 'events_served', l.events_served, "
    "'status', l.status, 'error', l.error) ORDER BY l.started_at DESC), '[]') "
    "FROM mv_refresh_history(vertice_current_company(), 20) l)) AS body "
    "FROM mv_health_check(clock_timestamp(), vertice_current_company()) h";

constexpr const char* kMetricsSql =
    "SELECT json_build_object('window', w.name, 'levels', (SELECT json_agg(json_build_object('level', m.level, "
    "'refreshes', m.refreshes, 'failures', m.failures, 'p50_ms', m.p50_ms, 'p95_ms', m.p95_ms, 'max_ms', m.max_ms, "
    "'rows_repaired', m.rows_repaired)) FROM mv_refresh_metrics(w.span) m)) AS body "
    "FROM (VALUES ('24h', interval '24 hours'), ('7d', interval '7 days')) AS w (name, span)";

// The CEO's numbers in one statement (one snapshot): every panel is exact as of that moment,
// because the view and its daily totals change in the writers' own transactions. Money leaves
// the database as text.
constexpr const char* kDashboardSql = R"sql(
-- $1: the injected clock's instant; today is Mexico City's day of it (bound, not a round trip).
WITH now_ AS (SELECT clock_timestamp() AS at, ($1::timestamptz AT TIME ZONE 'America/Mexico_City')::date AS today),
daily AS (
  SELECT d.fecha, d.transaction_type, d.vertical, d.total, d.count
  FROM universal_daily d, now_
  WHERE universal_is_revenue(d.transaction_type)  -- cash flows (bank movements) are not revenue
    AND (d.fecha > (date_trunc('month', now_.today) - interval '11 months')::date - 1 AND d.fecha <= now_.today
         OR d.fecha >= date_trunc('year', now_.today)::date AND d.fecha <= now_.today)),
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
       ORDER BY t.fecha DESC, t.source_table, t.source_id), '[]')
       FROM (SELECT * FROM universal_transactions ORDER BY fecha DESC, source_table, source_id LIMIT 10) t),
     'as_of', now_.at, 'freshness_seconds', 0)
) AS body
FROM now_, health
)sql";

// One statement whose single row's "body" is the answer (health).
db::Task<Result<http::Response>> JsonFromSql(App& app, RequestContext& ctx, std::string sql) {
  auto rows = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(sql); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return http::JsonResponse(200, rows->Str(0, "body"));
}

// {"windows": [...]}: one body per window, whatever their number.
db::Task<Result<http::Response>> Metrics(App& app, RequestContext& ctx) {
  auto rows =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(kMetricsSql); });
  if (!rows) co_return std::unexpected(rows.error());
  json::array windows;
  for (int i = 0; i < rows->Size(); ++i) windows.push_back(json::parse(rows->Get(i, "body")));
  co_return Json(200, json::object{{"windows", std::move(windows)}});
}

// The CEO's numbers as of today in Mexico City by the injected clock.
db::Task<Result<http::Response>> Dashboard(App& app, RequestContext& ctx) {
  const std::string now = shared::IsoUtc(app.Deps().clock.Now());
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(kDashboardSql, db::P(now)); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return http::JsonResponse(200, rows->Str(0, "body"));
}

// The threshold lives in companies.settings; the view's trigger reads it in every writer's
// transaction, so a change applies to the next write.
constexpr const char* kSettingsSql =
    "SELECT coalesce(settings ->> 'large_transaction_threshold', '10000.00') AS threshold FROM companies "
    "WHERE company_id = vertice_current_company()";

db::Task<Result<http::Response>> GetSettings(App& app, RequestContext& ctx) {
  auto rows =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(kSettingsSql); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return Json(200, json::object{{"large_transaction_threshold", rows->Str(0, "threshold")}, {"currency", "MXN"}});
}

db::Task<Result<http::Response>> PutSettings(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto text = body.String("large_transaction_threshold", true, 30);
  std::optional<shared::Money> threshold;
  if (text) {
    auto parsed = shared::ParseStoredMoney(*text);
    if (!parsed || parsed->IsNegative())
      body.Invalid("large_transaction_threshold", "debe ser un importe en MXN no negativo, p. ej. \"10000.00\"");
    else
      threshold = *parsed;
  }
  VERTICE_CO_TRY(body.Finish());
  const std::string value = threshold->ToString();
  auto saved = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await tx.Query(kSettingsSql));
    VERTICE_CO_TRY(co_await tx.Query(
        "UPDATE companies SET settings = jsonb_set(settings, '{large_transaction_threshold}', to_jsonb($1::text)) "
        "WHERE company_id = vertice_current_company()",
        db::P(value)));
    const std::string before_json =
        json::serialize(json::object{{"large_transaction_threshold", before.Str(0, "threshold")}});
    const std::string after_json = json::serialize(json::object{{"large_transaction_threshold", value}});
    co_return co_await shared::RecordAudit(tx, ctx.Actor(), "company.settings_changed", "company", ctx.CompanyId(),
                                           before_json, after_json);
  });
  if (!saved) co_return std::unexpected(saved.error());
  co_return Json(200, json::object{{"large_transaction_threshold", value}, {"currency", "MXN"}});
}

}  // namespace

void RegisterFreshnessRoutes(App& app, freshness::RefreshService& refresh, freshness::ChangeFeed& feed) {
  app.Add("POST", "/api/v1/mv/refresh",
          {[&refresh](RequestContext& ctx) { return Refresh(refresh, ctx); }, Access::kCompany,
           app.Can("freshness.refresh"), false, Budget::kLong});
  app.Add("GET", "/api/v1/mv/health",
          {[&app](RequestContext& ctx) { return JsonFromSql(app, ctx, kHealthSql); }, Access::kCompany,
           app.Can("freshness.read")});
  app.Add("GET", "/api/v1/mv/metrics",
          {[&app](RequestContext& ctx) { return Metrics(app, ctx); }, Access::kCompany, app.Can("freshness.read")});
  app.Add("GET", "/api/v1/mv/settings",
          {[&app](RequestContext& ctx) { return GetSettings(app, ctx); }, Access::kCompany, app.Can("freshness.read")});
  app.Add("PUT", "/api/v1/mv/settings",
          {[&app](RequestContext& ctx) { return PutSettings(app, ctx); }, Access::kCompany,
           app.Can("freshness.configure")});
  app.Add("GET", "/api/v1/dashboard",
          {[&app](RequestContext& ctx) { return Dashboard(app, ctx); }, Access::kCompany, app.Can("dashboard.read")});
  app.Add("GET", "/api/v1/events",
          {[&feed](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             co_return feed.Subscribe(ctx.request, ctx.principal->tenant_id, ctx.CompanyId());
           },
           Access::kCompany, app.Can("dashboard.read")});
}

}  // namespace vertice::api
