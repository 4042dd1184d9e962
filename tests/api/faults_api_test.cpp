// Faults: SIGTERM with requests in flight, and a PostgreSQL restart under load.
#include <atomic>
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
