// CPG writes a point of sale can trust, through the built server: a retried POS sale,
// consignment or settlement with the same Idempotency-Key gets the first answer and writes
// nothing more (also when the retries race each other); the same key with another body is 409;
// keys are per company and expire. And what a cashier may charge: the catalog price, or a
// discount the company allows; price changes are audited.
#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "db/pool.hpp"
#include "tests/api/api_fixture.hpp"
#include "verticals/jobs.hpp"
#include "verticals/registry.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;

class CpgWritesApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    // Two companies of the demo tenant: admin@acme.mx owns both, cajero@acme.mx sells in both.
    Sql(db_->OwnerUrl(),
        "INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('idem-a', 'demo', 'A', "
        "'ADI920101AB3'), ('idem-b', 'demo', 'B', 'GCO930215KX7'), ('price-a', 'demo', 'P', 'ADI920101AB3')");
    Sql(db_->OwnerUrl(),
        "INSERT INTO memberships (tenant_id, company_id, user_id, role) SELECT 'demo', c, user_id, r FROM users, "
        "unnest(ARRAY['idem-a', 'idem-b', 'price-a']) c, LATERAL (SELECT CASE email WHEN 'admin@acme.mx' THEN 'owner' "
        "ELSE 'cashier' END AS r) x WHERE email IN ('admin@acme.mx', 'cajero@acme.mx')");
    auto owner = SignIn("admin@acme.mx");
    for (const char* company : {"idem-a", "idem-b", "price-a"}) {
      auto c = Client();
      auto r = c.Send("PUT", "/api/v1/verticals/cpg", R"({"enabled": true})", owner.Bearer(company));
      ASSERT_EQ(r.status, 200) << r.body;
      for (const char* product : {R"({"sku":"AGUA-1L","name":"Agua 1 L","unit_price":"10.50","iva_rate":"0.16"})",
                                  R"({"sku":"JUGO","name":"Jugo","unit_price":"23","iva_rate":"0"})"})
        ASSERT_EQ(c.Send("POST", Cpg("/products"), product, owner.Bearer(company)).status, 201);
      auto pos =
          c.Send("POST", Cpg("/pos"),
                 R"({"code":"OXXO-1","name":"Oxxo Centro","retailer_rfc":"CCO8605231N4","commission_rate":"0.10"})",
                 owner.Bearer(company));
      ASSERT_EQ(pos.status, 201) << pos.body;
      pos_[company] = std::string(ParseJson(pos.body).at("pos_id").as_string());
    }
  }

  static std::string Cpg(const std::string& path) { return "/api/v1/verticals/cpg" + path; }
  static std::string SalePath(const std::string& company) { return Cpg("/pos/" + pos_.at(company) + "/sales"); }
  static std::string SaleBody(const std::string& ticket, const std::string& quantity = "3") {
    return R"({"ticket":")" + ticket + R"(","payment_method":"cash","lines":[{"sku":"AGUA-1L","quantity":")" +
           quantity + R"("},{"sku":"JUGO","quantity":"1"}]})";
  }
  static HttpResponse Post(const Session& s, const std::string& company, const std::string& path,
                           const std::string& body, const std::string& key = "") {
    auto c = Client();
    auto h = s.Bearer(company);
    if (!key.empty()) h["Idempotency-Key"] = key;
    return c.Send("POST", path, body, h);
  }
  static int64_t Count(const std::string& sql, const std::vector<std::string>& params = {}) {
    return std::stoll(SqlValue(db_->OwnerUrl(), sql, params));
  }
  static int64_t Sales(const std::string& company, const std::string& ticket) {
    return Count("SELECT count(*) FROM cpg_sales WHERE company_id = $1 AND ticket = $2", {company, ticket});
  }

  static inline std::map<std::string, std::string> pos_;
};

