// The unified view over every line of business: GET /api/v1/transactions (one row per economic
// event from core invoices and every vertical; filters and keyset pages) and
// GET /api/v1/reports/revenue (grouped by transaction type, vertical, month… through the shared
// report builder). Both read `universal_transactions`, the company-scoped face of
// universal_transactions_mv (materialized views have no row-level security); the revenue report
// the rollups of its revenue rows (`universal_revenue_rollup`: bank movements are cash, not revenue).
#include "api/app.hpp"
#include "shared/query_string.hpp"
#include "unified/transactions.hpp"

namespace vertice::api {

namespace {

db::Task<Result<http::Response>> Revenue(App& app, RequestContext& ctx) {
  std::string query = ctx.request.query;
  if (shared::QueryValue(query, "group_by").empty())
    query += std::string(query.empty() ? "" : "&") + "group_by=transaction_type";
  if (shared::QueryValue(query, "measures").empty()) query += "&measures=total,count";
  VERTICE_CO_ASSIGN_OR_RETURN(auto request, shared::ParseReportQuery(query));
  const auto& definition = unified::RevenueReport();
  VERTICE_CO_ASSIGN_OR_RETURN(auto built, shared::BuildReport(definition, request, ctx.Scope()));
  auto rows = co_await app.Deps().pool.QueryOnce(ctx.Scope(), built.sql, built.params);
  if (!rows) co_return std::unexpected(rows.error());
  co_return Json(200, shared::ReportRowsJson(built, *rows));
}

}  // namespace

void RegisterTransactionRoutes(App& app) {
  app.Add("GET", "/api/v1/transactions",
          {[&app](RequestContext& ctx) { return ListPage(app, ctx, unified::TransactionList()); }, Access::kCompany,
           app.Can("transactions.read")});
  app.Add("GET", "/api/v1/reports/revenue",
          {[&app](RequestContext& ctx) { return Revenue(app, ctx); }, Access::kCompany, app.Can("transactions.read"),
           false, Budget::kLong});
}

}  // namespace vertice::api
