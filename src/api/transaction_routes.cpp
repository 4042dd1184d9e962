// The unified view over every line of business: GET /api/v1/transactions (one row per economic
// event from core invoices and every vertical; filters and keyset pages) and
// GET /api/v1/reports/revenue (grouped by transaction type, vertical, month… through the shared
// report builder). Both read `universal_transactions`, the company-scoped face of
// universal_transactions_mv (materialized views have no row-level security); the revenue report
// the rollups of its revenue rows (`universal_revenue_rollup`: bank movements are cash, not revenue).
#include "api/app.hpp"
#include "http/error_response.hpp"
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
  VERTICE_CO_ASSIGN_OR_RETURN(auto answer, co_await app.Deps().reads.Query(ctx.Scope(), built.sql, built.params));
  auto response = Json(200, shared::ReportRowsJson(built, answer.rows));
  MarkReplicaRead(response, answer);
  co_return response;
}

// A page of the unified view: may come from a read replica (its lag in a header).
db::Task<Result<http::Response>> Transactions(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto list, shared::BuildList(unified::TransactionList(), ctx.request.query));
  VERTICE_CO_ASSIGN_OR_RETURN(auto answer, co_await app.Deps().reads.Query(ctx.Scope(), list.sql, list.params));
  auto response = http::JsonResponse(200, shared::ListPageBody(list, answer.rows));
  MarkReplicaRead(response, answer);
  co_return response;
}

}  // namespace

void RegisterTransactionRoutes(App& app) {
  app.Add(
      "GET", "/api/v1/transactions",
      {[&app](RequestContext& ctx) { return Transactions(app, ctx); }, Access::kCompany, app.Can("transactions.read")});
  app.Add("GET", "/api/v1/reports/revenue",
          {[&app](RequestContext& ctx) { return Revenue(app, ctx); }, Access::kCompany, app.Can("transactions.read"),
           false, Budget::kLong});
}

}  // namespace vertice::api
