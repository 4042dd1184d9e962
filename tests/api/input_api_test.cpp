// Bad input of every kind gets a specific error code and changes nothing.
#include <fstream>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {

class InputApiTest : public ApiTest {
 protected:
  std::string MemberCount() { return SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM memberships"); }
};

TEST_F(InputApiTest, MalformedBodiesGetSpecificCodesAndChangeNothing) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto before = MemberCount();
  struct Case {
    std::string body, code;
  };
  std::vector<Case> cases = {
      {R"({"email":"x@acme.mx","role":)", "invalid_json"},
      {R"(["x@acme.mx"])", "invalid_json"},
      {R"({"email":42,"role":"viewer"})", "invalid_field_type"},
      {R"({"email":"x@acme.mx"})", "missing_field"},
      {R"({"email":"x@acme.mx","role":"viewer","is_admin":true})", "unknown_field"},
      {R"({"email":"x@acme.mx","role":"emperor"})", "invalid_field"},
      {R"({"email":"not-an-email","role":"viewer"})", "invalid_field"},
      {"{\"email\":\"x@acme.mx\",\"full_name\":\"\xC3\x28\",\"role\":\"viewer\"}", "invalid_utf8"},
  };
  for (const auto& k : cases) {
    auto r = c.Send("POST", "/api/v1/members", k.body, owner.Bearer("acme"));
    EXPECT_EQ(r.status, 400) << k.body;
    EXPECT_EQ(ErrorCode(r), k.code) << k.body;
  }
  EXPECT_EQ(MemberCount(), before);
}

TEST_F(InputApiTest, ViolationsAreListedPerField) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto r = c.Send("POST", "/api/v1/members", R"({"email":1,"extra":2})", owner.Bearer("acme"));
  ASSERT_EQ(r.status, 400);
  auto fields = boost::json::parse(r.body).at("error").at("details").at("fields").as_array();
  EXPECT_EQ(fields.size(), 3u);  // email wrong type, role missing, extra unknown
}

TEST_F(InputApiTest, OversizedBodiesAre413) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  std::string huge =
      R"({"email":"x@acme.mx","role":"viewer","full_name":")" + std::string(11 * 1024 * 1024, 'a') + "\"}";
  auto r = c.Send("POST", "/api/v1/members", huge, owner.Bearer("acme"));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorCode(r), "payload_too_large");
}

TEST_F(InputApiTest, CompanyHeaderProblems) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto malformed = c.Send("GET", "/api/v1/members", "", owner.Bearer("ACME'--"));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(ErrorCode(malformed), "invalid_company_id");
  auto unknown = c.Send("GET", "/api/v1/members", "", owner.Bearer("no-existe"));
  EXPECT_EQ(unknown.status, 404);
  // With a single membership the header may be omitted.
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", owner.Bearer()).status, 200);
}

TEST_F(InputApiTest, UnknownRoutesMethodsAndIds) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  EXPECT_EQ(ErrorCode(c.Send("GET", "/api/v1/nothing-here")), "route_not_found");
  EXPECT_EQ(c.Send("PUT", "/api/v1/members", "{}", owner.Bearer("acme")).status, 405);
  EXPECT_EQ(c.Send("PATCH", "/api/v1/members/not-a-uuid", R"({"role":"viewer"})", owner.Bearer("acme")).status, 404);
  EXPECT_EQ(c.Send("GET", "/api/v1/members?limit=9999", "", owner.Bearer("acme")).status, 400);
}

TEST_F(InputApiTest, RequestIdsAreEchoedWhenWellFormedAndGeneratedOtherwise) {
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/healthz", "", {{"X-Request-Id", "abc-123"}}).Header("x-request-id"), "abc-123");
  auto generated = c.Send("GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}}).Header("x-request-id");
  EXPECT_NE(generated, "bad id with spaces");
  EXPECT_EQ(generated.size(), 24u);
}

TEST_F(InputApiTest, MalformedHttpGets400AndTheServerStaysUp) {
  auto c = Client();
  auto raw = c.SendRaw("GARBAGE\r\n\r\n");
  EXPECT_NE(raw.find(" 400 "), std::string::npos) << raw;
  EXPECT_EQ(c.Send("GET", "/healthz").status, 200);
}

TEST_F(InputApiTest, HealthReadinessAndMetrics) {
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/healthz").status, 200);
  EXPECT_EQ(c.Send("GET", "/readyz").status, 200);
  auto m = c.Send("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("vertice_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(m.body.find("vertice_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("vertice_db_pool_connections"), std::string::npos);
  EXPECT_NE(m.body.find("vertice_build_info"), std::string::npos);
}

TEST_F(InputApiTest, SecretsNeverReachTheLog) {
  auto s = SignIn("admin@acme.mx");
  auto c = Client();
  c.Send("GET", "/api/v1/auth/me", "", s.Bearer());
  std::ifstream log(server_->LogPath());
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("route=/api/v1/auth/me"), std::string::npos);
  EXPECT_EQ(text.find(s.token), std::string::npos);
  EXPECT_EQ(text.find("vertice-demo"), std::string::npos);
}

}  // namespace vertice::testing
