// GET /reports/{name}: sell-through by point of sale and product, consignment aging, POS ranking
// and goods on consignment — each a definition for the shared report builder over a
// security_invoker view (allow-listed identifiers, bound values, the company from the scope).
#include <boost/json.hpp>

#include "shared/report.hpp"
#include "verticals/cpg/cpg.hpp"
#include "verticals/sdk.hpp"

namespace vertice::verticals::cpg {

namespace json = boost::json;

namespace {

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

}  // namespace

std::vector<VerticalRoute> ReportRoutes() {
  return {{"GET", "/reports/{name}", "report", [](VerticalRequest& req) { return ReportPage(req, Reports()); }}};
}

}  // namespace vertice::verticals::cpg
