// A migrated database with the demo tenant, the built server running against it as the
// non-owner role, and helpers to sign in and call the API.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "admin/admin.hpp"
#include "auth/crypto.hpp"
#include "db/run_sync.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"

namespace vertice::testing {

inline boost::json::value ParseJson(const std::string& s) { return boost::json::parse(s); }

inline std::string ErrorCode(const HttpResponse& r) {
  try {
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
  } catch (...) {
    return "<no error code in: " + r.body + ">";
  }
}

struct Session {
  std::string token;
  std::string csrf;
  std::map<std::string, std::string> Bearer(const std::string& company = "") const {
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + token}};
    if (!company.empty()) h["X-Company-Id"] = company;
    return h;
  }
};

class ApiTest : public ::testing::Test {
 protected:
  static void StartStack(const std::vector<std::string>& env = {}) {
    auth::InitCrypto();
    db_ = TestDatabase::Create().release();
    auto st = db::RunSync<Status>([](boost::asio::any_io_executor ex) -> db::Task<Status> {
      auto conn = co_await db::Connection::Connect(ex, db_->OwnerUrl(), std::chrono::seconds(5));
      if (!conn) co_return std::unexpected(conn.error());
      co_return co_await admin::LoadDemo(**conn, true);
    });
    if (!st) throw std::runtime_error(st.error().internal);
    server_ = new ServerProcess(db_->AppUrl(), env);
  }
  static void StopStack() {
    delete server_;
    server_ = nullptr;
    delete db_;
    db_ = nullptr;
  }
  static void SetUpTestSuite() {
    if (DatabaseAvailable()) StartStack();
  }
  static void TearDownTestSuite() { StopStack(); }
  void SetUp() override { VERTICE_REQUIRE_DATABASE(); }

  static HttpClient Client() { return HttpClient("127.0.0.1", server_->Port()); }

  static HttpResponse Login(const std::string& email, const std::string& password = admin::kDemoPassword) {
    auto c = Client();
    return c.Send("POST", "/api/v1/auth/login",
                  boost::json::serialize(boost::json::object{{"email", email}, {"password", password}}));
  }

  static Session SignIn(const std::string& email) {
    auto r = Login(email);
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = boost::json::parse(r.body).as_object();
    return {std::string(j.at("token").as_string()), std::string(j.at("csrf_token").as_string())};
  }

  // Polls until a request stops answering `while_status` (changes reach the server's auth cache
  // by NOTIFY, a few milliseconds after the commit); returns the last status.
  static int StatusAfterChange(HttpClient& c, const std::string& path,
                               const std::map<std::string, std::string>& headers, int while_status = 200) {
    int status = while_status;
    for (int i = 0; i < 100 && status == while_status; ++i) {
      status = c.Send("GET", path, "", headers).status;
      if (status == while_status) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status;
  }

  static std::string UserId(const std::string& email) {
    return SqlValue(db_->OwnerUrl(), "SELECT user_id FROM users WHERE email = $1", {email});
  }

  static inline TestDatabase* db_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

}  // namespace vertice::testing