TEST_F(CpgWritesApiTest, ARetriedSaleWithTheSameKeyGetsTheFirstAnswerAndRecordsOneSale) {
  auto cashier = SignIn("cajero@acme.mx");
  auto first = Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("R-1"), "9f0c1e7a-retry-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Header("idempotent-replayed"), "");
  // The answer was lost; the terminal sends the very same request again.
  auto retry = Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("R-1"), "9f0c1e7a-retry-1");
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(Sales("idem-a", "R-1"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM cpg_sale_lines l JOIN cpg_sales s USING (sale_id) WHERE s.company_id = "
                  "'idem-a' AND s.ticket = 'R-1'"),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE company_id = 'idem-a' AND action = 'cpg.sale.recorded' "
                  "AND after->>'ticket' = 'R-1'"),
            1);
  // Without a key the same request is simply a second sale with the same ticket: refused.
  EXPECT_EQ(ErrorCode(Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("R-1"))), "cpg.duplicate_ticket");
}

TEST_F(CpgWritesApiTest, TheSameKeyWithAnotherRequestIs409AndBadKeysAre400) {
  auto cashier = SignIn("cajero@acme.mx");
  ASSERT_EQ(Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("K-1"), "key-reused").status, 201);
  auto other = Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("K-2"), "key-reused");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(ErrorCode(other), "idempotency_key_reused");
  EXPECT_EQ(Sales("idem-a", "K-2"), 0);
  // Another quantity is another request too.
  EXPECT_EQ(ErrorCode(Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("K-1", "4"), "key-reused")),
            "idempotency_key_reused");
  // Another principal's key of the same name is theirs: the owner's "key-reused" is new.
  auto owner = SignIn("admin@acme.mx");
  EXPECT_EQ(Post(owner, "idem-a", SalePath("idem-a"), SaleBody("K-3"), "key-reused").status, 201);

  for (const std::string& bad : {std::string(256, 'k'), std::string("clave-año"), std::string(" ")}) {
    auto r = Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("K-4"), bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_EQ(ErrorCode(r), "idempotency_key_invalid") << bad;
  }
  EXPECT_EQ(Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("K-4"), std::string(255, 'k')).status, 201);
  EXPECT_EQ(Sales("idem-a", "K-4"), 1);
}

TEST_F(CpgWritesApiTest, ConcurrentRetriesWithTheSameKeyRecordOneSaleAndAllGetItsAnswer) {
  auto cashier = SignIn("cajero@acme.mx");
  constexpr int kClients = 8;
  std::vector<HttpResponse> answers(kClients);
  std::atomic<int> ready{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      auto c = Client();
      auto h = cashier.Bearer("idem-a");
      h["Idempotency-Key"] = "race-1";
      c.Send("GET", "/healthz");  // connected before the start
      ++ready;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (ready < kClients && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      try {
        answers[i] = c.Send("POST", SalePath("idem-a"), SaleBody("RACE-1"), h);
      } catch (const std::exception& e) {
        answers[i].body = e.what();
      }
    });
  }
  for (auto& t : clients) t.join();
  int originals = 0;
  for (const auto& a : answers) {
    EXPECT_EQ(a.status, 201) << a.body;
    EXPECT_EQ(a.body, answers[0].body);
    if (a.Header("idempotent-replayed").empty()) ++originals;
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(Sales("idem-a", "RACE-1"), 1);
}

