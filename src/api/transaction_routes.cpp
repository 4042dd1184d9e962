// The unified view over every line of business: GET /api/v1/transactions (one row per economic
// event from core invoices and every vertical; filters and keyset pages) and
// GET /api/v1/reports/revenue (grouped by transaction type, vertical, month… through the shared
// report builder). Both read `universal_transactions`, the company-scoped face of
// universal_transactions_mv (materialized views have no row-level security); the revenue report
// its revenue rows (`universal_revenue_events`: bank movements are cash, not revenue).
#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/app.hpp"
#include "shared/paging.hpp"
#include "shared/query_string.hpp"
#include "shared/report.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

const std::vector<std::string> kColumns{"transaction_type", "source_table", "source_id", "fecha",
                                        "monto_total",      "moneda",       "status",    "vertical"};

const shared::ReportDefinition& RevenueReport() {
  static const shared::ReportDefinition def = [] {
    shared::ReportDefinition d{"universal_revenue_events",
                               "fecha",
                               {{"transaction_type", "transaction_type"},
                                {"vertical", "vertical"},
                                {"source_table", "source_table"},
                                {"status", "status"}},
                               {{"total", "sum(monto_total)"}, {"count", "count(*)"}},
                               {{"transaction_type", "transaction_type"}, {"vertical", "vertical"}}};
    d.WithDateBuckets();
    return d;
  }();
  return def;
}

// The same report over the monthly totals: used when the request needs nothing finer than a
// month (a year of revenue reads a few dozen rows instead of every event).
const shared::ReportDefinition& MonthlyRevenueReport() {
  static const shared::ReportDefinition def{"universal_revenue_monthly",
                                            "month",
                                            {{"transaction_type", "transaction_type"},
                                             {"vertical", "vertical"},
                                             {"source_table", "source_table"},
                                             {"status", "status"},
                                             {"month", "month"}},
                                            {{"total", "sum(total)"}, {"count", "sum(count)::bigint"}},
                                            {{"transaction_type", "transaction_type"}, {"vertical", "vertical"}}};
  return def;
}

bool IsMonthStart(const std::optional<std::string>& d) { return !d || d->ends_with("-01"); }
// The last day of its month: the next day number is not a date.
bool IsMonthEnd(const std::optional<std::string>& d) {
  if (!d) return true;
  int day = std::stoi(d->substr(8, 2));
  return !shared::IsIsoDate(fmt::format("{}{:02}", d->substr(0, 8), day + 1));
}

// Whole months and monthly (or coarser) groups: the monthly totals give the same answer.
bool MonthlyIsEnough(const shared::ReportRequest& r) {
  for (const auto& g : r.group_by)
    if (g == "day" || g == "week") return false;
  if (r.from && !shared::IsIsoDate(*r.from)) return false;
  if (r.to && !shared::IsIsoDate(*r.to)) return false;
  return IsMonthStart(r.from) && IsMonthEnd(r.to);
}

// The cursor is "<fecha>~<source_table>~<source_id>" of the last row of the previous page.
struct Cursor {
  std::string fecha, table, id;
};
std::optional<Cursor> ParseCursor(const std::string& text) {
  auto a = text.find('~');
  auto b = a == std::string::npos ? a : text.find('~', a + 1);
  if (b == std::string::npos) return std::nullopt;
  Cursor c{text.substr(0, a), text.substr(a + 1, b - a - 1), text.substr(b + 1)};
  if (!shared::IsIsoDate(c.fecha) || c.table.empty() || c.id.empty() || c.table.size() > 63 || c.id.size() > 40)
    return std::nullopt;
  return c;
}

