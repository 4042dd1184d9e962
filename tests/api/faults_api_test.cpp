// Faults: SIGTERM with requests in flight, a PostgreSQL restart under load, requests past their
// deadline, and a pool that must come back from every way of losing its connections.
#include <libpq-fe.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {

class FaultsApiTest : public ApiTest {};

TEST_F(FaultsApiTest, SigtermLetsEveryInFlightRequestComplete) {
  // Logins take ~100 ms of Argon2id each: a good stand-in for slow requests.
  constexpr int kClients = 12;
  std::atomic<int> completed{0}, started{0};
  std::vector<int> statuses(kClients, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      auto c = Client();
      ++started;
      try {
        statuses[i] = Login(i % 2 ? "ceo@acme.mx" : "cfo@acme.mx").status;
      } catch (...) {
        statuses[i] = -1;
      }
      ++completed;
    });
  }
  while (started < kClients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  int exit_code = server_->Stop(30);
  for (auto& t : threads) t.join();
  EXPECT_EQ(exit_code, 0);
  for (int i = 0; i < kClients; ++i) {
    // Either answered in full, or (sent after the listener closed) refused to connect — never cut.
    EXPECT_TRUE(statuses[i] == 200 || statuses[i] == -1) << "client " << i << " got " << statuses[i];
  }
  EXPECT_GT(std::count(statuses.begin(), statuses.end(), 200), 0);
  delete server_;
  server_ = new ServerProcess(db_->AppUrl());
}

