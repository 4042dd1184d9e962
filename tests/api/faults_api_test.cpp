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