TEST_F(CpgWritesApiTest, KeysArePerCompanyAndExpireAfter24Hours) {
  auto cashier = SignIn("cajero@acme.mx");
  auto a = Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("C-1"), "shared-key");
  auto b = Post(cashier, "idem-b", SalePath("idem-b"), SaleBody("C-1"), "shared-key");
  ASSERT_EQ(a.status, 201) << a.body;
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.Header("idempotent-replayed"), "");
  EXPECT_NE(ParseJson(a.body).at("sale_id"), ParseJson(b.body).at("sale_id"));
  EXPECT_EQ(Sales("idem-a", "C-1"), 1);
  EXPECT_EQ(Sales("idem-b", "C-1"), 1);

  // A day later the key is forgotten: the same key may carry a new sale.
  Sql(db_->OwnerUrl(),
      "UPDATE cpg_idempotency_keys SET created_at = now() - interval '25 hours' WHERE company_id = 'idem-a' AND "
      "idempotency_key = 'shared-key'");
  auto later = Post(cashier, "idem-a", SalePath("idem-a"), SaleBody("C-2"), "shared-key");
  EXPECT_EQ(later.status, 201) << later.body;
  EXPECT_EQ(later.Header("idempotent-replayed"), "");
  EXPECT_EQ(Sales("idem-a", "C-2"), 1);

  // Housekeeping deletes expired keys, company by company, as the server's role (RLS applies).
  Sql(db_->OwnerUrl(),
      "UPDATE cpg_idempotency_keys SET created_at = now() - interval '25 hours' WHERE company_id = 'idem-b'");
  const auto fresh = Count("SELECT count(*) FROM cpg_idempotency_keys WHERE created_at > now() - interval '1 hour'");
  auto registry = verticals::Registry::Discover();
  ASSERT_TRUE(registry);
  SystemClock clock;
  auto report = db::RunSync<Result<verticals::JobReport>>(
      [&](boost::asio::any_io_executor ex) -> db::Task<Result<verticals::JobReport>> {
        db::PoolOptions options;
        options.conninfo = db_->AppUrl();
        options.max_size = 2;
        db::Pool pool(ex, options);
        verticals::JobRunner runner(pool, clock, *registry);
        co_return co_await runner.RunOnce("cpg", "cpg.idempotency_keys_expiry");
      });
  ASSERT_TRUE(report) << report.error().internal;
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM cpg_idempotency_keys WHERE created_at < now() - interval '24 hours'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM cpg_idempotency_keys"), fresh);
  EXPECT_GT(fresh, 0);
}

TEST_F(CpgWritesApiTest, ConsignmentsAndSettlementsRetriedWithTheirKeysAreWrittenOnce) {
  auto owner = SignIn("admin@acme.mx");
  const std::string body =
      R"({"pos_id":")" + pos_.at("idem-b") + R"(","folio":"IDEM-1","lines":[{"sku":"AGUA-1L","quantity":"10"}]})";
  auto first = Post(owner, "idem-b", Cpg("/consignment"), body, "consign-1");
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = Post(owner, "idem-b", Cpg("/consignment"), body, "consign-1");
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  // The same folio under another key is a new consignment, refused by the folio's unique key.
  auto other = Post(owner, "idem-b", Cpg("/consignment"), body, "consign-2");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(ErrorCode(other), "cpg.duplicate_folio");
  EXPECT_EQ(Count("SELECT count(*) FROM cpg_consignments WHERE company_id = 'idem-b' AND folio = 'IDEM-1'"), 1);

  const auto id = std::string(ParseJson(first.body).at("consignment_id").as_string());
  auto c = Client();
  ASSERT_EQ(c.Send("POST", Cpg("/consignment/" + id + "/transitions"), R"({"event":"deliver"})", owner.Bearer("idem-b"))
                .status,
            200);
  ASSERT_EQ(c.Send("POST", Cpg("/consignment/" + id + "/transitions"),
                   R"({"event":"report","lines":[{"line_no":1,"sold":"10"}]})", owner.Bearer("idem-b"))
                .status,
            200);
  // 10 × 10.50 × 1.16 = 121.80 sold, 10 % commission: 109.62 due. A payment of 50.00, sent twice.
  const std::string pay = R"({"amount":"50.00","method":"transfer","reference":"SPEI 1"})";
  auto paid = Post(owner, "idem-b", Cpg("/consignment/" + id + "/settlements"), pay, "pay-1");
  ASSERT_EQ(paid.status, 201) << paid.body;
  auto again = Post(owner, "idem-b", Cpg("/consignment/" + id + "/settlements"), pay, "pay-1");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, paid.body);
  EXPECT_EQ(Count("SELECT count(*) FROM cpg_consignment_settlements WHERE consignment_id = $1", {id}), 1);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT settled::text FROM cpg_consignments WHERE consignment_id = $1", {id}),
            "50.00");
  // A second payment of the same amount is a new key: taken.
  EXPECT_EQ(Post(owner, "idem-b", Cpg("/consignment/" + id + "/settlements"), pay, "pay-2").status, 201);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT settled::text FROM cpg_consignments WHERE consignment_id = $1", {id}),
            "100.00");
}

