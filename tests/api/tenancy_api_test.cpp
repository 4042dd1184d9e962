// Tenant isolation, black-box: nothing of another company is reachable, and it answers 404 —
// the same as something that does not exist — never 403.
#include "tests/api/api_fixture.hpp"

namespace vertice::testing {

namespace json = boost::json;

class TenancyApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    // A second tenant entirely, with its own company and owner.
    auto st = db::RunSync<Status>([](boost::asio::any_io_executor ex) -> db::Task<Status> {
      auto conn = co_await db::Connection::Connect(ex, db_->OwnerUrl(), std::chrono::seconds(5));
      if (!conn) co_return std::unexpected(conn.error());
      VERTICE_CO_TRY(co_await admin::CreateTenant(**conn, "otra", "Otra Organización"));
      VERTICE_CO_TRY(
          co_await admin::CreateCompany(**conn, "otra", "initech", "Initech México SA de CV", "IME010101AA1"));
      auto user = co_await admin::CreateUser(**conn, "otra", "owner@initech.mx", "Dueña", admin::kDemoPassword,
                                             std::string("initech"), std::string("owner"));
      if (!user) co_return std::unexpected(user.error());
      co_return Status{};
    });
    ASSERT_TRUE(st) << st.error().internal;
  }
};

TEST_F(TenancyApiTest, AUserOfAcmeGets404ForGlobexEvenBySpoofingTheHeader) {
  auto acme = SignIn("admin@acme.mx");
  auto c = Client();
  auto globex_user = UserId("cfo@globex.mx");
  const auto globex_members = SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM memberships WHERE company_id = 'globex'");
  struct Call {
    std::string method, path, body;
  };
  std::vector<Call> calls = {
      {"GET", "/api/v1/members", ""},
      {"POST", "/api/v1/members", R"({"email":"spy@acme.mx","role":"owner"})"},
      {"PATCH", "/api/v1/members/" + globex_user, R"({"role":"viewer"})"},
      {"DELETE", "/api/v1/members/" + globex_user, ""},
      {"GET", "/api/v1/api-keys", ""},
      {"POST", "/api/v1/api-keys", R"({"name":"spy","role":"owner"})"},
  };
  for (const auto& company : {"globex", "initech", "no-existe"}) {
    for (const auto& call : calls) {
      auto r = c.Send(call.method, call.path, call.body, acme.Bearer(company));
      EXPECT_EQ(r.status, 404) << company << " " << call.method << " " << call.path << " " << r.body;
    }
  }
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM memberships WHERE company_id = 'globex'"), globex_members);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM users WHERE email = 'spy@acme.mx'"), "0");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM api_keys"), "0");
}

TEST_F(TenancyApiTest, AnotherCompanysIdsUnderMyOwnCompanyAre404) {
  auto acme = SignIn("admin@acme.mx");
  auto initech = SignIn("owner@initech.mx");
  auto c = Client();
  auto key =
      c.Send("POST", "/api/v1/api-keys", R"({"name":"initech pos","role":"cashier"})", initech.Bearer("initech"));
  ASSERT_EQ(key.status, 201);
  std::string key_id(json::parse(key.body).at("id").as_string());
  EXPECT_EQ(c.Send("DELETE", "/api/v1/api-keys/" + key_id, "", acme.Bearer("acme")).status, 404);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT revoked_at IS NULL FROM api_keys WHERE api_key_id = $1", {key_id}), "t");
  auto initech_owner = UserId("owner@initech.mx");
  EXPECT_EQ(c.Send("PATCH", "/api/v1/members/" + initech_owner, R"({"role":"viewer"})", acme.Bearer("acme")).status,
            404);
  EXPECT_EQ(c.Send("DELETE", "/api/v1/members/" + initech_owner, "", acme.Bearer("acme")).status, 404);
  auto list = c.Send("GET", "/api/v1/api-keys", "", acme.Bearer("acme"));
  EXPECT_EQ(list.body.find(key_id), std::string::npos);
}

