// The retail back office through the built server: the catalog searched, edited (optimistic
// versions) and imported from a spreadsheet (a bad row refuses the whole file, a dry run writes
// nothing); shelf prices that include IVA ring up as the shelf says, with the IVA they contain,
// while consignment prices them net + IVA; the sales history filtered, totalled and opened ticket
// by ticket; another company's ids answer 404.
#include <boost/json.hpp>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;

class CpgBackOfficeApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    Sql(db_->OwnerUrl(),
        "INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('shop-a', 'demo', 'A', "
        "'ADI920101AB3'), ('shop-b', 'demo', 'B', 'GCO930215KX7')");
    Sql(db_->OwnerUrl(),
        "INSERT INTO memberships (tenant_id, company_id, user_id, role) SELECT 'demo', c, user_id, r FROM users, "
        "unnest(ARRAY['shop-a', 'shop-b']) c, LATERAL (SELECT CASE email WHEN 'admin@acme.mx' THEN 'owner' "
        "ELSE 'cashier' END AS r) x WHERE email IN ('admin@acme.mx', 'cajero@acme.mx')");
    auto owner = SignIn("admin@acme.mx");
    for (const char* company : {"shop-a", "shop-b"}) {
      auto c = Client();
      ASSERT_EQ(c.Send("PUT", "/api/v1/verticals/cpg", R"({"enabled": true})", owner.Bearer(company)).status, 200);
      auto pos =
          c.Send("POST", Cpg("/pos"),
                 R"({"code":"OXXO-1","name":"Oxxo Centro","retailer_rfc":"CCO8605231N4","commission_rate":"0.10"})",
                 owner.Bearer(company));
      ASSERT_EQ(pos.status, 201) << pos.body;
      pos_[company] = std::string(ParseJson(pos.body).at("pos_id").as_string());
    }
  }

  static std::string Cpg(const std::string& path) { return "/api/v1/verticals/cpg" + path; }
  static HttpResponse Call(const std::string& company, const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& user = "admin@acme.mx") {
    // One session per user (signing in on every call would meet the login rate limit).
    auto it = sessions_.find(user);
    if (it == sessions_.end()) it = sessions_.emplace(user, SignIn(user)).first;
    auto c = Client();
    return c.Send(method, path, body, it->second.Bearer(company));
  }
  static json::object Object(const HttpResponse& r) { return ParseJson(r.body).as_object(); }
  static std::string Str(const json::value& v, std::string_view key) {
    const auto& x = v.at(key);
    return x.is_string() ? std::string(x.as_string()) : json::serialize(x);
  }
  static int64_t Products(const std::string& company) {
    return std::stoll(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM cpg_products WHERE company_id = $1", {company}));
  }

  static inline std::map<std::string, std::string> pos_;
  static inline std::map<std::string, Session> sessions_;
};

