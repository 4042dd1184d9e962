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
#include "freshness/queries.hpp"
#include "freshness/refresh_service.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "http/sse.hpp"
#include "shared/audit.hpp"
#include "shared/decimal.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"
#include "unified/queries.hpp"

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

// One statement whose single row's "body" is the answer (health).
db::Task<Result<http::Response>> JsonFromSql(App& app, RequestContext& ctx, std::string sql) {
  auto rows = co_await app.Deps().pool.QueryOnce(ctx.Scope(), sql);
  if (!rows) co_return std::unexpected(rows.error());
  co_return http::JsonResponse(200, rows->Str(0, "body"));
}

// {"windows": [...]}: one body per window, whatever their number.
db::Task<Result<http::Response>> Metrics(App& app, RequestContext& ctx) {
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(freshness::sql::kMetrics); });
  if (!rows) co_return std::unexpected(rows.error());
  json::array windows;
  for (int i = 0; i < rows->Size(); ++i) windows.push_back(json::parse(rows->Get(i, "body")));
  co_return Json(200, json::object{{"windows", std::move(windows)}});
}

// The CEO's numbers as of today in Mexico City by the injected clock.
db::Task<Result<http::Response>> Dashboard(App& app, RequestContext& ctx) {
  const std::string now = shared::IsoUtc(app.Deps().clock.Now());
  VERTICE_CO_ASSIGN_OR_RETURN(auto answer,
                              co_await app.Deps().reads.Query(ctx.Scope(), unified::sql::kDashboard, db::P(now)));
  if (!answer.replica_lag_seconds) co_return http::JsonResponse(200, answer.rows.Str(0, "body"));
  // From a replica: the freshness the dashboard shows includes how far behind it was.
  auto body = json::parse(answer.rows.Get(0, "body"));
  auto& freshness = body.as_object()["freshness"].as_object();
  freshness["source"] = "replica";
  freshness["replica_lag_seconds"] = *answer.replica_lag_seconds;
  auto response = Json(200, body);
  MarkReplicaRead(response, answer);
  co_return response;
}

db::Task<Result<http::Response>> GetSettings(App& app, RequestContext& ctx) {
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(freshness::sql::kSettings); });
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
    VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await tx.Query(freshness::sql::kSettings));
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

// The company's change notices as Server-Sent Events: `ready` when the stream opens (with whether
// this instance is listening), then `change` whenever the company's numbers changed; the client
// re-reads the dashboard on either.
http::Response Events(freshness::ChangeFeed& feed, std::string company_id) {
  auto subscription = feed.Subscribe(company_id);
  std::string data = fmt::format("{{\"company_id\":\"{}\"}}", company_id);
  http::sse::Source source;
  source.greeting = [&feed, subscription, company_id] {
    subscription->TakeNotice();  // what changed before `ready` is read after it anyway
    return http::sse::Event{"ready", fmt::format("{{\"company_id\":\"{}\",\"listening\":{}}}", company_id,
                                                 feed.Connected() ? "true" : "false")};
  };
  source.next = [subscription, data]() -> std::optional<http::sse::Event> {
    if (!subscription->TakeNotice()) return std::nullopt;
    return http::sse::Event{"change", data};
  };
  source.wait = [subscription](std::chrono::milliseconds at_most) { return subscription->WaitForNotice(at_most); };
  return http::sse::Stream(std::move(source));
}

}  // namespace

void RegisterFreshnessRoutes(App& app, freshness::RefreshService& refresh, freshness::ChangeFeed& feed) {
  app.Add("POST", "/api/v1/mv/refresh",
          {[&refresh](RequestContext& ctx) { return Refresh(refresh, ctx); }, Access::kCompany,
           app.Can("freshness.refresh"), false, Budget::kLong});
  app.Add("GET", "/api/v1/mv/health",
          {[&app](RequestContext& ctx) { return JsonFromSql(app, ctx, freshness::sql::kHealth); }, Access::kCompany,
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
  app.Add(
      "GET", "/api/v1/events",
      {[&feed](RequestContext& ctx) -> db::Task<Result<http::Response>> { co_return Events(feed, ctx.CompanyId()); },
       Access::kCompany, app.Can("dashboard.read")});
}

}  // namespace vertice::api
