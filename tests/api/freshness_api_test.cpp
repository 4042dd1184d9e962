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

// The revenue report reads only rollups (monthly totals, their pending deltas, daily totals); on
// every kind of range and grouping it must equal a recomputation from the events, to the cent,
// whether the deltas are pending, folded into their months, or both.
TEST_F(FreshnessApiTest, TheRevenueReportOnAnyRangeEqualsARecomputationFromTheEvents) {
  auto cfo = SignIn("cfo@acme.mx");
  const std::string owner = db_->OwnerUrl();
  const auto today = SqlValue(owner, "SELECT (now() AT TIME ZONE 'America/Mexico_City')::date::text");
  const int year = std::stoi(today.substr(0, 4));
  auto day = [&](const std::string& expr) { return SqlValue(owner, "SELECT (" + expr + ")::date::text"); };
  const std::vector<std::pair<std::string, std::string>> ranges = {
      {fmt::format("{}-01-01", year), fmt::format("{}-12-31", year)},  // a year
      {fmt::format("{}-01-01", year), fmt::format("{}-12-30", year)},  // 364 days
      {fmt::format("{}-04-01", year), fmt::format("{}-06-30", year)},  // a quarter
      {day("'" + today + "'::date - 89"), today},                      // the last 90 days
      {today, today},                                                  // one day
      {day("date_trunc('month', '" + today + "'::date)"), day("date_trunc('month', '" + today + "'::date)")},
      {fmt::format("{}-11-15", year - 1), fmt::format("{}-02-10", year)},  // across years
      {fmt::format("{}-01-17", year - 1), fmt::format("{}-03-03", year)},  // partial, months, partial
      {"", day("'" + today + "'::date - 40")},                             // open start
      {fmt::format("{}-02-14", year - 1), ""},                             // open end
  };
  const std::vector<std::string> groupings = {
      "transaction_type", "vertical,status", "month", "day", "week", "source_table,transaction_type"};
  auto dimension_sql = [](const std::string& g) -> std::string {
    if (g == "month") return "date_trunc('month', fecha)::date::text";
    if (g == "week") return "date_trunc('week', fecha)::date::text";
    if (g == "day") return "fecha::text";
    return g;
  };
  auto check = [&](const std::string& state) {
    for (const auto& [from, to] : ranges) {
      for (const auto& grouping : groupings) {
        std::string query = "group_by=" + grouping + "&measures=total,count";
        if (!from.empty()) query += "&from=" + from;
        if (!to.empty()) query += "&to=" + to;
        auto r = Call(cfo, "acme", "GET", "/api/v1/reports/revenue?" + query);
        ASSERT_EQ(r.status, 200) << query << " " << json::serialize(r.body);
        std::vector<std::string> columns, dims, got, want;
        for (const auto& c : r.body.at("columns").as_array()) columns.emplace_back(c.as_string());
        for (const auto& row : r.body.at("rows").as_array()) {
          std::string line;
          for (const auto& c : columns) line += At(row, {c.c_str()}) + "|";
          got.push_back(line);
        }
        std::string select, group;
        int n = 0;
        for (size_t at = 0; at <= grouping.size();) {
          auto comma = std::min(grouping.find(',', at), grouping.size());
          select += dimension_sql(grouping.substr(at, comma - at)) + ", ";
          group += (n > 0 ? ", " : "") + std::to_string(n + 1);
          ++n;
          at = comma + 1;
        }
        auto rows = Sql(
            owner,
            "SELECT " + select +
                "sum(monto_total)::numeric(18,2)::text, count(*)::text "
                "FROM universal_transactions_mv WHERE company_id = 'acme' AND universal_is_revenue(transaction_type) "
                "AND fecha >= COALESCE(NULLIF($1, '')::date, '-infinity') "
                "AND fecha <= COALESCE(NULLIF($2, '')::date, 'infinity') GROUP BY " +
                group + " ORDER BY " + group,
            {from, to});
        for (const auto& row : rows) {
          std::string line;
          for (const auto& v : row) line += v + "|";
          want.push_back(line);
        }
        EXPECT_EQ(got, want) << state << ": " << query;
      }
    }
    // The dashboard reads the same rollups: its year, month, day and 12 months.
    auto dash = Call(cfo, "acme", "GET", "/api/v1/dashboard");
    ASSERT_EQ(dash.status, 200) << json::serialize(dash.body);
    const auto now = At(dash.body, {"today"});
    auto sum = [&](const std::string& first, const std::string& last) {
      return SqlValue(owner,
                      "SELECT COALESCE(sum(monto_total), 0)::numeric(18,2)::text FROM universal_transactions_mv "
                      "WHERE company_id = 'acme' AND universal_is_revenue(transaction_type) "
                      "AND fecha BETWEEN $1::date AND $2::date",
                      {first, last});
    };
    EXPECT_EQ(At(dash.body, {"revenue", "year"}), sum(now.substr(0, 4) + "-01-01", now)) << state;
    EXPECT_EQ(At(dash.body, {"revenue", "month"}), sum(now.substr(0, 8) + "01", now)) << state;
    EXPECT_EQ(At(dash.body, {"revenue", "today"}), sum(now, now)) << state;
    for (const auto& m : dash.body.at("monthly").at("items").as_array()) {
      const auto first = At(m, {"month"}) + "-01";
      EXPECT_EQ(At(m, {"total"}), sum(first, day("'" + first + "'::date + interval '1 month' - interval '1 day'")))
          << state << " " << first;
    }
  };
  // Sales on each of the last 800 days, so ranges cross years, whole and partial months.
  Sql(owner,
      "INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, subtotal, "
      "iva, total) SELECT 'demo', 'acme', $1::bigint, 'H-' || g, d + time '12:00', d, 'cash', s, round(s * 0.16, 2), "
      "s + round(s * 0.16, 2) FROM generate_series(0, 799) g, "
      "LATERAL (SELECT $2::date - g AS d, (10 + (g * 37) % 500)::numeric(18,2) + 0.35 AS s) x",
      {PosId(), today});
  check("deltas as written");
  SqlValue(owner, "SELECT universal_compact()");
  ASSERT_EQ(SqlValue(owner, "SELECT count(*) FROM universal_daily_totals WHERE NOT folded"), "0");
  check("every delta folded into its month");
  // Changes to past days (deltas pending in whole months) and a sale today, after the fold.
  Sql(owner,
      "UPDATE cpg_sales SET subtotal = subtotal + 1.01, total = total + 1.01 WHERE company_id = 'acme' "
      "AND ticket LIKE 'H-%' AND business_date < $1::date - 40 AND sale_id % 9 = 0",
      {today});
  auto sale = Call(SignIn("cajero@acme.mx"), "acme", "POST", "/api/v1/verticals/cpg/pos/" + PosId() + "/sales",
                   R"({"ticket":"R-1","payment_method":"cash","lines":[{"sku":"CAFE","quantity":"2"}]})");
  ASSERT_EQ(sale.status, 201) << json::serialize(sale.body);
  ASSERT_NE(SqlValue(owner,
                     "SELECT count(*) FROM universal_daily_totals WHERE NOT folded "
                     "AND fecha < date_trunc('month', now())"),
            "0");
  check("folded months with pending deltas");
}

}  // namespace
}  // namespace vertice::testing
