// Freshness under faults, against real processes: PostgreSQL restarted in the middle of a
// refresh, and the scheduler's leader killed with SIGKILL in the middle of one. Either way the
// view readers see is unchanged, the refresh is logged as failed, another instance leads within
// the lease, and the next refresh succeeds without intervention.
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;

// 200,000 tickets the view never saw (inserted behind its triggers): a refresh of acme has
// seconds of real repair work, long enough to be interrupted.
void AddDrift(const std::string& owner) {
  Sql(owner,
      "INSERT INTO cpg_pos (tenant_id, company_id, code, name, retailer_rfc) VALUES "
      "('demo', 'acme', 'FALLA', 'Falla', 'ADI920101AB3') ON CONFLICT DO NOTHING");
  Sql(owner, "ALTER TABLE cpg_sales DISABLE TRIGGER USER");
  Sql(owner,
      "INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, "
      "subtotal, iva, total) SELECT 'demo', 'acme', p.pos_id, 'D' || g || '-' || floor(random() * 1e9), now(), "
      "current_date - g % 365, 'cash', 10, 0, 10 FROM generate_series(1, 200000) g, cpg_pos p "
      "WHERE p.code = 'FALLA'");
  Sql(owner, "ALTER TABLE cpg_sales ENABLE TRIGGER USER");
  Sql(owner, "ANALYZE cpg_sales");
}

std::string ViewState(const std::string& owner) {
  return SqlValue(owner,
                  "SELECT count(*) || '/' || coalesce(sum(monto_total), 0) FROM universal_transactions_mv "
                  "WHERE company_id = 'acme'");
}

