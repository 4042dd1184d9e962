// Hardening from the security review (issue 16, part 5) through the running server: a trusted
// reverse proxy tells the client's address and scheme (Secure cookies) and nobody else can.
#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {

namespace json = boost::json;

namespace {

std::string Cookies(const HttpResponse& r) {
  std::string all;
  auto range = r.headers.equal_range("set-cookie");
  for (auto it = range.first; it != range.second; ++it) all += it->second + "\n";
  return all;
}

std::string LoginBody(const std::string& email, const std::string& password) {
  return json::serialize(json::object{{"email", email}, {"password", password}});
}

// A sign-in as seen through a proxy that forwards for `client_ip` (and says how it was reached).
HttpResponse LoginFrom(HttpClient& c, const std::string& client_ip, const std::string& email,
                       const std::string& password = admin::kDemoPassword, const std::string& proto = "") {
  std::map<std::string, std::string> h{{"X-Forwarded-For", client_ip}};
  if (!proto.empty()) h["X-Forwarded-Proto"] = proto;
  return c.Send("POST", "/api/v1/auth/login", LoginBody(email, password), h);
}

}  // namespace

// The test server's peer is always 127.0.0.1; here it is a trusted proxy.
class TrustedProxyTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (DatabaseAvailable()) StartStack({"VERTICE_TRUSTED_PROXIES=127.0.0.1"});
  }
};

TEST_F(TrustedProxyTest, LoginCookiesAreSecureWhenTheProxySaysHttps) {
  auto c = Client();
  auto https = LoginFrom(c, "203.0.113.10", "ceo@acme.mx", admin::kDemoPassword, "https");
  ASSERT_EQ(https.status, 200) << https.body;
  auto cookies = Cookies(https);
  EXPECT_NE(cookies.find("vertice_session="), std::string::npos);
  EXPECT_EQ(std::count(cookies.begin(), cookies.end(), '\n'), 2) << cookies;
  std::istringstream lines(cookies);
  for (std::string line; std::getline(lines, line);) EXPECT_NE(line.find("; Secure"), std::string::npos) << line;

  // RFC 7239 says the same.
  auto rfc = c.Send("POST", "/api/v1/auth/login", LoginBody("ceo@acme.mx", admin::kDemoPassword),
                    {{"Forwarded", "for=203.0.113.10;proto=https"}});
  ASSERT_EQ(rfc.status, 200) << rfc.body;
  EXPECT_NE(Cookies(rfc).find("; Secure"), std::string::npos);

  // Plain http through the proxy: no Secure (the browser would otherwise drop the cookie).
  auto plain = LoginFrom(c, "203.0.113.10", "ceo@acme.mx", admin::kDemoPassword, "http");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(Cookies(plain).find("Secure"), std::string::npos) << Cookies(plain);
}

TEST_F(TrustedProxyTest, TheSessionRecordsTheClientAddressTheProxyGives) {
  auto c = Client();
  auto r = LoginFrom(c, "203.0.113.77", "admin@acme.mx");
  ASSERT_EQ(r.status, 200) << r.body;
  auto token = std::string(json::parse(r.body).at("token").as_string());
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT client_ip FROM sessions WHERE token_hash = $1", {auth::HashToken(token)}),
            "203.0.113.77");
}

// A proxy list that does not include the test's peer: the forwarding headers are the client's
// own words and change nothing.
class UntrustedPeerTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (DatabaseAvailable()) StartStack({"VERTICE_TRUSTED_PROXIES=10.0.0.0/8"});
  }
};

TEST_F(UntrustedPeerTest, ForwardedSchemeFromAnUntrustedPeerIsIgnored) {
  auto c = Client();
  auto r = LoginFrom(c, "203.0.113.10", "ceo@acme.mx", admin::kDemoPassword, "https");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Cookies(r).find("Secure"), std::string::npos) << Cookies(r);
  auto token = std::string(json::parse(r.body).at("token").as_string());
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT client_ip FROM sessions WHERE token_hash = $1", {auth::HashToken(token)}),
            "127.0.0.1");
}

}  // namespace vertice::testing