TEST_F(CpgBackOfficeApiTest, TheCatalogIsSearchedEditedAndDeactivatedWithOptimisticVersions) {
  auto created = Call("shop-a", "POST", Cpg("/products"),
                      R"({"sku":"CAFE-200","name":"Café soluble 200 g","unit_price":"96","iva_rate":"0"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = Str(Object(created), "product_id");
  ASSERT_EQ(Call("shop-a", "POST", Cpg("/products"),
                 R"({"sku":"CAFE-GR","name":"Café de grano 1 kg","unit_price":"310","iva_rate":"0"})")
                .status,
            201);

  // Search by part of the name or the SKU, case-insensitive; LIKE's wildcards are literal text.
  auto found = Object(Call("shop-a", "GET", Cpg("/products?q=soluble")));
  ASSERT_EQ(found.at("items").as_array().size(), 1u);
  EXPECT_EQ(Str(found.at("items").as_array()[0], "sku"), "CAFE-200");
  EXPECT_EQ(Object(Call("shop-a", "GET", Cpg("/products?q=cafe-"))).at("items").as_array().size(), 2u);
  EXPECT_EQ(Object(Call("shop-a", "GET", Cpg("/products?q=%25"))).at("items").as_array().size(), 0u);

  auto edited = Call("shop-a", "PATCH", Cpg("/products/" + id), R"({"unit_price":"99.50","version":1})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(Str(Object(edited), "unit_price"), "99.500000");
  EXPECT_EQ(Object(edited).at("version").as_int64(), 2);
  // Someone who read version 1 cannot overwrite the change.
  auto stale = Call("shop-a", "PATCH", Cpg("/products/" + id), R"({"unit_price":"1","version":1})");
  EXPECT_EQ(stale.status, 409) << stale.body;
  auto off = Call("shop-a", "PATCH", Cpg("/products/" + id), R"({"active":false,"version":2})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(Object(Call("shop-a", "GET", Cpg("/products?active=false"))).at("items").as_array().size(), 1u);
  EXPECT_EQ(Call("shop-a", "PATCH", Cpg("/products/" + id), R"({"iva_rate":"0.10","version":3})").status, 400);
  // A cashier reads the catalog but does not edit it; another company does not see the product.
  EXPECT_EQ(Call("shop-a", "PATCH", Cpg("/products/" + id), R"({"active":true,"version":3})", "cajero@acme.mx").status,
            403);
  EXPECT_EQ(Call("shop-b", "PATCH", Cpg("/products/" + id), R"({"active":true,"version":3})").status, 404);
}

TEST_F(CpgBackOfficeApiTest, AnImportWithOneBadRowChangesNothingAndReportsEveryRow) {
  const auto before = Products("shop-b");
  auto bad = Call("shop-b", "POST", Cpg("/products/import"),
                  R"({"rows":[{"sku":"LECHE-1L","name":"Leche 1 L","unit_price":"26.50","iva_rate":"0"},
                              {"sku":"MAL SKU","name":"","unit_price":"-3"},
                              {"sku":"LECHE-1L","name":"Otra","unit_price":"1"},
                              {"sku":"JABON","name":"Jabón","unit_price":"39","iva_rate":"0.5"}]})");
  ASSERT_EQ(bad.status, 422) << bad.body;
  auto e = ParseJson(bad.body).at("error");
  EXPECT_EQ(e.at("code").as_string(), "cpg.import_invalid");
  const auto& rows = e.at("details").at("rows").as_array();
  ASSERT_EQ(rows.size(), 3u) << bad.body;
  EXPECT_EQ(rows[0].at("row").as_int64(), 2);
  EXPECT_TRUE(rows[0].at("errors").as_object().contains("sku"));
  EXPECT_TRUE(rows[0].at("errors").as_object().contains("name"));
  EXPECT_TRUE(rows[0].at("errors").as_object().contains("unit_price"));
  EXPECT_EQ(rows[1].at("row").as_int64(), 3);  // the same SKU twice in one file
  EXPECT_EQ(rows[2].at("row").as_int64(), 4);
  EXPECT_EQ(Products("shop-b"), before);
}

TEST_F(CpgBackOfficeApiTest, ADryRunSaysWhatAnImportWouldDoAndTheImportDoesIt) {
  ASSERT_EQ(Call("shop-b", "POST", Cpg("/products"),
                 R"({"sku":"PAPEL-4R","name":"Papel 4 rollos","unit_price":"34","iva_rate":"0.16"})")
                .status,
            201);
  ASSERT_EQ(Call("shop-b", "POST", Cpg("/products"),
                 R"({"sku":"ATUN-140","name":"Atún 140 g","unit_price":"21.50","iva_rate":"0"})")
                .status,
            201);
  const std::string file = R"({"rows":[
      {"sku":"PAPEL-4R","name":"Papel 4 rollos","unit_price":"34.00","iva_rate":"0.16"},
      {"sku":"ATUN-140","name":"Atún en agua 140 g","unit_price":"21.50","iva_rate":"0","price_includes_tax":true},
      {"sku":"DETERG-1K","name":"Detergente 1 kg","unit_price":"42","iva_rate":"0.16","price_includes_tax":true}]})";
  const auto before = Products("shop-b");
  auto dry = Call("shop-b", "POST", Cpg("/products/import"), file.substr(0, file.size() - 1) + R"(,"dry_run":true})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto d = Object(dry);
  EXPECT_EQ(d.at("created").as_int64(), 1);
  EXPECT_EQ(d.at("updated").as_int64(), 1);
  EXPECT_EQ(d.at("unchanged").as_int64(), 1);
  EXPECT_EQ(Products("shop-b"), before);  // nothing written

  auto done = Call("shop-b", "POST", Cpg("/products/import"), file);
  ASSERT_EQ(done.status, 200) << done.body;
  auto r = Object(done);
  EXPECT_EQ(json::serialize(r.at("rows")), json::serialize(d.at("rows")));
  EXPECT_EQ(Products("shop-b"), before + 1);
  auto atun = Object(Call("shop-b", "GET", Cpg("/products?sku=ATUN-140"))).at("items").as_array()[0];
  EXPECT_EQ(Str(atun, "name"), "Atún en agua 140 g");
  EXPECT_TRUE(atun.at("price_includes_tax").as_bool());
  EXPECT_EQ(atun.at("version").as_int64(), 2);
  // Again: every row is now unchanged, and nothing moves.
  auto again = Object(Call("shop-b", "POST", Cpg("/products/import"), file));
  EXPECT_EQ(again.at("unchanged").as_int64(), 3);
}