// Waits until a refresh is executing inside PostgreSQL.
bool WaitForRunningRefresh(const std::string& owner) {
  for (int i = 0; i < 300; ++i) {
    // mv_refresh_run holds advisory lock (7203, refresh id) while it works (pg_locks is visible
    // to every role, other roles' queries in pg_stat_activity are not).
    if (SqlValue(owner,
                 "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7203 "
                 "AND objsubid = 2 AND granted") != "0")
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string WaitForDatabase(const std::string& owner) {
  for (int i = 0; i < 300; ++i) {
    try {
      return SqlValue(owner, "SELECT 1");
    } catch (...) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return "";
}

class FreshnessFaultsTest : public ApiTest {
 protected:
  // The fixture's server takes no part in the schedule; the failover test starts its own three.
  static void SetUpTestSuite() {
    if (DatabaseAvailable()) StartStack({"VERTICE_RUN_JOBS=false"});
  }
  static int Post(unsigned short port, const Session& s, const std::string& path, std::string* body = nullptr) {
    try {
      HttpClient c("127.0.0.1", port);
      auto r = c.Send("POST", path, "", s.Bearer("acme"));
      if (body) *body = r.body;
      return r.status;
    } catch (...) {
      return -1;  // the connection was cut
    }
  }
};

TEST_F(FreshnessFaultsTest, DatabaseRestartedMidRefreshIsLoggedFailedChangesNothingAndTheNextRefreshSucceeds) {
  const char* restart = std::getenv("VERTICE_TEST_PG_RESTART");
  ASSERT_NE(restart, nullptr) << "scripts/test sets VERTICE_TEST_PG_RESTART";
  const auto owner = db_->OwnerUrl();
  AddDrift(owner);
  const auto before = ViewState(owner);
  auto cfo = SignIn("cfo@acme.mx");
  std::string answer;
  std::atomic<int> status{0};
  std::thread refresh([&] { status = Post(server_->Port(), cfo, "/api/v1/mv/refresh?force=true", &answer); });
  bool running = WaitForRunningRefresh(owner);
  if (running) {
    EXPECT_EQ(std::system(restart), 0);
  }
  refresh.join();
  ASSERT_TRUE(running) << answer;
  EXPECT_EQ(status.load(), 503) << answer;
  EXPECT_NE(answer.find("freshness.refresh_failed"), std::string::npos) << answer;
  ASSERT_EQ(WaitForDatabase(owner), "1");
  EXPECT_EQ(ViewState(owner), before) << "a refresh cut off half-way applied nothing";
  auto log = Sql(owner, "SELECT status, error FROM mv_refresh_log ORDER BY refresh_id DESC LIMIT 1");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0][0], "failed");
  EXPECT_FALSE(log[0][1].empty());
  // The next refresh, with nobody restarting anything, repairs it all.
  int next = 0;
  for (int i = 0; i < 50 && next != 200; ++i) {
    next = Post(server_->Port(), cfo, "/api/v1/mv/refresh?force=true", &answer);
    if (next != 200) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(next, 200) << answer;
  EXPECT_EQ(json::parse(answer).at("rows_repaired").as_int64(), 200000);
  EXPECT_NE(ViewState(owner), before);
}

TEST_F(FreshnessFaultsTest, LeaderKilledMidRefreshIsReplacedWithinTheLeaseAndNothingIsHalfApplied) {
  const auto owner = db_->OwnerUrl();
  AddDrift(owner);
  const auto before = ViewState(owner);
  // Verified a moment ago: the new leader has no overdue full refresh to catch up on.
  Sql(owner, "INSERT INTO mv_refresh_log (level, status, finished_at) VALUES ('scheduled', 'succeeded', now())");
  std::vector<std::unique_ptr<ServerProcess>> instances;
  for (int i = 0; i < 3; ++i)
    instances.push_back(std::make_unique<ServerProcess>(
        db_->AppUrl(), std::vector<std::string>{"VERTICE_LEADER_LEASE_SECONDS=3", "VERTICE_RUN_JOBS=true"}));
  // Exactly one leader: the lease names it (host:pid:random).
  auto holder_pid = [&]() -> pid_t {
    auto rows =
        Sql(owner, "SELECT split_part(holder, ':', 2) FROM scheduler_leases WHERE expires_at > clock_timestamp()");
    return rows.empty() ? -1 : static_cast<pid_t>(std::stol(rows[0][0]));
  };
  pid_t leader = -1;
  for (int i = 0; i < 100 && leader == -1; ++i) {
    leader = holder_pid();
    if (leader == -1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  size_t index = instances.size();
  for (size_t i = 0; i < instances.size(); ++i)
    if (instances[i]->Pid() == leader) index = i;
  ASSERT_LT(index, instances.size()) << "the lease holder is one of the three instances";
  EXPECT_EQ(SqlValue(owner, "SELECT count(*) FROM scheduler_leases"), "1");

  // The leader is refreshing acme (on demand) when it is killed.
  auto cfo = SignIn("cfo@acme.mx");
  std::thread refresh([&] { Post(instances[index]->Port(), cfo, "/api/v1/mv/refresh?force=true"); });
  bool running = WaitForRunningRefresh(owner);
  const auto killed_refresh =
      SqlValue(owner, "SELECT max(refresh_id) FROM mv_refresh_log WHERE status = 'running' AND level = 'on_demand'");
  auto killed_at = std::chrono::steady_clock::now();
  kill(leader, SIGKILL);
  refresh.join();
  ASSERT_TRUE(running);
  pid_t successor = leader;
  for (int i = 0; i < 300 && (successor == leader || successor == -1); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    successor = holder_pid();
  }
  auto takeover = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  EXPECT_NE(successor, leader);
  EXPECT_NE(successor, -1);
  EXPECT_LT(takeover, 30.0);
  RecordProperty("takeover_seconds", std::to_string(takeover));
  // The killed refresh's transaction never commits: once its session is gone the row is marked
  // abandoned, and readers never saw half of it.
  std::string state = "running";
  for (int i = 0; i < 600 && state == "running"; ++i) {
    Sql(owner, "SELECT mv_refresh_abandon('0 seconds')");
    state = SqlValue(owner, "SELECT status FROM mv_refresh_log WHERE refresh_id = $1", {killed_refresh});
    if (state == "running") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, "failed");
  EXPECT_EQ(ViewState(owner), before);
  // A surviving instance refreshes successfully.
  size_t survivor = (index + 1) % instances.size();
  std::string answer;
  EXPECT_EQ(Post(instances[survivor]->Port(), cfo, "/api/v1/mv/refresh?force=true", &answer), 200) << answer;
  EXPECT_NE(ViewState(owner), before);
  EXPECT_EQ(SqlValue(owner,
                     "SELECT count(*) FROM universal_transactions_mv m FULL JOIN universal_transactions_source s "
                     "USING (source_table, source_id) WHERE m.monto_total IS DISTINCT FROM s.monto_total"),
            "0");
}

}  // namespace
}  // namespace vertice::testing
