// Freshness over HTTP against the built server: a POS sale committed through the API is in the
// CEO dashboard at once and its notice reaches that company's open event streams only; the
// on-demand refresh (roles, force, reuse), health, metrics and the Prometheus series.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <boost/json.hpp>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;

// A Server-Sent Events subscription read from a raw socket.
class EventStream {
 public:
  EventStream(unsigned short port, const Session& s, const std::string& company) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string req =
        "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
        "Authorization: Bearer " +
        s.token + "\r\nX-Company-Id: " + company + "\r\n\r\n";
    EXPECT_EQ(send(fd_, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  }
  ~EventStream() { close(fd_); }
  // Reads until `needle` has arrived (true) or `timeout` passed (false).
  bool WaitFor(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (text_.find(needle, consumed_) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      auto n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return false;
      text_.append(buf, static_cast<size_t>(n));
    }
    consumed_ = text_.find(needle, consumed_) + needle.size();
    return true;
  }
  const std::string& Text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
  size_t consumed_ = 0;
};

class FreshnessApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    Sql(db_->OwnerUrl(),
        "INSERT INTO company_verticals (tenant_id, company_id, vertical) VALUES ('demo', 'acme', 'cpg')");
    Sql(db_->OwnerUrl(),
        "INSERT INTO cpg_products (tenant_id, company_id, sku, name, unit_price, iva_rate) VALUES "
        "('demo', 'acme', 'CAFE', 'Café', 100, 0.16)");
    Sql(db_->OwnerUrl(),
        "INSERT INTO cpg_pos (tenant_id, company_id, code, name, retailer_rfc) VALUES "
        "('demo', 'acme', 'CENTRO', 'Centro', 'ADI920101AB3')");
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
  static std::string At(const json::value& v, std::initializer_list<const char*> path) {
    const json::value* cur = &v;
    for (const char* k : path) cur = &cur->at(k);
    return cur->is_string() ? std::string(cur->as_string()) : json::serialize(*cur);
  }
  static std::string PosId() { return SqlValue(db_->OwnerUrl(), "SELECT pos_id FROM cpg_pos WHERE code = 'CENTRO'"); }
};

TEST_F(FreshnessApiTest, ASaleCommittedThroughTheApiIsInTheDashboardAtOnceAndNotifiesOnlyItsCompany) {
  auto ceo = SignIn("ceo@acme.mx");
  auto cashier = SignIn("cajero@acme.mx");
  auto globex = SignIn("cfo@globex.mx");
  auto before = Call(ceo, "acme", "GET", "/api/v1/dashboard");
  ASSERT_EQ(before.status, 200) << json::serialize(before.body);
  for (const char* panel : {"revenue", "by_type", "by_vertical", "monthly", "receivables", "latest"}) {
    EXPECT_FALSE(At(before.body, {panel, "as_of"}).empty()) << panel;
    EXPECT_EQ(At(before.body, {panel, "freshness_seconds"}), "0") << panel;
  }
  EXPECT_EQ(At(before.body, {"currency"}), "MXN");
  EXPECT_EQ(before.body.at("monthly").at("items").as_array().size(), 12u);
  EventStream acme_events(server_->Port(), ceo, "acme");
  EventStream globex_events(server_->Port(), globex, "globex");
  ASSERT_TRUE(acme_events.WaitFor("event: ready", std::chrono::seconds(5))) << acme_events.Text();
  ASSERT_TRUE(globex_events.WaitFor("event: ready", std::chrono::seconds(5))) << globex_events.Text();

  // 3 × 100.00 + 16 % IVA = 348.00, sold now (today in Mexico City).
  auto committed = std::chrono::steady_clock::now();
  auto sale = Call(cashier, "acme", "POST", "/api/v1/verticals/cpg/pos/" + PosId() + "/sales",
                   R"({"ticket":"F-1","payment_method":"card","lines":[{"sku":"CAFE","quantity":"3"}]})");
  ASSERT_EQ(sale.status, 201) << json::serialize(sale.body);
  EXPECT_TRUE(acme_events.WaitFor("event: change", std::chrono::seconds(1))) << acme_events.Text();
  auto notice_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - committed).count();
  EXPECT_LT(notice_ms, 1000);
  auto after = Call(ceo, "acme", "GET", "/api/v1/dashboard");
  ASSERT_EQ(after.status, 200);
  auto plus = [](const std::string& a, const std::string& b) {
    return fmt::format("{:.2f}", std::stod(a) + std::stod(b));  // test arithmetic on small exact values
  };
  EXPECT_EQ(At(after.body, {"revenue", "today"}), plus(At(before.body, {"revenue", "today"}), "348.00"));
  EXPECT_EQ(At(after.body, {"revenue", "month"}), plus(At(before.body, {"revenue", "month"}), "348.00"));
  EXPECT_EQ(At(after.body, {"revenue", "year"}), plus(At(before.body, {"revenue", "year"}), "348.00"));
  const auto& latest = after.body.at("latest").at("items").as_array();
  ASSERT_FALSE(latest.empty());
  EXPECT_EQ(At(latest[0], {"source_table"}), "cpg_sales");
  EXPECT_EQ(At(latest[0], {"monto_total"}), "348.00");
  // Another company's open dashboard hears nothing and its numbers do not move.
  EXPECT_FALSE(globex_events.WaitFor("event: change", std::chrono::milliseconds(1500))) << globex_events.Text();
  EXPECT_EQ(At(Call(globex, "globex", "GET", "/api/v1/dashboard").body, {"revenue", "year"}), "0.00");
  // The stream is for members of the company only.
  EXPECT_EQ(Call(globex, "acme", "GET", "/api/v1/events").status, 404);
}

