// Sign-in, sessions, lockout, rate limits, CSRF and API keys, through the running server.
#include <set>
#include <thread>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {

namespace json = boost::json;

class AuthApiTest : public ApiTest {};

TEST_F(AuthApiTest, LoginSetsCookiesAndMeListsCompaniesAndRoles) {
  auto r = Login("CEO@acme.mx");  // e-mail is case-insensitive
  ASSERT_EQ(r.status, 200) << r.body;
  auto cookies = r.headers.equal_range("set-cookie");
  std::string all;
  for (auto it = cookies.first; it != cookies.second; ++it) all += it->second + "\n";
  EXPECT_NE(all.find("vertice_session="), std::string::npos);
  EXPECT_NE(all.find("HttpOnly"), std::string::npos);
  EXPECT_NE(all.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(r.body.find("password"), std::string::npos);

  auto token = std::string(json::parse(r.body).at("token").as_string());
  auto c = Client();
  auto me = c.Send("GET", "/api/v1/auth/me", "", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(me.status, 200) << me.body;
  auto j = json::parse(me.body);
  EXPECT_EQ(j.at("user").at("email").as_string(), "ceo@acme.mx");
  ASSERT_EQ(j.at("companies").as_array().size(), 1u);
  EXPECT_EQ(j.at("companies").at(0).at("company_id").as_string(), "acme");
  EXPECT_EQ(j.at("companies").at(0).at("role").as_string(), "ceo");
  EXPECT_FALSE(me.Header("x-request-id").empty());
}

// /auth/me says what the caller may do in each company — the table the router enforces — so the
// web app shows exactly what the API allows (it used to hide the health page from a CEO).
TEST_F(AuthApiTest, MeListsTheCapabilitiesTheRouterEnforces) {
  auto capabilities = [&](const std::string& email) {
    auto s = SignIn(email);
    auto me = Client().Send("GET", "/api/v1/auth/me", "", s.Bearer());
    std::set<std::string> out;
    const auto body = json::parse(me.body);
    for (const auto& c : body.at("companies").at(0).at("capabilities").as_array())
      out.insert(std::string(c.as_string()));
    return std::pair{s, out};
  };
  auto [ceo, ceo_can] = capabilities("ceo@acme.mx");
  for (const char* c : {"dashboard.read", "freshness.read", "invoices.import", "members.read", "cpg.sell"})
    EXPECT_TRUE(ceo_can.contains(c)) << c;
  for (const char* c : {"invoices.cancel", "members.manage", "reconciliation.decide"})
    EXPECT_FALSE(ceo_can.contains(c)) << c;
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/api/v1/mv/health", "", ceo.Bearer("acme")).status, 200);
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", ceo.Bearer("acme")).status, 200);
  EXPECT_EQ(c.Send("POST", "/api/v1/invoices/FFFFFFFF-0000-4000-8000-00000000AAAA/cancel", R"({"reason":"x"})",
                   ceo.Bearer("acme"))
                .status,
            403);

  auto [cashier, cashier_can] = capabilities("cajero@acme.mx");
  EXPECT_TRUE(cashier_can.contains("cpg.sell"));
  EXPECT_FALSE(cashier_can.contains("dashboard.read"));
  EXPECT_EQ(c.Send("GET", "/api/v1/dashboard", "", cashier.Bearer("acme")).status, 403);
}

TEST_F(AuthApiTest, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  auto unknown = Login("nadie@acme.mx", "vertice-demo");
  auto wrong = Login("cfo@acme.mx", "not-the-password");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(ErrorCode(unknown), "auth.invalid_credentials");
  EXPECT_EQ(ErrorCode(wrong), "auth.invalid_credentials");
  EXPECT_EQ(json::parse(unknown.body).at("error").at("message"), json::parse(wrong.body).at("error").at("message"));
}

TEST_F(AuthApiTest, RepeatedFailuresLockTheAccountEvenForTheRightPassword) {
  // Five wrong passwords from this client lock it out of the account (other places: security_api_test).
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(ErrorCode(Login("cajero@acme.mx", "wrong-password")), "auth.invalid_credentials");
  auto right = Login("cajero@acme.mx");
  EXPECT_EQ(right.status, 401);
  EXPECT_EQ(ErrorCode(right), "auth.invalid_credentials");  // a lock is not told apart from a wrong password
  // Clearing the counters, as an operator's `vertice user passwd` does, unlocks it.
  Sql(db_->OwnerUrl(),
      "DELETE FROM login_failures WHERE user_id = (SELECT user_id FROM users WHERE email = 'cajero@acme.mx')");
  EXPECT_EQ(Login("cajero@acme.mx").status, 200);
}

TEST_F(AuthApiTest, LoginTakesOnlyJsonSoACrossSiteFormCannotSignAnyoneIn) {
  auto c = Client();
  const std::string body = R"({"email":"cfo@acme.mx","password":"vertice-demo"})";
  // What an HTML form can send cross-site without a CORS preflight; a text/plain form can carry
  // a body that parses as JSON.
  for (std::string type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    auto refused = c.Send("POST", "/api/v1/auth/login", body, {{"Content-Type", type}});
    EXPECT_EQ(refused.status, 415) << type << ": " << refused.body;
    EXPECT_EQ(ErrorCode(refused), "unsupported_media_type") << type;
    EXPECT_EQ(refused.Header("set-cookie"), "") << type;
  }
  // No Content-Type at all (the test client would add application/json).
  auto untyped = c.SendRaw("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(untyped.starts_with("HTTP/1.1 415")) << untyped;
  EXPECT_EQ(untyped.find("vertice_session="), std::string::npos) << untyped;

  auto ok = HttpClient("127.0.0.1", server_->Port())
                .Send("POST", "/api/v1/auth/login", body, {{"Content-Type", "Application/JSON; charset=UTF-8"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(AuthApiTest, LogoutRevokesTheSessionEverywhere) {
  auto s = SignIn("cfo@acme.mx");
  auto c = Client();
  ASSERT_EQ(c.Send("GET", "/api/v1/auth/me", "", s.Bearer()).status, 200);  // now cached
  ASSERT_EQ(c.Send("POST", "/api/v1/auth/logout", "", s.Bearer()).status, 204);
  auto after = c.Send("GET", "/api/v1/auth/me", "", s.Bearer());
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(ErrorCode(after), "auth.invalid_token");
}

TEST_F(AuthApiTest, ExpiredAndDatabaseRevokedSessionsStopWorkingDespiteTheCache) {
  auto s = SignIn("cfo@acme.mx");
  auto c = Client();
  ASSERT_EQ(c.Send("GET", "/api/v1/auth/me", "", s.Bearer()).status, 200);
  Sql(db_->OwnerUrl(), "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
      {auth::HashToken(s.token)});
  EXPECT_EQ(StatusAfterChange(c, "/api/v1/auth/me", s.Bearer()), 401);
}

TEST_F(AuthApiTest, GarbageAndMalformedCredentialsAre401) {
  auto c = Client();
  EXPECT_EQ(ErrorCode(c.Send("GET", "/api/v1/auth/me")), "auth.required");
  EXPECT_EQ(ErrorCode(c.Send("GET", "/api/v1/auth/me", "", {{"Authorization", "Bearer garbage"}})),
            "auth.invalid_token");
  EXPECT_EQ(ErrorCode(c.Send("GET", "/api/v1/auth/me", "", {{"Authorization", "Basic Zm9vOmJhcg=="}})),
            "auth.invalid_authorization");
  auto forged = "vs_" + std::string(43, 'A');
  EXPECT_EQ(c.Send("GET", "/api/v1/auth/me", "", {{"Authorization", "Bearer " + forged}}).status, 401);
}

TEST_F(AuthApiTest, CookieSessionsNeedTheCsrfTokenToChangeAnything) {
  auto s = SignIn("admin@acme.mx");
  auto c = Client();
  std::map<std::string, std::string> cookie{{"Cookie", "vertice_session=" + s.token}, {"X-Company-Id", "acme"}};
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", cookie).status, 200);  // reads are fine
  auto body = R"({"name":"caja 1","role":"cashier"})";
  auto refused = c.Send("POST", "/api/v1/api-keys", body, cookie);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCode(refused), "auth.csrf_failed");
  cookie["X-CSRF-Token"] = "wrong";
  EXPECT_EQ(c.Send("POST", "/api/v1/api-keys", body, cookie).status, 403);
  cookie["X-CSRF-Token"] = s.csrf;
  EXPECT_EQ(c.Send("POST", "/api/v1/api-keys", body, cookie).status, 201);
}

TEST_F(AuthApiTest, ApiKeysActOnlyInTheirCompanyWithTheirRoleUntilRevoked) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto created =
      c.Send("POST", "/api/v1/api-keys", R"({"name":"POS sucursal centro","role":"cashier"})", owner.Bearer("acme"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto j = json::parse(created.body);
  std::string key(j.at("key").as_string());
  std::string id(j.at("id").as_string());
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM api_keys WHERE key_hash = $1", {auth::HashToken(key)}),
            "1");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM api_keys WHERE key_hash = $1", {key}), "0");

  std::map<std::string, std::string> h{{"Authorization", "Bearer " + key}};
  auto me = c.Send("GET", "/api/v1/auth/me", "", h);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body).at("companies").at(0).at("role").as_string(), "cashier");
  // A cashier key cannot manage members; a key cannot reach another company.
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", h).status, 403);
  h["X-Company-Id"] = "globex";
  EXPECT_EQ(c.Send("GET", "/api/v1/auth/me", "", h).status, 200);  // /me needs no company
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", h).status, 404);
  h.erase("X-Company-Id");

  ASSERT_EQ(c.Send("DELETE", "/api/v1/api-keys/" + id, "", owner.Bearer("acme")).status, 204);
  EXPECT_EQ(StatusAfterChange(c, "/api/v1/auth/me", h), 401);
  EXPECT_EQ(
      SqlValue(
          db_->OwnerUrl(),
          "SELECT count(*) FROM audit_log WHERE action IN ('api_key.created', 'api_key.revoked') AND entity_id = $1",
          {id}),
      "2");
}

TEST_F(AuthApiTest, OwnersManageMembersAndEveryChangeIsAudited) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto added = c.Send("POST", "/api/v1/members",
                      R"({"email":"Contadora@Acme.mx","full_name":"Laura Contadora","role":"accountant"})",
                      owner.Bearer("acme"));
  ASSERT_EQ(added.status, 201) << added.body;
  auto j = json::parse(added.body);
  std::string user_id(j.at("user_id").as_string());
  std::string temporary(j.at("temporary_password").as_string());
  EXPECT_EQ(j.at("email").as_string(), "contadora@acme.mx");
  EXPECT_EQ(Login("contadora@acme.mx", temporary).status, 200);

  auto again =
      c.Send("POST", "/api/v1/members", R"({"email":"contadora@acme.mx","role":"viewer"})", owner.Bearer("acme"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorCode(again), "member.already_member");

  auto changed = c.Send("PATCH", "/api/v1/members/" + user_id, R"({"role":"cfo"})", owner.Bearer("acme"));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body).at("role").as_string(), "cfo");

  auto list = c.Send("GET", "/api/v1/members?limit=2", "", owner.Bearer("acme"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body).at("items").as_array().size(), 2u);
  EXPECT_FALSE(json::parse(list.body).at("next_after").is_null());

  ASSERT_EQ(c.Send("DELETE", "/api/v1/members/" + user_id, "", owner.Bearer("acme")).status, 204);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT string_agg(action, ',' ORDER BY audit_id) FROM audit_log WHERE entity_id = $1 AND "
                     "actor_type = 'user'",
                     {user_id}),
            "member.added,member.role_changed,member.removed");
}

