// The asynchronous connection and pool under database faults: a broken connection must never
// take a newer connection's wakeups with it (ADR 0012), and every wait is bounded.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/pool.hpp"
#include "db/run_sync.hpp"
#include "tests/support/test_database.hpp"

namespace vertice {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using testing::SqlValue;

class ConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::DatabaseAvailable()) db_ = testing::TestDatabase::Create().release();
  }
  static void TearDownTestSuite() { delete db_; }
  void SetUp() override { VERTICE_REQUIRE_DATABASE(); }

  // A query on `conn`, or "timeout" after `limit`: the test never waits unbounded for a lost wakeup.
  static db::Task<std::string> QueryWithin(db::Connection& conn, std::string sql, std::chrono::milliseconds limit) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, limit);
    auto which = co_await (conn.Execute(std::move(sql)) || timer.async_wait(asio::use_awaitable));
    if (which.index() == 1) co_return "timeout";
    auto& rows = std::get<0>(which);
    if (!rows) co_return "error: " + rows.error().internal;
    co_return std::string(rows->Get(0, 0));
  }

  static inline testing::TestDatabase* db_ = nullptr;
};

// The hang seen after a PostgreSQL restart: libpq closed a broken connection's socket, the next
// connection got the same descriptor number, and destroying the broken connection later removed
// that number from epoll — the new connection's answers then never woke anyone.
TEST_F(ConnectionTest, ABrokenConnectionDestroyedLaterDoesNotSilenceTheConnectionThatReusedItsSocket) {
  auto result = db::RunSync<std::string>([](asio::any_io_executor ex) -> db::Task<std::string> {
    auto broken = co_await db::Connection::Connect(ex, db_->AppUrl(), std::chrono::seconds(5));
    if (!broken) co_return "connect: " + broken.error().internal;
    auto pid = co_await QueryWithin(**broken, "SELECT pg_backend_pid()::text", std::chrono::seconds(5));
    SqlValue(testing::TestDatabase::Url("postgres", db_->Name()), "SELECT pg_terminate_backend($1::int)::text", {pid});
    // libpq notices the termination and closes its socket.
    for (int i = 0; i < 50 && !(*broken)->Broken(); ++i) {
      (void)co_await QueryWithin(**broken, "SELECT 1::text", std::chrono::seconds(5));
    }
    if (!(*broken)->Broken()) co_return "the terminated connection was not noticed";

    auto fresh = co_await db::Connection::Connect(ex, db_->AppUrl(), std::chrono::seconds(5));
    if (!fresh) co_return "connect: " + fresh.error().internal;
    broken->reset();  // destroyed after the new connection took the socket number
    // The answer arrives while we wait for it: only a live epoll registration delivers it.
    co_return co_await QueryWithin(**fresh, "SELECT pg_sleep(0.05)::text || 'ok'", std::chrono::seconds(5));
  });
  EXPECT_EQ(result, "ok");
}

// Every slot of the pool works again after its connections were terminated behind its back.
TEST_F(ConnectionTest, ThePoolReplacesTerminatedConnectionsInEverySlot) {
  auto result = db::RunSync<std::string>([](asio::any_io_executor ex) -> db::Task<std::string> {
    db::Pool pool(ex, {.conninfo = db_->AppUrl(), .max_size = 4});
    // Open all four slots at once.
    {
      std::vector<db::Lease> leases;
      for (int i = 0; i < 4; ++i) {
        auto lease = co_await pool.Acquire();
        if (!lease) co_return "acquire: " + lease.error().internal;
        leases.push_back(std::move(*lease));
      }
    }
    if (pool.Stats().size != 4) co_return "pool did not open 4 connections";
    SqlValue(testing::TestDatabase::Url("postgres", db_->Name()),
             "SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity "
             "WHERE usename = 'vertice_app' AND datname = current_database()");
    int ok = 0;
    std::string last_error;
    const db::TenantScope no_scope;  // (not a braced temporary: GCC 12 frees those twice in coroutines)
    for (int i = 0; i < 100; ++i) {
      auto r = co_await pool.InTransaction(
          no_scope, [](db::Transaction& tx) -> db::Task<Result<db::Rows>> { co_return co_await tx.Query("SELECT 1"); });
      if (r)
        ++ok;
      else
        last_error = r.error().internal;
    }
    if (ok != 100) co_return fmt::format("{} of 100 failed after the terminations: {}", 100 - ok, last_error);
    co_return "ok";
  });
  EXPECT_EQ(result, "ok");
}

// Clients can vary a statement's text (groupings, filters, limits): the per-connection cache of
// prepared statements stays bounded here and in PostgreSQL, and evicted statements still run.
TEST_F(ConnectionTest, ThePreparedStatementCacheIsBoundedOnBothSides) {
  auto result = db::RunSync<std::string>([](asio::any_io_executor ex) -> db::Task<std::string> {
    auto conn = co_await db::Connection::Connect(ex, db_->AppUrl(), std::chrono::seconds(5));
    if (!conn) co_return "connect: " + conn.error().internal;
    const size_t distinct = db::Connection::kPreparedCapacity + 100;
    for (size_t i = 0; i < distinct; ++i) {
      auto r = co_await (*conn)->Execute(fmt::format("SELECT {} + $1::int", i), db::P(std::string("1")));
      if (!r || r->Get(0, 0) != std::to_string(i + 1)) co_return fmt::format("statement {} failed", i);
    }
    if ((*conn)->PreparedCount() > db::Connection::kPreparedCapacity) co_return "the client-side cache grew";
    auto server = co_await (*conn)->Execute("SELECT count(*)::text FROM pg_prepared_statements");
    if (!server) co_return "count failed";
    if (std::stoul(std::string(server->Get(0, 0))) > db::Connection::kPreparedCapacity + 1)
      co_return "PostgreSQL kept " + std::string(server->Get(0, 0)) + " prepared statements";
    // The first statement was evicted long ago: it is prepared again and still answers.
    auto again = co_await (*conn)->Execute("SELECT 0 + $1::int", db::P(std::string("1")));
    if (!again || again->Get(0, 0) != "1") co_return "an evicted statement no longer runs";
    co_return "ok";
  });
  EXPECT_EQ(result, "ok");
}

}  // namespace vertice
