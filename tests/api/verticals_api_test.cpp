// Verticals over HTTP against the built server: enabling, the CPG retail vertical (catalog, POS
// sales, consignments with their status machine and invariants, reports), the services
// vertical, tenancy, and the unified view (each event once, invoiced sales not counted twice,
// the seed's case 5 queries).
#include <boost/json.hpp>

#include "cfdi/builder.hpp"
#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;

class VerticalsApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    // A company per test, owned by admin@acme.mx; globex gets that owner too, to enable verticals.
    Sql(db_->OwnerUrl(),
        "INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('c-life', 'demo', 'L', 'ADI920101AB3'),"
        " ('t-a', 'demo', 'A', 'ADI920101AB3'), ('t-b', 'demo', 'B', 'GCO930215KX7'),"
        " ('t-svc', 'demo', 'S', 'GCO930215KX7'), ('t-uni', 'demo', 'U', 'ADI920101AB3')");
    Sql(db_->OwnerUrl(),
        "INSERT INTO memberships (tenant_id, company_id, user_id, role) SELECT 'demo', c, user_id, 'owner' "
        "FROM users, unnest(ARRAY['globex', 'c-life', 't-a', 't-b', 't-svc', 't-uni']) c WHERE email = "
        "'admin@acme.mx'");
    Sql(db_->OwnerUrl(),
        "INSERT INTO memberships (tenant_id, company_id, user_id, role) "
        "SELECT 'demo', 'c-life', user_id, 'cashier' FROM users WHERE email = 'cajero@acme.mx'");
  }

  struct Reply {
    int status;
    json::value body;
    std::string code;
  };
  static Reply Call(const Session& s, const std::string& company, const std::string& method, const std::string& path,
                    const std::string& body = "") {
    auto c = Client();
    auto h = s.Bearer(company);
    if (!body.empty()) h["Content-Type"] = "application/json";
    auto r = c.Send(method, path, body, h);
    Reply out{r.status, nullptr, ""};
    try {
      out.body = json::parse(r.body);
    } catch (...) {
    }
    if (r.status >= 400) out.code = ErrorCode(r);
    return out;
  }
  static std::string Cpg(const std::string& path) { return "/api/v1/verticals/cpg" + path; }
  static std::string Str(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }
  static int Rows(const std::string& table, const std::string& company) {
    return std::stoi(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM " + table + " WHERE company_id = $1", {company}));
  }
  static void Enable(const Session& owner, const std::string& company, const std::string& vertical) {
    auto r = Call(owner, company, "PUT", "/api/v1/verticals/" + vertical, R"({"enabled": true})");
    ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  }
  static void Refresh() { SqlValue(db_->OwnerUrl(), "SELECT refresh_universal_transactions()"); }

  // A catalog for a company: two products and one point of sale (10 % commission).
  struct Catalog {
    std::string pos_id;
  };
  static Catalog MakeCatalog(const Session& s, const std::string& company) {
    EXPECT_EQ(Call(s, company, "POST", Cpg("/products"),
                   R"({"sku":"AGUA-1L","name":"Agua 1 L","unit_price":"10.50","iva_rate":"0.16"})")
                  .status,
              201);
    EXPECT_EQ(
        Call(s, company, "POST", Cpg("/products"), R"({"sku":"JUGO","name":"Jugo","unit_price":"23","iva_rate":"0"})")
            .status,
        201);
    auto pos = Call(s, company, "POST", Cpg("/pos"),
                    R"({"code":"OXXO-1","name":"Oxxo Centro","retailer_rfc":"CCO8605231N4","commission_rate":"0.10"})");
    EXPECT_EQ(pos.status, 201) << json::serialize(pos.body);
    return {pos.status == 201 ? Str(pos.body, "pos_id") : ""};
  }
  // A consignment of 100 AGUA-1L and 20 JUGO; its creation answers exactly what reading it answers.
  static std::string NewConsignment(const Session& s, const std::string& company, const std::string& pos_id) {
    auto r = Call(s, company, "POST", Cpg("/consignment"),
                  R"({"pos_id":")" + pos_id +
                      R"(","lines":[{"sku":"AGUA-1L","quantity":"100"},{"sku":"JUGO","quantity":"20"}]})");
    EXPECT_EQ(r.status, 201) << json::serialize(r.body);
    if (r.status != 201) return "";
    auto id = Str(r.body, "consignment_id");
    EXPECT_EQ(json::serialize(r.body), json::serialize(Call(s, company, "GET", Cpg("/consignment/" + id)).body));
    EXPECT_EQ(r.body.at("lines").as_array().size(), 2u);
    return id;
  }
};

