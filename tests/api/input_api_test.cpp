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

std::string ErrorField(const HttpResponse& r) {
  try {
    return std::string(boost::json::parse(r.body).at("error").at("details").at("field").as_string());
  } catch (...) {
    return "<no details.field in: " + r.body + ">";
  }
}

TEST_F(InputApiTest, InvalidUtf8AndNulAnywhereAre400NamingTheFieldAndChangeNothing) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto before = MemberCount();
  struct Case {
    std::string method, target, body;
    std::map<std::string, std::string> headers;
    std::string field;
  };
  auto with = [&](std::map<std::string, std::string> extra) {
    auto h = owner.Bearer("acme");
    for (auto& [k, v] : extra) h[k] = v;
    return h;
  };
  std::vector<Case> cases = {
      {"GET", "/api/v1/members?limit=%FF", "", owner.Bearer("acme"), "query.limit"},
      {"GET", "/api/v1/members?after=%C0%AF", "", owner.Bearer("acme"), "query.after"},
      {"GET", "/api/v1/members?after=a%00b", "", owner.Bearer("acme"), "query.after"},
      {"GET", "/api/v1/bank/movements?q=%ED%A0%80", "", owner.Bearer("acme"), "query.q"},
      {"PATCH", "/api/v1/members/%FF", R"({"role":"viewer"})", owner.Bearer("acme"), "path"},
      {"GET", "/api/v1/invoices/%00", "", owner.Bearer("acme"), "path"},
      {"GET", "/api/v1/members", "", with({{"X-Company-Id", "acme\xff"}}), "header.x-company-id"},
      {"GET", "/api/v1/members", "", with({{"X-Request-Id", "\xC0\xAF"}}), "header.x-request-id"},
      {"GET", "/api/v1/members", "", with({{"Authorization", "Bearer \xff\xfe"}}), "header.authorization"},
      {"POST", "/api/v1/members", R"({"email":"x@acme.mx","role":"viewer","full_name":"a\u0000b"})",
       owner.Bearer("acme"), "full_name"},
      {"POST", "/api/v1/members", R"({"email":"x@acme.mx","role":"viewer","full_name":"\ud800"})", owner.Bearer("acme"),
       "body"},
  };
  for (const auto& k : cases) {
    auto r = c.Send(k.method, k.target, k.body, k.headers);
    EXPECT_EQ(r.status, 400) << k.target << " " << r.body;
    EXPECT_EQ(ErrorCode(r), "invalid_utf8") << k.target;
    EXPECT_EQ(ErrorField(r), k.field) << k.target;
  }
  EXPECT_EQ(MemberCount(), before);
  EXPECT_EQ(c.Send("GET", "/readyz").status, 200);
}

TEST_F(InputApiTest, MultipartFieldsAndFileNamesMustBeText) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto headers = owner.Bearer("acme");
  headers["Content-Type"] = "multipart/form-data; boundary=XyZ";
  auto part = [](const std::string& disposition, const std::string& data) {
    return "--XyZ\r\nContent-Disposition: form-data; " + disposition + "\r\n\r\n" + data + "\r\n";
  };
  auto files_before = SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM bank_statement_files");
  auto bad_name = c.Send("POST", "/api/v1/bank/statements",
                         part("name=\"file\"; filename=\"estado\xff.csv\"", "a,b\r\n") + "--XyZ--\r\n", headers);
  EXPECT_EQ(bad_name.status, 400) << bad_name.body;
  EXPECT_EQ(ErrorCode(bad_name), "invalid_utf8");
  EXPECT_EQ(ErrorField(bad_name), "multipart.file.filename");
  auto bad_field = c.Send(
      "POST", "/api/v1/invoices",
      part("name=\"note\"", "x\xC0\xAF") + part("name=\"file\"; filename=\"a.xml\"", "<a/>") + "--XyZ--\r\n", headers);
  EXPECT_EQ(bad_field.status, 400) << bad_field.body;
  EXPECT_EQ(ErrorField(bad_field), "multipart.note");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM bank_statement_files"), files_before);
}

TEST_F(InputApiTest, VerticalAmountsBeyondTheirColumnsAreRefusedNamingTheField) {
  auto owner = SignIn("admin@acme.mx");
  auto c = Client();
  auto enabled = c.Send("PUT", "/api/v1/verticals/services", R"({"enabled": true})", owner.Bearer("acme"));
  ASSERT_EQ(enabled.status / 100, 2) << enabled.body;
  auto r = c.Send("POST", "/api/v1/verticals/services/contracts", R"({"monthly_fee":"10000000000000000.00"})",
                  owner.Bearer("acme"));
  ASSERT_EQ(r.status, 400) << r.body;
  bool named = false;
  auto answer = boost::json::parse(r.body);
  for (const auto& f : answer.at("error").at("details").at("fields").as_array())
    named = named || (f.at("field").as_string() == "monthly_fee" && f.at("code").as_string() == "invalid_field");
  EXPECT_TRUE(named) << r.body;
}

TEST_F(InputApiTest, ALatin1UserAgentCanSignInAndIsStoredAsUtf8) {
  auto c = Client();
  auto r = c.Send(
      "POST", "/api/v1/auth/login",
      boost::json::serialize(boost::json::object{{"email", "admin@acme.mx"}, {"password", admin::kDemoPassword}}),
      {{"User-Agent", "Navegador Espa\xF1ol/1.0"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT user_agent FROM sessions ORDER BY created_at DESC LIMIT 1"),
            "Navegador Espa\xC3\xB1ol/1.0");
}

TEST_F(InputApiTest, TargetsThatAreNotPathsAre400OnTheSiteAndTheApi) {
  auto c = Client();
  for (std::string target : {"*", "x", "http://h/x", "http://h/api/v1/auth/me", "api/v1/auth/me"}) {
    for (std::string method : {"GET", "OPTIONS", "POST"}) {
      auto raw = c.SendRaw(method + " " + target + " HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
      EXPECT_NE(raw.find(" 400 "), std::string::npos) << method << " " << target << ": " << raw;
      EXPECT_NE(raw.find("invalid_target"), std::string::npos) << method << " " << target << ": " << raw;
    }
  }
  EXPECT_EQ(c.Send("GET", "/readyz").status, 200);
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
  // The server logs asynchronously: wait (at most 2 s) for the request's line.
  std::string text;
  for (int i = 0; i < 100 && text.find("route=/api/v1/auth/me") == std::string::npos; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream log(server_->LogPath());
    text.assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(text.find("route=/api/v1/auth/me"), std::string::npos);
  EXPECT_EQ(text.find(s.token), std::string::npos);
  EXPECT_EQ(text.find("vertice-demo"), std::string::npos);
}

}  // namespace vertice::testing
