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

  // Runs body(executor) to completion, or answers "timeout" after `limit`: no test waits unbounded.
  template <typename Fn>
  static std::string RunWithin(std::chrono::seconds limit, Fn body) {
    return db::RunSync<std::string>([&body, limit](asio::any_io_executor ex) { return Race(body(ex), ex, limit); });
  }
  static db::Task<std::string> Race(db::Task<std::string> task, asio::any_io_executor ex, std::chrono::seconds limit) {
    asio::steady_timer timer(ex, limit);
    auto which = co_await (std::move(task) || timer.async_wait(asio::use_awaitable));
    if (which.index() == 1) co_return "timeout";
    co_return std::get<0>(std::move(which));
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

// Several statements in one round trip (libpq pipeline mode): each answer in order; the first
// failure is the batch's error, later statements do not run, and the connection stays usable.
TEST_F(ConnectionTest, ABatchAnswersEachStatementInOrderAndStopsAtTheFirstFailure) {
  auto result = RunWithin(std::chrono::seconds(30), [](asio::any_io_executor ex) -> db::Task<std::string> {
    auto conn = co_await db::Connection::Connect(ex, db_->AppUrl(), std::chrono::seconds(5));
    if (!conn) co_return "connect: " + conn.error().internal;
    auto& c = **conn;
    std::vector<db::Statement> ok{{"SELECT $1::text || 'a'", db::P(std::string("b"))},
                                  {"SELECT 40 + $1::int", db::P(std::string("2"))},
                                  {"SELECT 'three'", {}}};
    auto answers = co_await c.ExecuteBatch(std::move(ok));
    if (!answers) co_return "batch: " + answers.error().internal;
    if (answers->size() != 3) co_return fmt::format("{} answers", answers->size());
    std::string got =
        fmt::format("{},{},{}", (*answers)[0].Get(0, 0), (*answers)[1].Get(0, 0), (*answers)[2].Get(0, 0));
    if (got != "ba,42,three") co_return "answers: " + got;

    (void)co_await c.ExecuteScript("BEGIN");
    std::vector<db::Statement> failing{{"SELECT set_config('vertice.probe', 'before', true)", {}},
                                       {"SELECT 1 / $1::int", db::P(std::string("0"))},
                                       {"SELECT set_config('vertice.probe', 'after', true)", {}}};
    auto failed = co_await c.ExecuteBatch(std::move(failing));
    if (failed) co_return "a division by zero succeeded";
    if (failed.error().internal.find("division by zero") == std::string::npos)
      co_return "error: " + failed.error().internal;
    if (c.TxStatus() != PQTRANS_INERROR) co_return "the transaction was not aborted";
    (void)co_await c.ExecuteScript("ROLLBACK");
    auto after = co_await c.Execute("SELECT coalesce(current_setting('vertice.probe', true), '') || 'usable'");
    if (!after) co_return "the connection is unusable: " + after.error().internal;
    co_return std::string(after->Get(0, 0));
  });
  EXPECT_EQ(result, "usable");
}

// A deferred statement (an audit row) is written with COMMIT in the same round trip; when it fails,
// nothing of the transaction is kept, the caller gets the error and the connection goes back usable.
TEST_F(ConnectionTest, ADeferredStatementCommitsWithTheTransactionOrTakesItDown) {
  const auto owner = db_->OwnerUrl();
  testing::Sql(owner, "CREATE TABLE IF NOT EXISTS deferred_probe (note text NOT NULL CHECK (note <> 'refused'))");
  testing::Sql(owner, "GRANT SELECT, INSERT ON deferred_probe TO vertice_app");
  auto result = RunWithin(std::chrono::seconds(30), [](asio::any_io_executor ex) -> db::Task<std::string> {
    db::Pool pool(ex, {.conninfo = db_->AppUrl(), .max_size = 1});
    const db::TenantScope no_scope;  // (not a braced temporary: GCC 12 frees those twice in coroutines)
    auto write = [&](std::string deferred_note) {
      return pool.InTransaction(no_scope, [deferred_note](db::Transaction& tx) -> db::Task<Result<int>> {
        VERTICE_CO_TRY(co_await tx.Query("INSERT INTO deferred_probe VALUES ('direct-' || $1)", db::P(deferred_note)));
        tx.Defer("INSERT INTO deferred_probe VALUES ($1)", db::P(deferred_note));
        co_return 1;
      });
    };
    auto kept = co_await write("kept");
    if (!kept) co_return "the good write failed: " + kept.error().internal;
    auto refused = co_await write("refused");
    if (refused) co_return "a failing deferred statement was acknowledged";
    if (pool.Stats().size != 1) co_return "the connection was dropped";
    auto rows = co_await pool.InTransaction(no_scope, [](db::Transaction& tx) -> db::Task<Result<db::Rows>> {
      co_return co_await tx.Query("SELECT string_agg(note, ',' ORDER BY note) FROM deferred_probe");
    });
    if (!rows) co_return "read: " + rows.error().internal;
    co_return std::string(rows->Get(0, 0));
  });
  EXPECT_EQ(result, "direct-kept,kept");
}

// A switchover's fast shutdown terminates a transaction half-way (57P01 after BEGIN was
// answered): the server rolled it back, so the pool runs it again on a new connection and the
// caller sees one success with the write made exactly once.
TEST_F(ConnectionTest, ATransactionWhoseConnectionIsTerminatedHalfWayRunsAgainAndWritesOnce) {
  const auto owner = db_->OwnerUrl();
  testing::Sql(owner, "CREATE TABLE IF NOT EXISTS terminated_probe (note text PRIMARY KEY)");
  testing::Sql(owner, "GRANT SELECT, INSERT ON terminated_probe TO vertice_app");
  auto result = RunWithin(std::chrono::seconds(30), [](asio::any_io_executor ex) -> db::Task<std::string> {
    db::Pool pool(ex, {.conninfo = db_->AppUrl(), .max_size = 2});
    const db::TenantScope no_scope;  // (not a braced temporary: GCC 12 frees those twice in coroutines)
    int attempts = 0;
    auto written = co_await pool.InTransaction(no_scope, [&attempts](db::Transaction& tx) -> db::Task<Result<int>> {
      ++attempts;
      VERTICE_CO_ASSIGN_OR_RETURN(auto pid, co_await tx.Query("SELECT pg_backend_pid()::text"));
      VERTICE_CO_TRY(co_await tx.Query("INSERT INTO terminated_probe VALUES ('once')"));
      if (attempts == 1)  // the administrator's shutdown reaches this backend mid-transaction
        SqlValue(testing::TestDatabase::Url("postgres", db_->Name()),
                 "SELECT pg_terminate_backend($1::int, 5000)::text", {std::string(pid.Get(0, 0))});
      VERTICE_CO_TRY(co_await tx.Query("SELECT 1"));
      co_return attempts;
    });
    if (!written) co_return "the transaction failed: " + written.error().internal;
    auto rows = co_await pool.QueryOnce(no_scope, "SELECT count(*)::text FROM terminated_probe");
    if (!rows) co_return "read: " + rows.error().internal;
    co_return fmt::format("attempts {}, rows {}", *written, rows->Get(0, 0));
  });
  EXPECT_EQ(result, "attempts 2, rows 1");
}

// A one-statement read travels with BEGIN, its scope and COMMIT in one round trip: the statement
// sees the scope, a failure is the caller's error and leaves the connection usable, and nothing of
// the scope outlives the transaction.
TEST_F(ConnectionTest, AOneStatementReadRunsInItsScopeInOneRoundTrip) {
  auto result = RunWithin(std::chrono::seconds(30), [](asio::any_io_executor ex) -> db::Task<std::string> {
    db::Pool pool(ex, {.conninfo = db_->AppUrl(), .max_size = 1});
    db::TenantScope scope;
    scope.tenant_id = "t-one";
    scope.company_id = "c-one";
    scope.statement_timeout = std::chrono::milliseconds(200);
    auto seen = co_await pool.QueryOnce(scope,
                                        "SELECT current_setting('vertice.company_id') || '/' || $1::text || '/' || "
                                        "current_setting('statement_timeout')",
                                        db::P(std::string("x")));
    if (!seen) co_return "read: " + seen.error().internal;
    if (seen->Get(0, 0) != "c-one/x/200ms") co_return "seen: " + std::string(seen->Get(0, 0));
    auto slow = co_await pool.QueryOnce(scope, "SELECT pg_sleep(2)::text");
    if (slow) co_return "a read past its statement timeout answered";
    auto bad = co_await pool.QueryOnce(scope, "SELECT 1 / 0");
    if (bad) co_return "a division by zero answered";
    if (pool.Stats().size != 1) co_return "the connection was dropped";
    const db::TenantScope none;
    auto after =
        co_await pool.QueryOnce(none, "SELECT coalesce(current_setting('vertice.company_id', true), '') || 'clean'");
    if (!after) co_return "after: " + after.error().internal;
    co_return std::string(after->Get(0, 0));
  });
  EXPECT_EQ(result, "clean");
}

}  // namespace vertice