// "a,b" → ["a","b"] as a JSON array (bound as one parameter), or null when empty.
std::optional<std::string> ListParam(const std::string& value) {
  if (value.empty()) return std::nullopt;
  json::array out;
  size_t start = 0;
  while (start <= value.size()) {
    auto comma = value.find(',', start);
    auto item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(json::value(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return json::serialize(out);
}

db::Task<Result<http::Response>> ListTransactions(App& app, RequestContext& ctx) {
  const auto& query = ctx.request.query;
  VERTICE_CO_ASSIGN_OR_RETURN(auto page, shared::ParsePageRequest(query, false));
  FieldErrors errors;
  std::optional<Cursor> cursor;
  if (page.after) {
    cursor = ParseCursor(*page.after);
    if (!cursor) co_return Fail(ErrorKind::kInvalidInput, "invalid_cursor", "after no es un cursor válido.");
  }
  auto from = shared::QueryValue(query, "from");
  auto to = shared::QueryValue(query, "to");
  errors.Check(from.empty() || shared::IsIsoDate(from), "from", "debe ser una fecha AAAA-MM-DD");
  errors.Check(to.empty() || shared::IsIsoDate(to), "to", "debe ser una fecha AAAA-MM-DD");
  VERTICE_CO_TRY(errors.ToStatus());
  auto types = ListParam(shared::QueryValue(query, "type"));
  auto verticals = ListParam(shared::QueryValue(query, "vertical"));
  auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  auto params = db::P(ctx.Scope().tenant_id, ctx.CompanyId(), types, verticals, opt(from), opt(to),
                      cursor ? std::optional<std::string>(cursor->fecha) : std::nullopt,
                      cursor ? std::optional<std::string>(cursor->table) : std::nullopt,
                      cursor ? std::optional<std::string>(cursor->id) : std::nullopt, std::to_string(page.limit + 1));
  auto rows = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
    // Newest first, then by source: the (company_id, fecha DESC, source_table, source_id) index.
    return tx.Query(
        "SELECT transaction_type, source_table, source_id, fecha::text AS fecha, monto_total::text AS monto_total,"
        " moneda, status, vertical FROM universal_transactions t"
        " WHERE tenant_id = $1 AND company_id = $2"
        " AND ($3::jsonb IS NULL OR transaction_type IN (SELECT jsonb_array_elements_text($3::jsonb)))"
        " AND ($4::jsonb IS NULL OR vertical IN (SELECT jsonb_array_elements_text($4::jsonb)))"
        " AND ($5::date IS NULL OR fecha >= $5) AND ($6::date IS NULL OR fecha <= $6)"
        " AND ($7::date IS NULL OR fecha < $7 OR (fecha = $7 AND (source_table, source_id) > ($8::text, $9::text)))"
        " ORDER BY t.fecha DESC, t.source_table, t.source_id LIMIT $10",
        params);
  });
  if (!rows) co_return std::unexpected(rows.error());
  json::array items;
  int n = std::min(rows->Size(), page.limit);
  for (int i = 0; i < n; ++i) {
    json::object item;
    for (const auto& col : kColumns) item[col] = rows->Str(i, col);
    items.push_back(std::move(item));
  }
  json::object out{{"items", std::move(items)}};
  out["next_after"] = rows->Size() > page.limit
                          ? json::value(fmt::format("{}~{}~{}", rows->Str(n - 1, "fecha"),
                                                    rows->Str(n - 1, "source_table"), rows->Str(n - 1, "source_id")))
                          : json::value(nullptr);
  co_return Json(200, out);
}

db::Task<Result<http::Response>> Revenue(App& app, RequestContext& ctx) {
  std::string query = ctx.request.query;
  if (shared::QueryValue(query, "group_by").empty())
    query += std::string(query.empty() ? "" : "&") + "group_by=transaction_type";
  if (shared::QueryValue(query, "measures").empty()) query += "&measures=total,count";
  VERTICE_CO_ASSIGN_OR_RETURN(auto request, shared::ParseReportQuery(query));
  const auto& definition = MonthlyIsEnough(request) ? MonthlyRevenueReport() : RevenueReport();
  VERTICE_CO_ASSIGN_OR_RETURN(auto built, shared::BuildReport(definition, request, ctx.Scope()));
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(built.sql, built.params); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return Json(200, shared::ReportRowsJson(built, *rows));
}

}  // namespace

void RegisterTransactionRoutes(App& app) {
  app.Add("GET", "/api/v1/transactions",
          {[&app](RequestContext& ctx) { return ListTransactions(app, ctx); }, Access::kCompany,
           app.Can("transactions.read")});
  app.Add("GET", "/api/v1/reports/revenue",
          {[&app](RequestContext& ctx) { return Revenue(app, ctx); }, Access::kCompany, app.Can("transactions.read"),
           false, Budget::kLong});
}

}  // namespace vertice::api
