// A bounded pool of asynchronous PostgreSQL connections and the per-request transaction helper
// that scopes every statement to one tenant and company (SET LOCAL via set_config, RLS checks it).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/sqlstate.hpp"

namespace vertice::db {

struct PoolOptions {
  std::string conninfo;
  size_t max_size = 16;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds acquire_timeout{5000};
  bool prepared_statements = true;  // off behind PgBouncer in transaction mode
  // Work that finds no database waits out a failover (up to 20 s of its deadline) instead of
  // failing at once. Off for a replica pool: its reads fall back to the primary instead.
  bool wait_out_failover = true;
};

struct PoolStats {
  size_t size = 0;
  size_t in_use = 0;
  size_t waiting = 0;
};

class Pool;

// A connection on loan; returns to the pool (or is dropped if broken or mid-transaction) on destruction.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();  // NOLINT(bugprone-exception-escape): only a failing mutex throws
  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

// Who the statements of a transaction act for; empty strings leave a setting unset.
struct TenantScope {
  std::string tenant_id;
  std::string company_id;
  std::string user_id;
  // The transaction's statement_timeout (what is left of the request's deadline); 0: unset.
  std::chrono::milliseconds statement_timeout{0};
};

// While the database fails over (no primary for a few seconds), work that has not run yet waits
// and retries instead of failing at once: backoff 100 ms doubling to 1 s, for at most 20 s or what
// the request's deadline leaves (2 s kept to answer), whichever is less.
class FailoverWait {
 public:
  FailoverWait(const TenantScope& scope, bool enabled);
  // Sleeps the next backoff and says true, or says false when the budget is spent.
  Task<bool> Wait();

 private:
  std::chrono::steady_clock::time_point give_up_;
  std::chrono::milliseconds backoff_{100};
};

// A transaction on one connection. Nothing is sent until the first statement: BEGIN and the scope
// travel with it in one round trip, and statements deferred until COMMIT travel with COMMIT, so a
// write of one statement plus its audit row costs two round trips.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Task<Result<Rows>> Query(std::string sql, Params params = {});
  // A statement whose answer nobody waits for (an audit row): it runs just before COMMIT, in the
  // same round trip, and its failure fails the commit (nothing of the transaction is kept).
  void Defer(std::string sql, Params params) { deferred_.push_back({std::move(sql), std::move(params)}); }
  // Fixes the scope; BEGIN is sent with the first statement.
  void Begin(const TenantScope& scope) {
    scope_ = scope;
    (void)conn_.TakeUnconfirmedCommit();  // a warning from the connection's last user is not ours
  }
  Task<Status> Commit();
  Task<void> Rollback();
  // The tenant and company this transaction acts for (fixed at Begin).
  const TenantScope& Scope() const { return scope_; }
  // The connection failed while BEGIN went out: nothing of the transaction ran, it can be retried
  // on another connection (the server restarted and the pool's idle connections are dead).
  bool LostAtStart() const { return lost_at_start_; }

 private:
  // BEGIN and the scope, followed by `rest`, in one round trip; the answer of `rest`'s last statement.
  Task<Result<Rows>> Start(std::vector<Statement> rest);

  Connection& conn_;
  TenantScope scope_;
  std::vector<Statement> deferred_;
  bool started_ = false;
  bool lost_at_start_ = false;
};

class Pool {
 public:
  Pool(boost::asio::any_io_executor ex, PoolOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  Task<Result<Lease>> Acquire();
  PoolStats Stats() const;
  // Forgets idle connections (after the server restarted they are all dead).
  void DropIdle();
  const PoolOptions& Options() const { return options_; }

  // One statement in its own scoped transaction, in one round trip: the scope and the statement
  // travel together (pipeline mode, one implicit transaction). For reads that are one statement
  // (lists, reports).
  Task<Result<Rows>> QueryOnce(const TenantScope& scope, std::string sql, Params params = {});
  // Several statements in one implicit transaction under the scope, one round trip; each one's rows.
  // Reads only: a lost connection is retried, which a write that may have committed must not be.
  Task<Result<std::vector<Rows>>> QueryBatchOnce(const TenantScope& scope, std::vector<Statement> statements);

  // Runs fn(Transaction&) inside BEGIN … COMMIT with the scope set for row-level security.
  // Deadlocks and serialization failures are retried (bounded); so is a transaction whose
  // connection was lost before its COMMIT went out (below); any error rolls back.
  // (The scope is taken by reference and copied first thing: GCC 12 miscompiles class-type
  // coroutine parameters initialised from braced lists.)
  template <typename Fn>
  auto InTransaction(const TenantScope& scope_arg, Fn fn) -> decltype(fn(std::declval<Transaction&>())) {
    const TenantScope scope = scope_arg;  // NOLINT(performance-unnecessary-copy-initialization): see above
    constexpr int kMaxRetries = 3;        // deadlocks, serialization failures
    constexpr int kMaxLostMidway = 2;     // connections lost mid-transaction without a word from the server
    FailoverWait failover(scope, options_.wait_out_failover);
    int retries = 0;
    int lost_midway = 0;
    for (bool first = true;; first = false) {
      auto lease = co_await Acquire();
      if (!lease) {
        if (IsConnectionError(lease.error()) && co_await failover.Wait()) continue;
        co_return std::unexpected(lease.error());
      }
      Transaction tx(**lease);
      tx.Begin(scope);
      auto result = co_await fn(tx);
      if (!result) {
        co_await tx.Rollback();
        // The connection was lost before COMMIT went out: the server rolled the transaction back,
        // so it runs again on a new connection — at once the first time (idle connections die
        // together), then with backoff while the failover lasts (the server restarted, the primary
        // failed over or shut down for a switchover, a demoted node refused the write). A loss
        // without a word from the server after statements ran (it may have died running them) is
        // re-run at most twice. fn holds no state outside the transaction (it is re-run on
        // deadlocks too).
        if (IsConnectionError(result.error())) {
          DropIdle();
          const bool bounded = !tx.LostAtStart() && IsLostMidway(result.error());
          if (!bounded || ++lost_midway <= kMaxLostMidway) {
            if (first || co_await failover.Wait()) continue;
          }
        }
        if (IsRetryable(result.error()) && ++retries <= kMaxRetries) continue;
        co_return result;
      }
      auto committed = co_await tx.Commit();
      if (!committed) {
        // Never re-run after COMMIT went out: lost in flight it may have committed (Commit says so).
        if (IsRetryable(committed.error()) && ++retries <= kMaxRetries) continue;
        co_return std::unexpected(committed.error());
      }
      co_return result;
    }
  }

 private:
  friend class Lease;
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    bool granted = false;
    std::unique_ptr<Connection> conn;  // null when granted a slot to open a new connection
  };
  Task<Result<Lease>> OpenNew();
  void Abandon(const std::shared_ptr<Waiter>& waiter);
  void Release(std::unique_ptr<Connection> conn);
  void FreeSlotLocked();

  boost::asio::any_io_executor ex_;
  PoolOptions options_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t total_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace vertice::db