TEST_F(TenancyApiTest, AddingAnEmailOfAnotherTenantRevealsNothingAndChangesNothing) {
  auto acme = SignIn("admin@acme.mx");
  auto c = Client();
  auto r = c.Send("POST", "/api/v1/members", R"({"email":"owner@initech.mx","role":"viewer"})", acme.Bearer("acme"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorCode(r), "member.email_taken");
  EXPECT_EQ(r.body.find("initech"), std::string::npos);
  EXPECT_EQ(
      SqlValue(db_->OwnerUrl(),
               "SELECT count(*) FROM memberships m JOIN users u USING (user_id) WHERE u.email = 'owner@initech.mx'"),
      "1");
}

TEST_F(TenancyApiTest, MeNeverListsAnotherTenantsCompanies) {
  auto globex = SignIn("cfo@globex.mx");
  auto c = Client();
  auto me = json::parse(c.Send("GET", "/api/v1/auth/me", "", globex.Bearer()).body);
  ASSERT_EQ(me.at("companies").as_array().size(), 1u);
  EXPECT_EQ(me.at("companies").at(0).at("company_id").as_string(), "globex");
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", globex.Bearer("acme")).status, 404);
}

}  // namespace vertice::testing

namespace vertice::testing {

// A holding adds a legal entity from the web: an owner creates another company of their own tenant
// and owns it at once; nobody else may, and the new company is in no other tenant's reach.
TEST_F(TenancyApiTest, AnOwnerCreatesAnotherCompanyOfTheTenantAndOwnsIt) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto created = c.Send("POST", "/api/v1/companies",
                        R"({"company_id":"acme-norte","legal_name":"Acme Norte SA de CV","rfc":"ANO010101AB1"})",
                        owner.Bearer("acme"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT tenant_id FROM companies WHERE company_id = 'acme-norte'"), "demo");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT m.role FROM memberships m JOIN users u USING (user_id) "
                     "WHERE m.company_id = 'acme-norte' AND u.email = 'admin@acme.mx'"),
            "owner");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM memberships WHERE company_id = 'acme-norte'"), "1");
  // It is in the creator's companies at once, and works like any other.
  auto me = ParseJson(c.Send("GET", "/api/v1/auth/me", "", owner.Bearer("acme")).body);
  bool listed = false;
  for (const auto& co : me.at("companies").as_array())
    listed = listed || co.at("company_id").as_string() == "acme-norte";
  EXPECT_TRUE(listed) << json::serialize(me);
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", owner.Bearer("acme-norte")).status, 200);

  // The same id again, bad input, a CFO, another tenant's owner: refused, nothing created.
  EXPECT_EQ(c.Send("POST", "/api/v1/companies", R"({"company_id":"acme-norte","legal_name":"X","rfc":"ANO010101AB1"})",
                   owner.Bearer("acme"))
                .status,
            409);
  EXPECT_EQ(c.Send("POST", "/api/v1/companies", R"({"company_id":"Acme Sur","legal_name":"","rfc":"nope"})",
                   owner.Bearer("acme"))
                .status,
            400);
  auto cfo = SignIn("cfo@globex.mx");
  EXPECT_EQ(c.Send("POST", "/api/v1/companies", R"({"company_id":"globex-2","legal_name":"G2","rfc":"GCO930215KX7"})",
                   cfo.Bearer("globex"))
                .status,
            403);
  auto initech = SignIn("owner@initech.mx");
  EXPECT_EQ(c.Send("POST", "/api/v1/companies", R"({"company_id":"initech-2","legal_name":"I2","rfc":"IME010101AA1"})",
                   initech.Bearer("acme"))
                .status,
            404);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM companies WHERE company_id IN ('globex-2', 'initech-2')"),
            "0");
}

}  // namespace vertice::testing