TEST_F(AuthApiTest, TheLastOwnerCannotBeRemovedOrDemoted) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto id = UserId("admin@acme.mx");
  auto demote = c.Send("PATCH", "/api/v1/members/" + id, R"({"role":"viewer"})", owner.Bearer("acme"));
  EXPECT_EQ(demote.status, 422);
  EXPECT_EQ(ErrorCode(demote), "member.last_owner");
  EXPECT_EQ(c.Send("DELETE", "/api/v1/members/" + id, "", owner.Bearer("acme")).status, 422);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT role FROM memberships WHERE user_id = $1 AND company_id = 'acme'", {id}),
            "owner");
}

TEST_F(AuthApiTest, RolesAreCheckedPerEndpoint) {
  auto cfo = SignIn("cfo@acme.mx");
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", cfo.Bearer("acme")).status, 200);
  auto refused = c.Send("POST", "/api/v1/api-keys", R"({"name":"x","role":"owner"})", cfo.Bearer("acme"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCode(refused), "forbidden");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM api_keys WHERE name = 'x'"), "0");
}

// Its own server: the per-IP limit would otherwise throttle the other tests.
class LoginRateLimitTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {}
};

TEST_F(LoginRateLimitTest, ManyLoginsFromOneAddressAreThrottled) {
  StartStack();
  int throttled = 0;
  std::string retry_after;
  int64_t wait = -1;
  // 30 at once, then 30 a minute: enough attempts to run out even when each login is slow.
  for (int i = 0; i < 150 && throttled == 0; ++i) {
    auto r = Login("nobody" + std::to_string(i) + "@acme.mx", "whatever-password");
    if (r.status == 429) {
      ++throttled;
      EXPECT_EQ(ErrorCode(r), "auth.rate_limited");
      retry_after = r.Header("retry-after");
      // The header is the limiter's own wait, the one the body states, not a fixed figure.
      wait = ParseJson(r.body).at("error").at("details").at("retry_after_seconds").as_int64();
    }
  }
  EXPECT_EQ(throttled, 1);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_EQ(retry_after, std::to_string(wait));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 2);  // a token comes back every 2 s at 30 a minute (the fixed 60 it replaces)
  StopStack();
}

}  // namespace vertice::testing