TEST_F(CpgBackOfficeApiTest, AShelfPriceIncludesIvaAtTheTillAndConsignmentPricesItNetPlusIva) {
  ASSERT_EQ(Call("shop-a", "POST", Cpg("/products"),
                 R"({"sku":"AGUA-600","name":"Agua 600 ml","unit_price":"8.50","iva_rate":"0.16",)"
                 R"("price_includes_tax":true})")
                .status,
            201);
  ASSERT_EQ(Call("shop-a", "POST", Cpg("/products"),
                 R"({"sku":"LECHE","name":"Leche 1 L","unit_price":"26.50","iva_rate":"0","price_includes_tax":true})")
                .status,
            201);
  auto sale = Call("shop-a", "POST", Cpg("/pos/" + pos_.at("shop-a") + "/sales"),
                   R"({"ticket":"SHELF-1","payment_method":"cash",)"
                   R"("lines":[{"sku":"AGUA-600","quantity":"1"},{"sku":"AGUA-600","quantity":"3"},)"
                   R"({"sku":"LECHE","quantity":"2"}]})",
                   "cajero@acme.mx");
  ASSERT_EQ(sale.status, 201) << sale.body;
  auto s = Object(sale);
  // 8.50 = 7.33 + 1.17; 25.50 = 21.98 + 3.52; 53.00 at 0 %: the consumer pays the shelf price.
  EXPECT_EQ(Str(s, "total"), "87.00");
  EXPECT_EQ(Str(s, "subtotal"), "82.31");
  EXPECT_EQ(Str(s, "iva"), "4.69");
  auto detail = Call("shop-a", "GET", Cpg("/sales/" + Str(s, "sale_id")));
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto lines = Object(detail).at("lines").as_array();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Str(lines[0], "unit_price"), "8.500000");
  EXPECT_EQ(Str(lines[0], "subtotal"), "7.33");
  EXPECT_EQ(Str(lines[0], "iva"), "1.17");
  EXPECT_EQ(Str(lines[0], "total"), "8.50");
  EXPECT_TRUE(lines[0].at("price_includes_tax").as_bool());
  EXPECT_EQ(Str(Object(detail), "total"), "87.00");

  // Consignment between businesses: net + IVA, from the same catalog.
  auto consignment = Call("shop-a", "POST", Cpg("/consignment"),
                          R"({"pos_id":")" + pos_.at("shop-a") + R"(","lines":[{"sku":"AGUA-600","quantity":"10"}]})");
  ASSERT_EQ(consignment.status, 201) << consignment.body;
  auto c = Object(consignment);
  EXPECT_EQ(Str(c.at("lines").as_array()[0], "unit_price"), "7.327586");
  EXPECT_EQ(Str(c, "value_delivered"), "85.00");  // 73.28 + 11.72
}