TEST_F(VerticalsApiTest, OwnersEnableVerticalsAndEveryRouteIs404WithoutThem) {
  auto owner = SignIn("admin@acme.mx");
  auto cfo = SignIn("cfo@globex.mx");
  // globex has not enabled cpg: every one of its routes answers 404, whatever the id.
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/products"},
                                                        {"POST", "/products"},
                                                        {"GET", "/pos"},
                                                        {"POST", "/pos"},
                                                        {"PATCH", "/pos/1"},
                                                        {"POST", "/pos/1/sales"},
                                                        {"GET", "/sales"},
                                                        {"POST", "/consignment"},
                                                        {"GET", "/consignment"},
                                                        {"GET", "/consignment/1"},
                                                        {"POST", "/consignment/1/transitions"},
                                                        {"POST", "/consignment/1/settlements"},
                                                        {"GET", "/reports/sell_through"}}) {
    auto r = Call(owner, "globex", method, Cpg(path), method == "GET" ? "" : "{}");
    EXPECT_EQ(r.status, 404) << method << " " << path;
  }
  auto list = Call(cfo, "globex", "GET", "/api/v1/verticals");
  ASSERT_EQ(list.status, 200);
  std::map<std::string, bool> enabled;
  for (const auto& v : list.body.at("items").as_array()) enabled[Str(v, "name")] = v.at("enabled").as_bool();
  EXPECT_EQ(enabled, (std::map<std::string, bool>{{"cpg", false}, {"services", false}}));
  // Only owners enable; unknown verticals are 404; bad bodies are 400 and change nothing.
  EXPECT_EQ(Call(cfo, "globex", "PUT", "/api/v1/verticals/cpg", R"({"enabled":true})").status, 403);
  EXPECT_EQ(Call(owner, "globex", "PUT", "/api/v1/verticals/erp", R"({"enabled":true})").status, 404);
  auto bad = Call(owner, "globex", "PUT", "/api/v1/verticals/cpg", R"({"enabled":"yes","color":"red"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Rows("company_verticals", "globex"), 0);
  Enable(owner, "globex", "services");
  EXPECT_EQ(Call(cfo, "globex", "GET", "/api/v1/verticals/services/contracts").status, 200);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT count(*) FROM audit_log WHERE action = 'vertical.enabled' AND company_id = 'globex'"),
            "1");
  // Disabling hides the routes again (and is audited).
  ASSERT_EQ(Call(owner, "globex", "PUT", "/api/v1/verticals/services", R"({"enabled":false})").status, 200);
  EXPECT_EQ(Call(cfo, "globex", "GET", "/api/v1/verticals/services/contracts").status, 404);
  Enable(owner, "globex", "services");
}

