// Hardening from the security review (issue 16, part 5) through the running server: a trusted
// reverse proxy tells the client's address and scheme (Secure cookies, per-client lockout) and
// nobody else can; wrong passwords lock only the place they come from, and a locked sign-in
// looks exactly like a wrong password; the server will not run as a role that turns RLS off.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
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

json::value ErrorOf(const HttpResponse& r) {
  try {
    return json::parse(r.body).at("error");
  } catch (...) {
    return json::value(r.body);
  }
}

double Seconds(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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

TEST_F(TrustedProxyTest, WrongPasswordsFromOnePlaceDoNotLockTheUserOutElsewhere) {
  auto c = Client();
  const std::string attacker = "203.0.113.66", user = "198.51.100.20";
  for (int i = 0; i < 7; ++i) {
    auto r = LoginFrom(c, attacker, "cfo@acme.mx", "adivinanza-" + std::to_string(i));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(ErrorCode(r), "auth.invalid_credentials");
  }
  // The attacker's address is locked out of this account, even with the right password...
  auto locked = LoginFrom(c, attacker, "cfo@acme.mx");
  EXPECT_EQ(locked.status, 401);
  EXPECT_EQ(locked.Header("set-cookie"), "");
  // ...while the user, from their usual place, signs in.
  auto own = LoginFrom(c, user, "cfo@acme.mx");
  EXPECT_EQ(own.status, 200) << own.body;
}

TEST_F(TrustedProxyTest, ALockedSignInLooksExactlyLikeAWrongPassword) {
  auto c = Client();
  const std::string attacker = "203.0.113.88";
  for (int i = 0; i < 5; ++i) ASSERT_EQ(LoginFrom(c, attacker, "ceo@acme.mx", "adivinanza").status, 401);
  ASSERT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT count(*) FROM login_failures f JOIN users u USING (user_id) "
                     "WHERE u.email = 'ceo@acme.mx' AND f.client_key = $1 AND f.locked_until > now()",
                     {attacker}),
            "1");

  auto locked = LoginFrom(c, attacker, "ceo@acme.mx");  // the right password, locked
  auto wrong = LoginFrom(c, "198.51.100.30", "ceo@acme.mx", "otra-cosa");
  auto unknown = LoginFrom(c, "198.51.100.31", "nadie@acme.mx", "otra-cosa");
  EXPECT_EQ(locked.status, wrong.status);
  EXPECT_EQ(ErrorOf(locked), ErrorOf(wrong));  // code, message and details
  EXPECT_EQ(ErrorOf(locked), ErrorOf(unknown));
  EXPECT_EQ(ErrorCode(locked), "auth.invalid_credentials");

  // And it takes as long: the password hash is checked either way (best of three each, so a
  // busy machine slows both sides alike).
  double locked_s = 1e9, wrong_s = 1e9;
  for (int i = 0; i < 3; ++i) {
    locked_s = std::min(locked_s, Seconds([&] { LoginFrom(c, attacker, "ceo@acme.mx"); }));
    wrong_s = std::min(wrong_s,
                       Seconds([&] { LoginFrom(c, "198.51.100." + std::to_string(40 + i), "ceo@acme.mx", "otra"); }));
  }
  EXPECT_GT(locked_s, 0.3 * wrong_s) << "locked " << locked_s << " s, wrong password " << wrong_s << " s";
}

TEST_F(TrustedProxyTest, ManyFailuresFromManyPlacesLockTheAccountForEveryone) {
  auto c = Client();
  for (int i = 0; i < 50; ++i) {
    auto r = LoginFrom(c, "192.0.2." + std::to_string(i + 1), "cfo@globex.mx", "adivinanza");
    ASSERT_EQ(r.status, 401) << i << ": " << r.body;
  }
  auto fresh = LoginFrom(c, "198.51.100.99", "cfo@globex.mx");
  EXPECT_EQ(fresh.status, 401);
  EXPECT_EQ(ErrorCode(fresh), "auth.invalid_credentials");
  // Clearing the counters (as `vertice user passwd` does) lifts the lock.
  Sql(db_->OwnerUrl(),
      "DELETE FROM login_failures WHERE user_id = (SELECT user_id FROM users WHERE email = 'cfo@globex.mx')");
  EXPECT_EQ(LoginFrom(c, "198.51.100.99", "cfo@globex.mx").status, 200);
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

TEST_F(UntrustedPeerTest, AForgedClientAddressDoesNotDodgeTheLockout) {
  auto c = Client();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(LoginFrom(c, "203.0.113." + std::to_string(i + 1), "cajero@acme.mx", "adivinanza").status, 401);
  // Every attempt came from 127.0.0.1, whatever the header claimed: that address is locked out.
  EXPECT_EQ(LoginFrom(c, "198.51.100.7", "cajero@acme.mx").status, 401);
}

// `vertice serve` as a role for which row-level security does not apply must not start.
TEST(ServeRoleTest, RefusesToStartAsTheTablesOwner) {
  VERTICE_REQUIRE_DATABASE();
  auto db = TestDatabase::Create();
  const char* bin = std::getenv("VERTICE_BIN");
  ASSERT_NE(bin, nullptr);
  std::string log = "/tmp/vertice-test-owner-serve-" + std::to_string(getpid()) + ".log";
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    if (!s.starts_with("DATABASE_URL=") && !s.starts_with("VERTICE_LISTEN=")) env.push_back(s);
  }
  env.push_back("DATABASE_URL=" + db->OwnerUrl());
  env.push_back("VERTICE_LISTEN=127.0.0.1:" + std::to_string(FreePort()));
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = bin, arg1 = "serve";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, bin, &actions, nullptr, argv, envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);

  int status = 0;
  bool exited = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
       std::chrono::steady_clock::now() < deadline;) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  std::remove(log.c_str());
  ASSERT_TRUE(exited) << "the server kept running as the owner; its log:\n" << text.str();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << text.str();
  EXPECT_NE(text.str().find("refusing to start: database role vertice_owner owns"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("row-level security would be off"), std::string::npos) << text.str();
}

}  // namespace vertice::testing
