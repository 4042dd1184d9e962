// GET /reports/{name}: sell-through by point of sale and product, consignment aging, POS ranking
// and goods on consignment — each a definition for the shared report builder over a
// security_invoker view (allow-listed identifiers, bound values, the company from the scope).
#include <boost/json.hpp>

#include "shared/query_string.hpp"
#include "shared/report.hpp"
#include "verticals/cpg/cpg.hpp"
#include "verticals/sdk.hpp"

namespace vertice::verticals::cpg {

namespace json = boost::json;

namespace {

struct NamedReport {
  shared::ReportDefinition definition;
  std::string default_query;  // used for whatever the request leaves out
};

const std::map<std::string, NamedReport>& Reports() {
  static const std::map<std::string, NamedReport> reports = [] {
    std::map<std::string, NamedReport> r;
    shared::ReportDefinition sell_through{"cpg_line_facts",
                                          "consigned_on",
                                          {{"pos", "pos"}, {"product", "product"}, {"status", "status"}},
                                          {{"delivered", "sum(qty_delivered)"},
                                           {"sold", "sum(qty_sold)"},
                                           {"returned", "sum(qty_returned)"},
                                           {"on_hand", "sum(qty_on_hand)"},
                                           {"value_sold", "sum(value_sold)"},
                                           {"sell_through", "round(sum(qty_sold) / nullif(sum(qty_delivered), 0), 4)"}},
                                          {{"pos", "pos"}, {"product", "product"}}};
    r["sell_through"] = {sell_through.WithDateBuckets(),
                         "group_by=pos,product&measures=delivered,sold,returned,on_hand,value_sold,sell_through"
                         "&sort=-sell_through"};
    shared::ReportDefinition aging{
        "cpg_open_consignments",
        "delivered_on",
        {{"pos", "pos"}, {"bucket", "bucket"}},
        {{"balance", "sum(balance)"}, {"value_on_hand", "sum(value_on_hand)"}, {"consignments", "count(*)"}},
        {{"pos", "pos"}, {"bucket", "bucket"}}};
    r["consignment_aging"] = {aging, "group_by=bucket&measures=balance,value_on_hand,consignments&sort=bucket"};
    shared::ReportDefinition ranking{"cpg_pos_revenue",
                                     "fecha",
                                     {{"pos", "pos"}, {"pos_name", "pos_name"}},
                                     {{"total", "sum(sales + consignment)"},
                                      {"sales", "sum(sales)"},
                                      {"consignment", "sum(consignment)"},
                                      {"rank", "rank() OVER (ORDER BY sum(sales + consignment) DESC)"}},
                                     {{"pos", "pos"}}};
    r["pos_ranking"] = {ranking.WithDateBuckets(),
                        "group_by=pos,pos_name&measures=rank,total,sales,consignment&sort=-total"};
    return r;
  }();
  return reports;
}

// The request's parameters over the report's defaults (a parameter given replaces the default).
std::string WithDefaults(std::string_view query, const std::string& defaults) {
  std::string out(query);
  auto given = shared::ParseQueryString(query);
  for (auto part = defaults; !part.empty();) {
    auto amp = part.find('&');
    auto item = part.substr(0, amp);
    auto key = item.substr(0, item.find('='));
    bool present = false;
    if (given)
      for (const auto& [k, v] : *given) present = present || k == key;
    if (!present) out += (out.empty() ? "" : "&") + item;
    part = amp == std::string::npos ? "" : part.substr(amp + 1);
  }
  return out;
}

db::Task<Result<http::Response>> RunReport(VerticalRequest& req) {
  const auto& name = req.Param("name");
  auto it = Reports().find(name);
  if (it == Reports().end())
    co_return std::unexpected(NotFound("El reporte no existe: use sell_through, consignment_aging o pos_ranking."));
  VERTICE_CO_ASSIGN_OR_RETURN(auto request,
                              shared::ParseReportQuery(WithDefaults(req.http.query, it->second.default_query)));
  VERTICE_CO_ASSIGN_OR_RETURN(auto built, shared::BuildReport(it->second.definition, request, req.scope));
  auto rows = co_await req.ctx.pool.InTransaction(
      req.scope, [&](db::Transaction& tx) { return tx.Query(built.sql, built.params); });
  if (!rows) co_return std::unexpected(rows.error());
  auto out = shared::ReportRowsJson(built, *rows);
  out["report"] = name;
  co_return Json(200, out);
}

}  // namespace

std::vector<VerticalRoute> ReportRoutes() { return {{"GET", "/reports/{name}", "report", RunReport}}; }

}  // namespace vertice::verticals::cpg