TEST_F(VerticalsApiTest, CatalogAndPosSalesAreExactAndRefuseBadInput) {
  auto s = SignIn("admin@acme.mx");
  Enable(s, "acme", "cpg");
  auto catalog = MakeCatalog(s, "acme");
  // Bad input: every problem listed, nothing written.
  auto bad =
      Call(s, "acme", "POST", Cpg("/products"), R"({"sku":"no spaces","unit_price":1.5,"iva_rate":"0.10","x":1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body.at("error").at("details").at("fields").as_array().size(), 5u) << json::serialize(bad.body);
  EXPECT_EQ(Call(s, "acme", "POST", Cpg("/products"), R"({"sku":"AGUA-1L","name":"Otra","unit_price":"1"})").code,
            "cpg.duplicate_sku");
  EXPECT_EQ(Rows("cpg_products", "acme"), 2);
  EXPECT_EQ(Call(s, "acme", "POST", Cpg("/pos"), R"({"code":"X1","name":"X","retailer_rfc":"NOPE"})").status, 400);
  EXPECT_EQ(Call(s, "acme", "POST", Cpg("/pos"),
                 R"({"code":"X1","name":"X","retailer_rfc":"CCO8605231N4","commission_rate":"1.5"})")
                .status,
            400);
  EXPECT_EQ(
      Call(s, "acme", "POST", Cpg("/pos"), R"({"code":"OXXO-1","name":"Otra","retailer_rfc":"CCO8605231N4"})").code,
      "cpg.duplicate_pos_code");
  EXPECT_EQ(Rows("cpg_pos", "acme"), 1);

  // 3 × 10.50 = 31.50 + IVA 5.04; 1 × 23.00 at 0 %: 59.54.
  auto sale = Call(s, "acme", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                   R"({"ticket":"T-1","payment_method":"cash","sold_at":"2026-03-01T02:00:00Z",)"
                   R"("lines":[{"sku":"AGUA-1L","quantity":"3"},{"sku":"JUGO","quantity":"1"}]})");
  ASSERT_EQ(sale.status, 201) << json::serialize(sale.body);
  EXPECT_EQ(Str(sale.body, "subtotal"), "54.50");
  EXPECT_EQ(Str(sale.body, "iva"), "5.04");
  EXPECT_EQ(Str(sale.body, "total"), "59.54");
  EXPECT_EQ(Str(sale.body, "business_date"), "2026-02-28");  // 20:00 in Mexico City
  EXPECT_EQ(Call(s, "acme", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                 R"({"ticket":"T-1","payment_method":"cash","lines":[{"sku":"JUGO","quantity":"1"}]})")
                .code,
            "cpg.duplicate_ticket");
  auto unknown = Call(s, "acme", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                      R"({"ticket":"T-2","payment_method":"cash","lines":[{"sku":"NADA","quantity":"1"}]})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.code, "unknown_product");
  EXPECT_EQ(Call(s, "acme", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                 R"({"ticket":"T-2","payment_method":"bitcoin","lines":[{"sku":"JUGO","quantity":"-1"}]})")
                .status,
            400);
  EXPECT_EQ(Rows("cpg_sales", "acme"), 1);
  EXPECT_EQ(Rows("cpg_sale_lines", "acme"), 2);
  // An inactive point of sale records nothing; a cashier may sell but not manage the catalog.
  auto cashier = SignIn("cajero@acme.mx");
  EXPECT_EQ(
      Call(cashier, "acme", "PATCH", Cpg("/pos/" + catalog.pos_id), R"({"status":"inactive","version":1})").status,
      403);
  auto patched = Call(s, "acme", "PATCH", Cpg("/pos/" + catalog.pos_id), R"({"status":"inactive","version":1})");
  ASSERT_EQ(patched.status, 200) << json::serialize(patched.body);
  EXPECT_EQ(Call(s, "acme", "PATCH", Cpg("/pos/" + catalog.pos_id), R"({"status":"active","version":1})").code,
            "stale_version");
  EXPECT_EQ(Call(cashier, "acme", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                 R"({"ticket":"T-3","payment_method":"card","lines":[{"sku":"JUGO","quantity":"2"}]})")
                .code,
            "cpg.pos_inactive");
  EXPECT_EQ(Call(s, "acme", "PATCH", Cpg("/pos/" + catalog.pos_id), R"({"status":"active"})").code, "missing_field");
  ASSERT_EQ(Call(s, "acme", "PATCH", Cpg("/pos/" + catalog.pos_id), R"({"status":"active","version":2})").status, 200);
  EXPECT_EQ(Call(cashier, "acme", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                 R"({"ticket":"T-3","payment_method":"card","lines":[{"sku":"JUGO","quantity":"2"}]})")
                .status,
            201);
  auto sales = Call(s, "acme", "GET", Cpg("/sales?limit=1"));
  ASSERT_EQ(sales.status, 200);
  EXPECT_EQ(Str(sales.body.at("items").as_array()[0], "ticket"), "T-3");
  auto next = Call(s, "acme", "GET", Cpg("/sales?limit=1&after=" + Str(sales.body, "next_after")));
  EXPECT_EQ(Str(next.body.at("items").as_array()[0], "ticket"), "T-1");
  EXPECT_TRUE(next.body.at("next_after").is_null());
  EXPECT_EQ(Call(s, "acme", "GET", Cpg("/sales?after=abc")).status, 400);
}

TEST_F(VerticalsApiTest, ConsignmentLifecycleKeepsQuantitiesAndMoneyReconciled) {
  auto s = SignIn("admin@acme.mx");
  Enable(s, "c-life", "cpg");
  auto catalog = MakeCatalog(s, "c-life");
  auto id = NewConsignment(s, "c-life", catalog.pos_id);
  auto path = Cpg("/consignment/" + id);
  auto detail = Call(s, "c-life", "GET", path).body;
  EXPECT_EQ(Str(detail, "status"), "draft");
  EXPECT_EQ(Str(detail, "value_delivered"), "1678.00");  // 100 × 10.50 × 1.16 + 20 × 23
  // The creation is audited with its lines (the row is written with the commit).
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT jsonb_array_length(after->'lines')::text FROM audit_log "
                     "WHERE action = 'cpg.consignment.created' AND entity_id = $1",
                     {id}),
            "2");
  // Nothing can be settled or reported before delivery.
  EXPECT_EQ(Call(s, "c-life", "POST", path + "/settlements", R"({"amount":"1.00","method":"cash"})").code,
            "cpg.consignment.invalid_transition");
  EXPECT_EQ(
      Call(s, "c-life", "POST", path + "/transitions", R"({"event":"report","lines":[{"line_no":1,"sold":"1"}]})").code,
      "cpg.consignment.invalid_transition");
  // Malformed requests are 400 with every problem named, and change nothing.
  auto bad_event = Call(s, "c-life", "POST", path + "/transitions", R"({"event":"explode","lines":"x"})");
  EXPECT_EQ(bad_event.status, 400);
  EXPECT_EQ(Call(s, "c-life", "POST", path + "/transitions", R"({"event":"report"})").status, 400);
  auto bad_money = Call(s, "c-life", "POST", path + "/settlements", R"({"amount":"12.345","method":"barter"})");
  EXPECT_EQ(bad_money.status, 400);
  EXPECT_EQ(bad_money.body.at("error").at("details").at("fields").as_array().size(), 2u);
  EXPECT_EQ(Call(s, "c-life", "POST", Cpg("/consignment"), R"({"pos_id":"x","lines":[{"sku":"AGUA-1L"}]})").status,
            400);
  EXPECT_EQ(Call(s, "c-life", "GET", Cpg("/consignment/abc")).status, 404);
  EXPECT_EQ(Rows("cpg_consignments", "c-life"), 1);
  ASSERT_EQ(Call(s, "c-life", "POST", path + "/transitions", R"({"event":"deliver"})").status, 200);
  EXPECT_EQ(Call(s, "c-life", "POST", path + "/transitions", R"({"event":"deliver"})").code,
            "cpg.consignment.invalid_transition");
  // Sold + returned may not exceed delivered: refused, nothing changed.
  auto over = Call(s, "c-life", "POST", path + "/transitions",
                   R"({"event":"report","lines":[{"line_no":1,"sold":"90","returned":"20"}]})");
  EXPECT_EQ(over.status, 422);
  EXPECT_EQ(over.code, "cpg.quantities_exceed_delivered");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT sum(qty_sold) FROM cpg_consignment_lines WHERE company_id = 'c-life'"),
            "0.000000");
  auto reported =
      Call(s, "c-life", "POST", path + "/transitions",
           R"({"event":"report","lines":[{"line_no":1,"sold":"60","returned":"10"},{"line_no":2,"sold":"20"}]})");
  ASSERT_EQ(reported.status, 200) << json::serialize(reported.body);
  // 60 × 10.50 × 1.16 = 730.80 + 460.00 = 1190.80 sold; 10 % commission 119.08; due 1071.72.
  EXPECT_EQ(Str(reported.body, "value_sold"), "1190.80");
  EXPECT_EQ(Str(reported.body, "amount_due"), "1071.72");
  EXPECT_EQ(Str(reported.body, "value_on_hand"), "365.40");
  // A settlement beyond what is owed is refused; partial ones are taken.
  auto too_much = Call(s, "c-life", "POST", path + "/settlements", R"({"amount":"1071.73","method":"transfer"})");
  EXPECT_EQ(too_much.status, 422);
  EXPECT_EQ(too_much.code, "cpg.settlement_exceeds_balance");
  EXPECT_EQ(Rows("cpg_consignment_settlements", "c-life"), 0);
  auto partial = Call(s, "c-life", "POST", path + "/settlements", R"({"amount":"500.00","method":"transfer"})");
  ASSERT_EQ(partial.status, 201);
  EXPECT_EQ(Str(partial.body, "status"), "partially_settled");
  EXPECT_EQ(Str(partial.body, "balance"), "571.72");
  // Selling less than what was already paid for is refused.
  EXPECT_EQ(Call(s, "c-life", "POST", path + "/transitions",
                 R"({"event":"report","lines":[{"line_no":1,"sold":"0"},{"line_no":2,"sold":"0"}]})")
                .code,
            "cpg.settled_exceeds_sold");
  EXPECT_EQ(Call(s, "c-life", "POST", path + "/transitions", R"({"event":"cancel"})").code,
            "cpg.consignment.invalid_transition");
  // The rest comes back; once paid in full the consignment is settled.
  auto back = Call(s, "c-life", "POST", path + "/transitions", R"({"event":"return"})");
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(Str(back.body, "status"), "partially_settled");
  EXPECT_EQ(Str(back.body, "value_on_hand"), "0.00");
  auto rest = Call(s, "c-life", "POST", path + "/settlements",
                   R"({"amount":"571.72","method":"check","paid_on":"2026-11-01"})");
  ASSERT_EQ(rest.status, 201);
  EXPECT_EQ(Str(rest.body, "status"), "settled");
  EXPECT_EQ(Str(rest.body, "balance"), "0.00");
  std::vector<std::string> events;
  for (const auto& h : rest.body.at("history").as_array()) events.push_back(Str(h, "event"));
  EXPECT_EQ(events, (std::vector<std::string>{"deliver", "report", "settle_partial", "report", "settle"}));
  EXPECT_EQ(Call(s, "c-life", "POST", path + "/settlements", R"({"amount":"0.01","method":"cash"})").code,
            "cpg.consignment.invalid_transition");

  // All returned, nothing sold → returned; a draft can be cancelled; sold goods cannot.
  auto second = NewConsignment(s, "c-life", catalog.pos_id);
  ASSERT_EQ(Call(s, "c-life", "POST", Cpg("/consignment/" + second + "/transitions"), R"({"event":"deliver"})").status,
            200);
  auto returned = Call(s, "c-life", "POST", Cpg("/consignment/" + second + "/transitions"), R"({"event":"return"})");
  EXPECT_EQ(Str(returned.body, "status"), "returned");
  auto third = NewConsignment(s, "c-life", catalog.pos_id);
  auto cancelled = Call(s, "c-life", "POST", Cpg("/consignment/" + third + "/transitions"), R"({"event":"cancel"})");
  EXPECT_EQ(Str(cancelled.body, "status"), "cancelled");
  auto fourth = NewConsignment(s, "c-life", catalog.pos_id);
  Call(s, "c-life", "POST", Cpg("/consignment/" + fourth + "/transitions"), R"({"event":"deliver"})");
  Call(s, "c-life", "POST", Cpg("/consignment/" + fourth + "/transitions"),
       R"({"event":"report","lines":[{"line_no":2,"sold":"1"}]})");
  EXPECT_EQ(Call(s, "c-life", "POST", Cpg("/consignment/" + fourth + "/transitions"), R"({"event":"cancel"})").code,
            "cpg.consignment_has_sales");

  // Filters and keyset pages; bad filters are 400.
  auto delivered = Call(s, "c-life", "GET", Cpg("/consignment?status=delivered"));
  ASSERT_EQ(delivered.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(Str(delivered.body.at("items").as_array()[0], "consignment_id"), fourth);
  auto page = Call(s, "c-life", "GET", Cpg("/consignment?limit=3"));
  EXPECT_EQ(page.body.at("items").as_array().size(), 3u);
  auto page2 = Call(s, "c-life", "GET", Cpg("/consignment?limit=3&after=" + Str(page.body, "next_after")));
  EXPECT_EQ(page2.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(Call(s, "c-life", "GET", Cpg("/consignment?status=lost")).status, 400);
  EXPECT_EQ(Call(s, "c-life", "GET", Cpg("/consignment?from=2026-13-01")).status, 400);

  // Reports: sell-through by POS and product, aging, ranking.
  auto sell = Call(s, "c-life", "GET", Cpg("/reports/sell_through?group_by=product"));
  ASSERT_EQ(sell.status, 200) << json::serialize(sell.body);
  EXPECT_EQ(sell.body.at("rows").as_array().size(), 2u);
  auto aging = Call(s, "c-life", "GET", Cpg("/reports/consignment_aging"));
  ASSERT_EQ(aging.status, 200) << json::serialize(aging.body);
  auto ranking = Call(s, "c-life", "GET", Cpg("/reports/pos_ranking"));
  ASSERT_EQ(ranking.status, 200) << json::serialize(ranking.body);
  EXPECT_EQ(Str(ranking.body.at("rows").as_array()[0], "consignment"), "1071.72");
  EXPECT_EQ(Call(s, "c-life", "GET", Cpg("/reports/nope")).status, 404);
  EXPECT_EQ(Call(s, "c-life", "GET", Cpg("/reports/pos_ranking?group_by=secret")).status, 400);
  // A cashier cannot consign or settle.
  auto cashier = SignIn("cajero@acme.mx");
  EXPECT_EQ(Call(cashier, "c-life", "POST", Cpg("/consignment"), R"({"pos_id":1,"lines":[]})").status, 403);
}

TEST_F(VerticalsApiTest, AnotherCompanysIdsAre404InEveryEndpoint) {
  auto s = SignIn("admin@acme.mx");
  Enable(s, "t-a", "cpg");
  Enable(s, "t-b", "cpg");
  // The company's configuration reaches the handlers: points of sale get its default commission.
  EXPECT_EQ(
      Call(s, "t-a", "PUT", "/api/v1/verticals/cpg", R"({"enabled":true,"config":{"default_commission_rate":"2"}})")
          .status,
      400);
  EXPECT_EQ(Call(s, "t-a", "PUT", "/api/v1/verticals/cpg", R"({"enabled":true,"config":{"colour":"red"}})").status,
            400);
  auto configured =
      Call(s, "t-a", "PUT", "/api/v1/verticals/cpg", R"({"enabled":true,"config":{"default_commission_rate":"0.15"}})");
  ASSERT_EQ(configured.status, 200);
  EXPECT_EQ(Str(configured.body.at("config"), "default_commission_rate"), "0.15");
  auto plain_pos =
      Call(s, "t-a", "POST", Cpg("/pos"), R"({"code":"P2","name":"Sin comisión","retailer_rfc":"CCO8605231N4"})");
  ASSERT_EQ(plain_pos.status, 201);
  EXPECT_EQ(Str(plain_pos.body, "commission_rate"), "0.150000");
  auto catalog = MakeCatalog(s, "t-a");
  auto id = NewConsignment(s, "t-a", catalog.pos_id);
  EXPECT_EQ(Call(s, "t-b", "PATCH", Cpg("/pos/" + catalog.pos_id), R"({"name":"mine","version":1})").status, 404);
  EXPECT_EQ(Call(s, "t-b", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                 R"({"ticket":"X","payment_method":"cash","lines":[{"sku":"AGUA-1L","quantity":"1"}]})")
                .status,
            404);
  EXPECT_EQ(Call(s, "t-b", "GET", Cpg("/consignment/" + id)).status, 404);
  EXPECT_EQ(Call(s, "t-b", "POST", Cpg("/consignment/" + id + "/transitions"), R"({"event":"deliver"})").status, 404);
  EXPECT_EQ(
      Call(s, "t-b", "POST", Cpg("/consignment/" + id + "/settlements"), R"({"amount":"1","method":"cash"})").status,
      404);
  EXPECT_EQ(Call(s, "t-b", "POST", Cpg("/consignment"),
                 R"({"pos_id":")" + catalog.pos_id + R"(","lines":[{"sku":"AGUA-1L","quantity":"1"}]})")
                .code,
            "cpg.unknown_pos");
  for (const auto& list : {"/products", "/pos", "/sales", "/consignment"})
    EXPECT_EQ(Call(s, "t-b", "GET", Cpg(list)).body.at("items").as_array().size(), 0u) << list;
  EXPECT_EQ(Str(Call(s, "t-a", "GET", Cpg("/consignment/" + id)).body, "status"), "draft");
}

TEST_F(VerticalsApiTest, ServicesContractsBillMonthlyThroughTheirStatusMachine) {
  auto s = SignIn("admin@acme.mx");
  Enable(s, "t-svc", "services");
  const std::string base = "/api/v1/verticals/services";
  auto bad = Call(s, "t-svc", "POST", base + "/contracts",
                  R"({"client_name":"X","client_rfc":"bad","monthly_fee":"-1","billing_day":31})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Rows("services_contracts", "t-svc"), 0);
  auto month_start =
      SqlValue(db_->OwnerUrl(), "SELECT date_trunc('month', now() AT TIME ZONE 'America/Mexico_City')::date::text");
  auto created = Call(s, "t-svc", "POST", base + "/contracts",
                      R"({"client_name":"Hotel Las Palmas","client_rfc":"HLP010203AB1","monthly_fee":"1000.00",)"
                      R"("billing_day":1,"starts_on":")" +
                          month_start + R"("})");
  ASSERT_EQ(created.status, 201) << json::serialize(created.body);
  auto id = Str(created.body, "contract_id");
  auto fire = [&](const std::string& event) {
    return Call(s, "t-svc", "POST", base + "/contracts/" + id + "/transitions", R"({"event":")" + event + R"("})");
  };
  EXPECT_EQ(fire("suspend").code, "services.contract.invalid_transition");
  // What a screen offers: the events the machine allows from the status, for the caller's role.
  EXPECT_EQ(json::serialize(Call(s, "t-svc", "GET", base + "/contracts/" + id).body.at("available_events")),
            R"(["activate","terminate"])");
  EXPECT_EQ(Call(s, "t-svc", "POST", base + "/billings/run").body.at("billed").as_int64(), 0)
      << "drafts are not billed";
  EXPECT_EQ(Str(fire("activate").body, "status"), "active");
  EXPECT_EQ(json::serialize(Call(s, "t-svc", "GET", base + "/contracts/" + id).body.at("available_events")),
            R"(["suspend","terminate"])");
  // Someone who may only read the contract is offered nothing to do.
  Sql(db_->OwnerUrl(),
      "INSERT INTO memberships (tenant_id, company_id, user_id, role) SELECT 'demo', 't-svc', user_id, "
      "'ceo' FROM users WHERE email = 'ceo@acme.mx' ON CONFLICT DO NOTHING");
  auto reader = SignIn("ceo@acme.mx");
  auto seen = Call(reader, "t-svc", "GET", base + "/contracts/" + id);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(json::serialize(seen.body.at("available_events")), "[]");
  EXPECT_EQ(Call(s, "t-svc", "POST", base + "/billings/run").body.at("billed").as_int64(), 1);
  EXPECT_EQ(Call(s, "t-svc", "POST", base + "/billings/run").body.at("billed").as_int64(), 0) << "idempotent";
  auto detail = Call(s, "t-svc", "GET", base + "/contracts/" + id);
  ASSERT_EQ(detail.body.at("billings").as_array().size(), 1u);
  EXPECT_EQ(Str(detail.body.at("billings").as_array()[0], "amount"), "1160.00");
  // Its report: what was billed by month, and the recurring fees of active contracts by client.
  auto billed = Call(s, "t-svc", "GET", base + "/reports/billing");
  ASSERT_EQ(billed.status, 200) << json::serialize(billed.body);
  ASSERT_EQ(billed.body.at("rows").as_array().size(), 1u);
  EXPECT_EQ(Str(billed.body.at("rows").as_array()[0], "billed"), "1160.00");
  auto recurring = Call(s, "t-svc", "GET", base + "/reports/recurring");
  ASSERT_EQ(recurring.body.at("rows").as_array().size(), 1u);
  EXPECT_EQ(Str(recurring.body.at("rows").as_array()[0], "client"), "Hotel Las Palmas");
  EXPECT_EQ(Str(recurring.body.at("rows").as_array()[0], "monthly_total"), "1160.00");
  EXPECT_EQ(Call(s, "t-svc", "GET", base + "/reports/nada").status, 404);
  EXPECT_EQ(Call(s, "t-svc", "GET", base + "/reports/billing?group_by=nada").status, 400);
  EXPECT_EQ(Str(fire("suspend").body, "status"), "suspended");
  EXPECT_EQ(Str(fire("resume").body, "status"), "active");
  EXPECT_EQ(Str(fire("terminate").body, "status"), "terminated");
  EXPECT_EQ(fire("activate").code, "services.contract.invalid_transition");
  EXPECT_EQ(Call(s, "t-svc", "GET", base + "/contracts/999999").status, 404);
  EXPECT_EQ(Call(s, "acme", "GET", base + "/contracts/" + id).status, 404) << "acme has not enabled services";
  // Another company with services enabled still gets 404 on this company's contract.
  Enable(s, "t-b", "services");
  EXPECT_EQ(Call(s, "t-b", "GET", base + "/contracts/" + id).status, 404);
  EXPECT_EQ(Call(s, "t-b", "POST", base + "/contracts/" + id + "/transitions", R"({"event":"activate"})").status, 404);
  EXPECT_EQ(Call(s, "t-b", "GET", base + "/billings?contract_id=" + id).body.at("items").as_array().size(), 0u);
  EXPECT_EQ(Call(s, "t-b", "GET", base + "/billings?contract_id=abc").status, 400);
}