TEST_F(CpgWritesApiTest, ACashierChargesTheCatalogPriceUnlessTheCompanyAllowsADiscountAndChangesAreAudited) {
  auto cashier = SignIn("cajero@acme.mx");
  auto owner = SignIn("admin@acme.mx");
  auto priced = [](const std::string& ticket, const std::string& price) {
    return R"({"ticket":")" + ticket + R"(","payment_method":"cash","lines":[{"sku":"JUGO","quantity":"1"},)" +
           R"({"sku":"AGUA-1L","quantity":"2","unit_price":")" + price + R"("}]})";
  };
  auto audits = [] {
    return Count("SELECT count(*) FROM audit_log WHERE company_id = 'price-a' AND action = 'cpg.sale.price_changed'");
  };
  // By default a cashier charges the catalog price: lower (or higher) is refused, nothing written.
  auto lower = Post(cashier, "price-a", SalePath("price-a"), priced("P-1", "9.00"));
  EXPECT_EQ(lower.status, 403) << lower.body;
  EXPECT_EQ(ErrorCode(lower), "cpg.price_change_not_allowed");
  EXPECT_NE(lower.body.find("lines[1].unit_price"), std::string::npos) << lower.body;
  EXPECT_EQ(Post(cashier, "price-a", SalePath("price-a"), priced("P-1", "12.00")).status, 403);
  EXPECT_EQ(Sales("price-a", "P-1"), 0);
  EXPECT_EQ(Post(cashier, "price-a", SalePath("price-a"), priced("P-1", "10.50")).status, 201);
  EXPECT_EQ(audits(), 0) << "the catalog price is not a change";

  // The owner allows cashiers up to 10 % off.
  auto c = Client();
  auto configured = c.Send("PUT", "/api/v1/verticals/cpg", R"({"enabled":true,"config":{"max_discount_rate":"0.10"}})",
                           owner.Bearer("price-a"));
  ASSERT_EQ(configured.status, 200) << configured.body;
  EXPECT_EQ(c.Send("PUT", "/api/v1/verticals/cpg", R"({"enabled":true,"config":{"max_discount_rate":"1.5"}})",
                   owner.Bearer("price-a"))
                .status,
            400);
  EXPECT_EQ(Post(cashier, "price-a", SalePath("price-a"), priced("P-2", "9.44")).status, 403);
  auto discounted = Post(cashier, "price-a", SalePath("price-a"), priced("P-2", "9.45"));
  ASSERT_EQ(discounted.status, 201) << discounted.body;
  EXPECT_EQ(ParseJson(discounted.body).at("subtotal").as_string(), "41.90");  // 23.00 + 2 × 9.45
  // Audited in the sale's transaction: who, the catalog price and the price charged.
  auto sale_id = std::string(ParseJson(discounted.body).at("sale_id").as_string());
  auto row = Sql(db_->OwnerUrl(),
                 "SELECT actor_id::text, before->'lines'->0->>'unit_price', after->'lines'->0->>'unit_price', "
                 "after->>'role', after->'lines'->0->>'sku' FROM audit_log WHERE company_id = 'price-a' AND "
                 "action = 'cpg.sale.price_changed' AND entity_id = $1",
                 {sale_id});
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0],
            (std::vector<std::string>{UserId("cajero@acme.mx"), "10.500000", "9.450000", "cashier", "AGUA-1L"}));

  // The owner sets any price; that change is on record too.
  EXPECT_EQ(Post(owner, "price-a", SalePath("price-a"), priced("P-3", "1.00")).status, 201);
  EXPECT_EQ(audits(), 2);
}

}  // namespace
}  // namespace vertice::testing