TEST_F(FreshnessApiTest, OnDemandRefreshAnswersWhenDoneForTheRightRolesAndReusesAYoungOne) {
  auto cfo = SignIn("cfo@acme.mx");
  auto cashier = SignIn("cajero@acme.mx");
  auto forced = Call(cfo, "acme", "POST", "/api/v1/mv/refresh?force=true");
  ASSERT_EQ(forced.status, 200) << json::serialize(forced.body);
  EXPECT_EQ(At(forced.body, {"status"}), "succeeded");
  EXPECT_EQ(At(forced.body, {"level"}), "on_demand");
  EXPECT_EQ(At(forced.body, {"reused"}), "false");
  EXPECT_FALSE(At(forced.body, {"finished_at"}).empty());
  EXPECT_GE(forced.body.at("rows_checked").as_int64(), 0);
  auto lazy = Call(cfo, "acme", "POST", "/api/v1/mv/refresh");
  ASSERT_EQ(lazy.status, 200);
  EXPECT_EQ(At(lazy.body, {"reused"}), "true");
  EXPECT_EQ(At(lazy.body, {"refresh_id"}), At(forced.body, {"refresh_id"}));
  EXPECT_EQ(Call(cfo, "acme", "POST", "/api/v1/mv/refresh?force=yes").code, "invalid_field");
  EXPECT_EQ(Call(cashier, "acme", "POST", "/api/v1/mv/refresh?force=true").status, 403);
  EXPECT_EQ(Call(cashier, "acme", "GET", "/api/v1/mv/health").status, 403);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT requested_by FROM mv_refresh_log WHERE refresh_id = $1",
                     {At(forced.body, {"refresh_id"})}),
            "cfo@acme.mx");

  // The server's scheduler took the leadership at start and ran the overdue full refresh.
  Reply health{};
  for (int i = 0; i < 50; ++i) {
    health = Call(cfo, "acme", "GET", "/api/v1/mv/health");
    if (health.status != 200 || At(health.body, {"last_full_success_at"}) != "null") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(At(health.body, {"status"}), "fresh") << json::serialize(health.body);
  EXPECT_EQ(At(health.body, {"last_status"}), "succeeded");
  EXPECT_FALSE(health.body.at("recent").as_array().empty());
  auto metrics = Call(cfo, "acme", "GET", "/api/v1/mv/metrics");
  ASSERT_EQ(metrics.status, 200);
  const auto& windows = metrics.body.at("windows").as_array();
  ASSERT_EQ(windows.size(), 2u);
  bool counted = false;
  for (const auto& l : windows[0].at("levels").as_array())
    if (At(l, {"level"}) == "on_demand") counted = l.at("refreshes").as_int64() >= 1;
  EXPECT_TRUE(counted) << json::serialize(metrics.body);
  // Prometheus: the series exist (the gauges are polled every few seconds).
  std::string scrape;
  for (int i = 0; i < 50; ++i) {
    scrape = Client().Send("GET", "/metrics").body;
    if (scrape.find("vertice_mv_refresh_duration_seconds_count{level=\"on_demand\"} 0") == std::string::npos &&
        scrape.find("vertice_mv_refresh_duration_seconds_count{level=\"on_demand\"}") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (const char* series :
       {"vertice_mv_age_seconds", "vertice_mv_pending_events",
        "vertice_mv_status{status=", "vertice_mv_refresh_failures_total{level=\"scheduled\"}",
        "vertice_scheduler_leader", "vertice_events_subscribers", "\nvertice_pg_archiver_failed_total 0\n",
        "vertice_pg_archiver_archived_total", "\nvertice_pg_archiver_last_failed_timestamp_seconds 0\n",
        "vertice_pg_archiver_last_archived_timestamp_seconds"})
    EXPECT_NE(scrape.find(series), std::string::npos) << series;
  EXPECT_EQ(scrape.find("vertice_mv_refresh_duration_seconds_count{level=\"on_demand\"} 0"), std::string::npos);
}

TEST_F(FreshnessApiTest, TheOwnerSetsTheLargeTransactionThresholdThatQueuesLevelTwoEvents) {
  auto owner = SignIn("admin@acme.mx");
  auto cfo = SignIn("cfo@acme.mx");
  auto cashier = SignIn("cajero@acme.mx");
  auto pending = [] {
    return SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM mv_refresh_triggers WHERE company_id = 'acme'");
  };
  auto sell = [&](const std::string& ticket, int quantity) {
    auto r = Call(cashier, "acme", "POST", "/api/v1/verticals/cpg/pos/" + PosId() + "/sales",
                  R"({"ticket":")" + ticket + R"(","payment_method":"cash","lines":[{"sku":"CAFE","quantity":")" +
                      std::to_string(quantity) + R"("}]})");
    EXPECT_EQ(r.status, 201) << json::serialize(r.body);
  };
  EXPECT_EQ(At(Call(cfo, "acme", "GET", "/api/v1/mv/settings").body, {"large_transaction_threshold"}), "10000.00");
  const auto before = pending();
  sell("BIG-1", 100);  // 11,600.00 ≥ 10,000.00
  EXPECT_EQ(std::stoi(pending()), std::stoi(before) + 1);
  // Only the owner changes it, with a valid amount; bad input changes nothing.
  EXPECT_EQ(Call(cfo, "acme", "PUT", "/api/v1/mv/settings", R"({"large_transaction_threshold":"50000.00"})").status,
            403);
  for (const char* bad : {R"({"large_transaction_threshold":"-1"})", R"({"large_transaction_threshold":"mucho"})",
                          R"({"large_transaction_threshold":50000})", R"({})", R"({"threshold":"1.00"})"}) {
    auto r = Call(owner, "acme", "PUT", "/api/v1/mv/settings", bad);
    EXPECT_EQ(r.status, 400) << bad;
  }
  auto set = Call(owner, "acme", "PUT", "/api/v1/mv/settings", R"({"large_transaction_threshold":"50000.00"})");
  ASSERT_EQ(set.status, 200) << json::serialize(set.body);
  EXPECT_EQ(At(set.body, {"large_transaction_threshold"}), "50000.00");
  sell("BIG-2", 100);  // 11,600.00 < 50,000.00: no event
  EXPECT_EQ(std::stoi(pending()), std::stoi(before) + 1);
  sell("BIG-3", 500);  // 58,000.00
  EXPECT_EQ(std::stoi(pending()), std::stoi(before) + 2);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT after ->> 'large_transaction_threshold' FROM audit_log "
                     "WHERE action = 'company.settings_changed' AND company_id = 'acme'"),
            "50000.00");
  // Another company's threshold is untouched.
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT settings ->> 'large_transaction_threshold' FROM companies "
                     "WHERE company_id = 'globex'"),
            "");
}

}  // namespace
}  // namespace vertice::testing