TEST_F(FaultsApiTest, DatabaseRestartGives503ThenRecoversWithoutRestartingTheServer) {
  const char* restart = std::getenv("VERTICE_TEST_PG_RESTART");
  ASSERT_NE(restart, nullptr) << "scripts/test sets VERTICE_TEST_PG_RESTART";
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  std::vector<std::thread> load;
  for (int i = 0; i < 4; ++i) {
    load.emplace_back([&] {
      auto c = Client();
      while (!stop) {
        try {
          auto r = c.Send("GET", "/readyz");
          if (r.status == 200)
            ++ok;
          else if (r.status == 503 && (ErrorCode(r) == "database_unavailable" || ErrorCode(r) == "database_busy"))
            ++unavailable;
          else
            ++other;
        } catch (...) {
          ++other;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(std::system(restart), 0);
  // Recovery: readiness comes back by itself.
  auto c = Client();
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = c.Send("GET", "/readyz").status;
  }
  int ok_after_restart = ok.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(status, 200);
  EXPECT_GT(ok.load(), ok_after_restart) << "requests succeed again after the restart";
  EXPECT_EQ(other.load(), 0) << "only 200 or 503 database_unavailable, never a crash or a 500";
  // A login (writes) works again too.
  EXPECT_EQ(Login("ceo@acme.mx").status, 200);
}

namespace {

// Answers a client may get while the database is away: 503 with one of these codes.
bool IsCleanUnavailable(const HttpResponse& r) {
  if (r.status != 503) return false;
  auto code = ErrorCode(r);
  return code == "database_unavailable" || code == "database_busy" || code == "request_timeout";
}

// Holds a lock (or anything) in an open transaction on its own connection until destroyed.
class HeldTransaction {
 public:
  HeldTransaction(const std::string& url, const std::string& sql) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    Exec("BEGIN");
    Exec(sql);
  }
  ~HeldTransaction() {
    Exec("ROLLBACK");
    PQfinish(conn_);
  }

 private:
  void Exec(const std::string& sql) { PQclear(PQexec(conn_, sql.c_str())); }
  PGconn* conn_;
};

pid_t PostmasterPid() {
  const char* data = std::getenv("VERTICE_TEST_PG_DATA");
  if (data == nullptr) return -1;
  std::ifstream in(std::string(data) + "/postmaster.pid");
  pid_t pid = -1;
  in >> pid;
  return pid;
}

// The server's backends waiting on a lock ("" when none), with what they run.
std::string AppBackendsWaitingOnLocks(const std::string& owner_url) {
  return SqlValue(owner_url,
                  "SELECT coalesce(string_agg(pid || ' ' || state || ': ' || query, '; '), '') "
                  "FROM pg_stat_activity WHERE usename = 'vertice_app' "
                  "AND datname = current_database() AND wait_event_type = 'Lock'");
}

double Metric(const std::string& metrics, const std::string& name) {
  auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + name.size() + 2));
}

// Connections lent out once the server is quiet: background work (gauges, the scheduler) borrows
// one now and then, so wait a bounded while for zero; a leaked slot never gets there.
double PoolInUseWhenQuiet(unsigned short port) {
  HttpClient c("127.0.0.1", port, std::chrono::seconds(15));
  double in_use = -1;
  for (int i = 0; i < 100 && in_use != 0; ++i) {
    in_use = Metric(c.Send("GET", "/metrics").body, "vertice_db_pool_in_use");
    if (in_use != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return in_use;
}

}  // namespace

// Its own server: a one-second deadline, a shutdown grace of one second, and four pool slots.
class DeadlineTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (DatabaseAvailable())
      StartStack({"VERTICE_REQUEST_TIMEOUT_SECONDS=1", "VERTICE_SHUTDOWN_GRACE_SECONDS=1", "VERTICE_POOL_SIZE=4"});
  }
};

TEST_F(DeadlineTest, ARequestPastItsDeadlineAnswers503AndItsDatabaseWorkIsCancelled) {
  int timed_out = 0;
  {
    // Readiness reads schema_migrations: with it locked every readiness check waits.
    HeldTransaction lock(db_->OwnerUrl(), "LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");
    std::vector<std::thread> clients;
    std::vector<HttpResponse> answers(6);
    std::vector<double> seconds(6);
    for (int i = 0; i < 6; ++i) {
      clients.emplace_back([&, i] {
        HttpClient c("127.0.0.1", server_->Port(), std::chrono::seconds(15));
        auto t0 = std::chrono::steady_clock::now();
        try {
          answers[i] = c.Send("GET", "/readyz");
        } catch (...) {
          answers[i].status = -1;
        }
        seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      });
    }
    for (auto& t : clients) t.join();
    // The scrape still answers within its own deadline, and says what /readyz would: not ready.
    auto t0 = std::chrono::steady_clock::now();
    auto scrape = HttpClient("127.0.0.1", server_->Port(), std::chrono::seconds(15)).Send("GET", "/metrics");
    EXPECT_EQ(scrape.status, 200) << scrape.body;
    EXPECT_EQ(Metric(scrape.body, "vertice_ready"), 0) << scrape.body;
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
    for (int i = 0; i < 6; ++i) {
      timed_out += ErrorCode(answers[i]) == "request_timeout" ? 1 : 0;
      EXPECT_EQ(answers[i].status, 503) << answers[i].body;
      EXPECT_TRUE(ErrorCode(answers[i]) == "request_timeout" || ErrorCode(answers[i]) == "database_busy")
          << answers[i].body;
      EXPECT_FALSE(answers[i].Header("retry-after").empty());
      EXPECT_LT(seconds[i], 5.0) << "answered near the one-second deadline";
    }
    // The lock is still held, yet nothing of ours waits on it any more: the work was cancelled.
    std::string waiting = "?";
    for (int i = 0; i < 100 && !waiting.empty(); ++i) {
      waiting = AppBackendsWaitingOnLocks(db_->OwnerUrl());
      if (!waiting.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(waiting, "") << "backends of timed-out requests still wait on the lock";
  }
  // The pool lent every slot to the timed-out requests and got each back (or replaced it).
  auto c = Client();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.Send("GET", "/readyz").status, 200);
  EXPECT_EQ(PoolInUseWhenQuiet(server_->Port()), 0);
  auto metrics = c.Send("GET", "/metrics").body;
  EXPECT_LE(Metric(metrics, "vertice_db_pool_connections"), 4) << metrics;
  // Every 503 request_timeout was counted against its route, and the instance is ready again.
  EXPECT_GT(timed_out, 0);
  EXPECT_EQ(Metric(metrics, "vertice_http_request_timeouts_total{route=\"/readyz\"}"), timed_out) << metrics;
  EXPECT_EQ(Metric(metrics, "vertice_ready"), 1) << metrics;
}

// Sign-ins queue for the password hashers: past the one-second deadline they answer 503 while
// their hash finishes off the request (Asio 1.81 once terminated the process here).
TEST_F(DeadlineTest, SignInsCutAtTheirDeadlineLeaveTheServerRunning) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0}, timed_out{0}, other{0};
  for (int i = 0; i < 24; ++i) {
    clients.emplace_back([&, i] {
      try {
        // Four accounts, six sign-ins each: under the per-account limit.
        static const char* kUsers[] = {"admin@acme.mx", "ceo@acme.mx", "cfo@acme.mx", "cajero@acme.mx"};
        auto r = Login(kUsers[i % 4]);
        if (r.status == 200)
          ++ok;
        else if (IsCleanUnavailable(r))
          ++timed_out;
        else
          ++other;
      } catch (...) {
        ++other;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load() + timed_out.load(), 24);
  EXPECT_EQ(Client().Send("GET", "/healthz").status, 200) << "the server survived";
}

TEST_F(DeadlineTest, ShutdownHasADeadlineEvenWhenARequestCannotFinish) {
  // This server's requests may run for a minute; its shutdown grace is one second.
  delete server_;
  server_ =
      new ServerProcess(db_->AppUrl(), {"VERTICE_REQUEST_TIMEOUT_SECONDS=60", "VERTICE_SHUTDOWN_GRACE_SECONDS=1"});
  HeldTransaction lock(db_->OwnerUrl(), "LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");
  std::atomic<int> status{0};
  std::thread stuck([&] {
    HttpClient c("127.0.0.1", server_->Port(), std::chrono::seconds(20));
    try {
      status = c.Send("GET", "/readyz").status;
    } catch (...) {
      status = -1;  // cut: acceptable past the deadline
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  int exit_code = server_->Stop(15);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stuck.join();
  EXPECT_EQ(exit_code, 0) << "the server exits by itself (-1: it had to be killed)";
  EXPECT_LT(took, 8.0);
  EXPECT_TRUE(status == 503 || status == -1) << status;
  delete server_;
  server_ = new ServerProcess(db_->AppUrl(), {"VERTICE_REQUEST_TIMEOUT_SECONDS=1", "VERTICE_POOL_SIZE=4"});
}

// Every way of losing the database's connections in turn, under load; afterwards every pool slot
// serves again: 1,000 requests over more clients than slots, none failing.
TEST_F(DeadlineTest, ThePoolComesBackFromTerminationsARestartAndAStoppedPostmaster) {
  const char* restart = std::getenv("VERTICE_TEST_PG_RESTART");
  ASSERT_NE(restart, nullptr) << "scripts/test sets VERTICE_TEST_PG_RESTART";
  ASSERT_GT(PostmasterPid(), 0) << "scripts/test sets VERTICE_TEST_PG_DATA";
  // Deadlines long enough for a sign-in on a loaded machine; the pool still has four slots.
  delete server_;
  server_ = new ServerProcess(db_->AppUrl(), {"VERTICE_REQUEST_TIMEOUT_SECONDS=10", "VERTICE_POOL_SIZE=4"});
  auto ceo = SignIn("ceo@acme.mx");
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0};
  std::mutex mu;
  std::vector<std::string> other;
  std::vector<std::thread> load;
  for (int i = 0; i < 6; ++i) {
    load.emplace_back([&, i] {
      HttpClient c("127.0.0.1", server_->Port(), std::chrono::seconds(15));
      while (!stop) {
        try {
          auto r = i % 2 ? c.Send("GET", "/readyz") : c.Send("GET", "/api/v1/dashboard", "", ceo.Bearer("acme"));
          if (r.status == 200)
            ++ok;
          else if (IsCleanUnavailable(r))
            ++unavailable;
          else {
            std::lock_guard lock(mu);
            other.push_back(std::to_string(r.status) + " " + r.body);
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          other.push_back(std::string("no answer: ") + e.what());
        }
      }
    });
  }
  auto wait_ready = [&] {
    HttpClient c("127.0.0.1", server_->Port(), std::chrono::seconds(15));
    for (int i = 0; i < 300; ++i) {
      if (c.Send("GET", "/readyz").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // 1. Every connection of ours terminated behind the pool's back.
  SqlValue(TestDatabase::Url("postgres", db_->Name()),
           "SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity "
           "WHERE usename = 'vertice_app' AND datname = current_database()");
  EXPECT_TRUE(wait_ready());
  // 2. The cluster stopped and started.
  ASSERT_EQ(std::system(restart), 0);
  EXPECT_TRUE(wait_ready());
  // 3. The postmaster frozen for ten seconds: no new connection can be made meanwhile.
  pid_t postmaster = PostmasterPid();
  ASSERT_EQ(kill(postmaster, SIGSTOP), 0);
  std::this_thread::sleep_for(std::chrono::seconds(10));
  kill(postmaster, SIGCONT);
  EXPECT_TRUE(wait_ready());
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_TRUE(other.empty()) << other.size() << " answers other than 200 or a clean 503, first: " << other.front();
  EXPECT_GT(ok.load(), 0);

  std::atomic<int> good{0};
  std::vector<std::string> bad;
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      HttpClient c("127.0.0.1", server_->Port(), std::chrono::seconds(15));
      for (int k = 0; k < 125; ++k) {
        try {
          auto r = (i + k) % 2 ? c.Send("GET", "/readyz") : c.Send("GET", "/api/v1/dashboard", "", ceo.Bearer("acme"));
          if (r.status == 200) {
            ++good;
          } else {
            std::lock_guard lock(mu);
            bad.push_back(std::to_string(r.status) + " " + r.body);
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          bad.push_back(std::string("no answer: ") + e.what());
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), 1000) << (bad.empty() ? "" : bad.front());
  EXPECT_EQ(PoolInUseWhenQuiet(server_->Port()), 0);
  auto metrics = Client().Send("GET", "/metrics").body;
  EXPECT_LE(Metric(metrics, "vertice_db_pool_connections"), 4) << metrics;
}

}  // namespace vertice::testing

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace vertice::testing {

// Its own server with short timeouts.
class SlowClientTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (DatabaseAvailable()) StartStack({"VERTICE_HEADER_TIMEOUT_SECONDS=1", "VERTICE_IDLE_TIMEOUT_SECONDS=2"});
  }

  // True when the server closed the connection within `within` (reads until EOF or timeout).
  static bool ClosedByServer(boost::asio::ip::tcp::socket& s, std::chrono::milliseconds within) {
    s.non_blocking(true);
    auto deadline = std::chrono::steady_clock::now() + within;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      boost::system::error_code ec;
      s.read_some(boost::asio::buffer(buf), ec);
      if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(SlowClientTest, AClientThatNeverFinishesItsHeadersIsCutOffWithoutBlockingOthers) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket slow(ioc);
  slow.connect({boost::asio::ip::make_address("127.0.0.1"), server_->Port()});
  boost::asio::write(slow, boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Drip: ")));
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/healthz").status, 200);  // others are served meanwhile
  EXPECT_TRUE(ClosedByServer(slow, std::chrono::milliseconds(4000)));
}

TEST_F(SlowClientTest, IdleKeepAliveConnectionsAreClosedAfterTheIdleTimeout) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket idle(ioc);
  idle.connect({boost::asio::ip::make_address("127.0.0.1"), server_->Port()});
  boost::asio::write(idle, boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")));
  char buf[1024];
  auto n = idle.read_some(boost::asio::buffer(buf));
  EXPECT_NE(std::string(buf, n).find(" 200 "), std::string::npos);
  EXPECT_FALSE(ClosedByServer(idle, std::chrono::milliseconds(1000)));  // still open before the timeout
  EXPECT_TRUE(ClosedByServer(idle, std::chrono::milliseconds(4000)));
}

}  // namespace vertice::testing