TEST_F(VerticalsApiTest, UnifiedViewCountsEachEventOnceAndAnswersTheSeedQueries) {
  auto s = SignIn("admin@acme.mx");
  Enable(s, "t-uni", "cpg");
  Enable(s, "t-uni", "services");
  auto catalog = MakeCatalog(s, "t-uni");
  // An issued invoice for 1,160.00 (1,000 + IVA) and a sale it invoiced: counted once, as the invoice.
  const std::string uuid = "7E3F6A2B-1C4D-4E5F-8A9B-0C1D2E3F4A5B";
  cfdi::InvoiceSpec inv;
  inv.uuid = uuid;
  inv.folio = "900";
  inv.fecha = "2026-02-10T10:00:00";
  inv.emisor_rfc = "ADI920101AB3";
  inv.emisor_nombre = "ACME";
  inv.receptor_rfc = "CCO8605231N4";
  inv.receptor_nombre = "CADENA COMERCIAL OXXO";
  inv.lines = {{"Venta de mostrador", "1", "1000.00"}};
  auto c = Client();
  auto h = s.Bearer("t-uni");
  h["Content-Type"] = "application/xml";
  ASSERT_EQ(c.Send("POST", "/api/v1/invoices", cfdi::BuildInvoice(inv), h).status, 201);
  auto invoiced = Call(s, "t-uni", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
                       R"({"ticket":"F-1","payment_method":"transfer","sold_at":"2026-02-10T18:00:00Z","cfdi_uuid":")" +
                           uuid + R"(","lines":[{"sku":"JUGO","quantity":"10"}]})");
  ASSERT_EQ(invoiced.status, 201);
  auto plain = Call(
      s, "t-uni", "POST", Cpg("/pos/" + catalog.pos_id + "/sales"),
      R"({"ticket":"T-9","payment_method":"cash","sold_at":"2025-12-30T18:00:00Z","lines":[{"sku":"AGUA-1L","quantity":"2"}]})");
  ASSERT_EQ(plain.status, 201);  // 21.00 + 3.36 = 24.36, dated 2025
  auto cons = NewConsignment(s, "t-uni", catalog.pos_id);
  Call(s, "t-uni", "POST", Cpg("/consignment/" + cons + "/transitions"), R"({"event":"deliver"})");
  Call(s, "t-uni", "POST", Cpg("/consignment/" + cons + "/transitions"),
       R"({"event":"report","lines":[{"line_no":2,"sold":"10"}]})");
  ASSERT_EQ(Call(s, "t-uni", "POST", Cpg("/consignment/" + cons + "/settlements"),
                 R"({"amount":"100.00","method":"transfer","paid_on":"2026-03-05"})")
                .status,
            201);
  Refresh();
  const auto url = db_->OwnerUrl();
  EXPECT_EQ(SqlValue(url, "SELECT count(*) FROM universal_transactions_mv WHERE company_id = 't-uni'"), "3");
  EXPECT_EQ(
      SqlValue(
          url,
          "SELECT count(*) FROM universal_transactions_mv WHERE company_id = 't-uni' AND source_table = 'cpg_sales'"),
      "1");
  // Hand-computed: invoice 1,160.00 + sale 24.36 + settlement 100.00.
  EXPECT_EQ(SqlValue(url, "SELECT get_company_total_revenue('t-uni')"), "1284.36");
  EXPECT_EQ(SqlValue(url, "SELECT get_company_total_revenue('t-uni', '2026-01-01', '2026-12-31')"), "1260.00");
  auto by_type =
      Sql(url,
          "SELECT transaction_type, SUM(monto_total) AS total, COUNT(*) AS count FROM universal_transactions_mv "
          "WHERE company_id = 't-uni' AND fecha >= '2025-01-01' GROUP BY transaction_type ORDER BY 1");
  ASSERT_EQ(by_type.size(), 3u);
  EXPECT_EQ(by_type[0], (std::vector<std::string>{"consignment_settlement", "100.00", "1"}));
  EXPECT_EQ(by_type[1], (std::vector<std::string>{"invoice", "1160.00", "1"}));
  EXPECT_EQ(by_type[2], (std::vector<std::string>{"pos_sale", "24.36", "1"}));
  // Cancelling the invoice puts the sale back: the economic event is then only the sale.
  Sql(url, "UPDATE sat_invoices SET status = 'cancelada', cancelled_at = now() WHERE uuid = $1", {uuid});
  Refresh();
  EXPECT_EQ(SqlValue(url, "SELECT get_company_total_revenue('t-uni')"), "354.36");  // 230 + 24.36 + 100

  // The API: the unified list (newest first, keyset pages, filters) and the revenue report.
  auto list = Call(s, "t-uni", "GET", "/api/v1/transactions?limit=2");
  ASSERT_EQ(list.status, 200) << json::serialize(list.body);
  auto items = list.body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(Str(items[0], "transaction_type"), "consignment_settlement");
  auto rest = Call(s, "t-uni", "GET", "/api/v1/transactions?limit=2&after=" + Str(list.body, "next_after"));
  ASSERT_EQ(rest.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(Str(rest.body.at("items").as_array()[0], "fecha"), "2025-12-30");
  EXPECT_EQ(
      Call(s, "t-uni", "GET", "/api/v1/transactions?type=pos_sale&from=2026-01-01").body.at("items").as_array().size(),
      1u);
  EXPECT_EQ(Call(s, "t-uni", "GET", "/api/v1/transactions?after=garbage").status, 400);
  EXPECT_EQ(Call(s, "t-uni", "GET", "/api/v1/transactions?from=yesterday").status, 400);
  EXPECT_EQ(Call(s, "t-b", "GET", "/api/v1/transactions?vertical=cpg").body.at("items").as_array().size(), 0u)
      << "another company's rows never show";
  auto revenue =
      Call(s, "t-uni", "GET", "/api/v1/reports/revenue?group_by=vertical&from=2026-01-01&to=2026-12-31&sort=vertical");
  ASSERT_EQ(revenue.status, 200) << json::serialize(revenue.body);
  auto rows = revenue.body.at("rows").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Str(rows[0], "vertical"), "cpg");
  EXPECT_EQ(Str(rows[0], "total"), "330.00");
  // Whole months are answered from the monthly totals, other ranges from every event: same numbers.
  auto by_day = Call(s, "t-uni", "GET", "/api/v1/reports/revenue?group_by=vertical&from=2026-01-01&to=2026-12-30");
  EXPECT_EQ(Str(by_day.body.at("rows").as_array()[0], "total"), "330.00");
  auto monthly = Call(s, "t-uni", "GET", "/api/v1/reports/revenue?group_by=month,transaction_type&sort=month");
  ASSERT_EQ(monthly.status, 200) << json::serialize(monthly.body);
  EXPECT_EQ(monthly.body.at("rows").as_array().size(), 3u);  // 2025-12 sale, 2026-02 sale, 2026-03 settlement
  EXPECT_EQ(Str(monthly.body.at("rows").as_array()[0], "month"), "2025-12-01");
  EXPECT_EQ(Call(s, "t-uni", "GET", "/api/v1/reports/revenue?group_by=password").status, 400);
  auto cashier_denied = Call(SignIn("cajero@acme.mx"), "acme", "GET", "/api/v1/transactions");
  EXPECT_EQ(cashier_denied.status, 403);
}

}  // namespace
}  // namespace vertice::testing