TEST_F(CpgBackOfficeApiTest, TheSalesHistoryFiltersTotalsAndOpensATicket) {
  ASSERT_EQ(
      Call("shop-b", "POST", Cpg("/products"), R"({"sku":"CHICLE","name":"Chicle","unit_price":"5","iva_rate":"0.16"})")
          .status,
      201);
  ASSERT_EQ(
      Call("shop-b", "POST", Cpg("/products"), R"({"sku":"PAN","name":"Pan","unit_price":"3","iva_rate":"0"})").status,
      201);
  const auto sales = Cpg("/pos/" + pos_.at("shop-b") + "/sales");
  auto sell = [&](const std::string& ticket, const std::string& method, const std::string& lines) {
    auto r = Call("shop-b", "POST", sales,
                  R"({"ticket":")" + ticket + R"(","payment_method":")" + method + R"(","lines":)" + lines + "}");
    ASSERT_EQ(r.status, 201) << r.body;
  };
  sell("H-1", "cash", R"([{"sku":"CHICLE","quantity":"2"}])");
  sell("H-2", "card", R"([{"sku":"PAN","quantity":"4"}])");
  sell("H-3", "card", R"([{"sku":"CHICLE","quantity":"1"},{"sku":"PAN","quantity":"1"}])");

  auto all = Object(Call("shop-b", "GET", Cpg("/sales?limit=200")));
  auto total = Object(Call("shop-b", "GET", Cpg("/sales/summary")));
  EXPECT_EQ(total.at("count").as_int64(), static_cast<int64_t>(all.at("items").as_array().size()));

  auto card = Object(Call("shop-b", "GET", Cpg("/sales?payment_method=card")));
  ASSERT_EQ(card.at("items").as_array().size(), 2u);
  auto card_total = Object(Call("shop-b", "GET", Cpg("/sales/summary?payment_method=card")));
  EXPECT_EQ(card_total.at("count").as_int64(), 2);
  EXPECT_EQ(Str(card_total, "total"), "20.80");  // 12.00 + (5.80 + 3.00)
  EXPECT_EQ(Str(card_total, "iva"), "0.80");

  auto chicle =
      SqlValue(db_->OwnerUrl(), "SELECT product_id FROM cpg_products WHERE company_id = 'shop-b' AND sku = 'CHICLE'");
  auto with_chicle = Object(Call("shop-b", "GET", Cpg("/sales?product_id=" + chicle)));
  EXPECT_EQ(with_chicle.at("items").as_array().size(), 2u);
  auto h3 = Object(Call("shop-b", "GET", Cpg("/sales?ticket=H-3"))).at("items").as_array();
  ASSERT_EQ(h3.size(), 1u);
  auto detail = Object(Call("shop-b", "GET", Cpg("/sales/" + Str(h3[0], "sale_id"))));
  EXPECT_EQ(detail.at("lines").as_array().size(), 2u);
  EXPECT_EQ(Str(detail, "total"), Str(h3[0], "total"));
  EXPECT_EQ(Str(detail, "pos_name"), "Oxxo Centro");

  EXPECT_EQ(Call("shop-b", "GET", Cpg("/sales?payment_method=bitcoin")).status, 400);
  EXPECT_EQ(Call("shop-b", "GET", Cpg("/sales/summary?product_id=abc")).status, 400);
  // Another company's ticket is not found; a ticket that does not exist neither.
  EXPECT_EQ(Call("shop-a", "GET", Cpg("/sales/" + Str(h3[0], "sale_id"))).status, 404);
  EXPECT_EQ(Call("shop-b", "GET", Cpg("/sales/999999999")).status, 404);
}

}  // namespace
}  // namespace vertice::testing
