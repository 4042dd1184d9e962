#include "db/pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::db {

namespace asio = boost::asio;

Lease::~Lease() {  // NOLINT(bugprone-exception-escape): only a failing mutex throws here
  if (conn_) pool_->Release(std::move(conn_));
}

namespace {

// The scope as settings local to the transaction (row-level security and the views read them).
Statement ScopeStatement(const TenantScope& scope) {
  std::string timeout;
  if (scope.statement_timeout.count() > 0) timeout = std::to_string(scope.statement_timeout.count());
  return {
      "SELECT set_config('vertice.tenant_id', $1, true), set_config('vertice.company_id', $2, true), "
      "set_config('vertice.user_id', $3, true), "
      "CASE WHEN $4 <> '' THEN set_config('statement_timeout', $4, true) END",
      db::P(scope.tenant_id, scope.company_id, scope.user_id, timeout)};
}
}  // namespace

Task<Result<Rows>> Transaction::Start(std::vector<Statement> rest) {
  std::vector<Statement> batch;
  batch.reserve(rest.size() + 2);
  batch.push_back({"BEGIN", {}});
  batch.push_back(ScopeStatement(scope_));
  for (auto& s : rest) batch.push_back(std::move(s));
  started_ = true;
  auto answers = co_await conn_.ExecuteBatch(std::move(batch));
  if (!answers) {
    lost_at_start_ = IsConnectionError(answers.error());
    co_return std::unexpected(answers.error());
  }
  Rows last = std::move(answers->back());
  co_return last;
}

Task<Result<Rows>> Transaction::Query(std::string sql, Params params) {
  if (!started_) {
    std::vector<Statement> first;
    first.push_back({std::move(sql), std::move(params)});
    co_return co_await Start(std::move(first));
  }
  co_return co_await conn_.Execute(std::move(sql), std::move(params));
}

Task<Status> Transaction::Commit() {
  if (!started_ && deferred_.empty()) co_return Status{};  // nothing was sent: nothing to commit
  std::vector<Statement> batch = std::move(deferred_);
  deferred_.clear();
  batch.push_back({"COMMIT", {}});
  Status done;
  if (started_) {
    auto answers = co_await conn_.ExecuteBatch(std::move(batch));
    if (!answers) done = std::unexpected(answers.error());
  } else {
    auto answer = co_await Start(std::move(batch));
    if (!answer) done = std::unexpected(answer.error());
  }
  // The COMMIT's wait for the standby was cancelled (the connection may be gone with it): the
  // transaction is on the primary only, and must not be retried as if it had not run.
  if (conn_.TakeUnconfirmedCommit()) co_return std::unexpected(CommitUnconfirmed());
  // The connection was lost with COMMIT sent: it may have committed.
  if (!done && IsConnectionError(done.error())) co_return std::unexpected(CommitOutcomeUnknown(done.error()));
  // A deferred statement failed: COMMIT did not run and the transaction is aborted.
  if (!done) co_await Rollback();
  co_return done;
}

Task<void> Transaction::Rollback() {
  deferred_.clear();
  if (started_ && !conn_.Broken() && conn_.TxStatus() != PQTRANS_IDLE) (void)co_await conn_.ExecuteScript("ROLLBACK");
}

Task<Result<Rows>> Pool::QueryOnce(const TenantScope& scope, std::string sql, Params params) {
  std::vector<Statement> statements;
  statements.push_back({std::move(sql), std::move(params)});
  VERTICE_CO_ASSIGN_OR_RETURN(auto answers, co_await QueryBatchOnce(scope, std::move(statements)));
  co_return std::move(answers[0]);
}

FailoverWait::FailoverWait(const TenantScope& scope, bool enabled) {
  constexpr std::chrono::milliseconds kMost{20'000};
  constexpr std::chrono::milliseconds kKeepToAnswer{2'000};
  auto budget = enabled ? kMost : std::chrono::milliseconds(0);
  if (scope.statement_timeout.count() > 0)
    budget = std::clamp(scope.statement_timeout - kKeepToAnswer, std::chrono::milliseconds(0), kMost);
  give_up_ = std::chrono::steady_clock::now() + budget;
}

Task<bool> FailoverWait::Wait() {
  if (std::chrono::steady_clock::now() + backoff_ > give_up_) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, backoff_);
  co_await timer.async_wait(asio::use_awaitable);
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(1'000));
  co_return true;
}

Task<Result<std::vector<Rows>>> Pool::QueryBatchOnce(const TenantScope& scope_arg, std::vector<Statement> statements) {
  const TenantScope scope = scope_arg;  // NOLINT(performance-unnecessary-copy-initialization): see InTransaction
  constexpr int kMaxAttempts = 4;
  FailoverWait failover(scope, options_.wait_out_failover);
  for (int attempt = 1;; ++attempt) {
    auto lease = co_await Acquire();
    if (!lease) {
      if (IsConnectionError(lease.error()) && co_await failover.Wait()) continue;
      co_return std::unexpected(lease.error());
    }
    // No BEGIN or COMMIT: the statements of one pipeline up to its sync are one implicit
    // transaction, so the scope (settings local to the transaction) holds for the statements and
    // ends with them.
    std::vector<Statement> batch;
    batch.reserve(statements.size() + 1);
    batch.push_back(ScopeStatement(scope));
    batch.insert(batch.end(), statements.begin(), statements.end());
    (void)(*lease)->TakeUnconfirmedCommit();  // a warning from the connection's last user is not ours
    auto answers = co_await (*lease)->ExecuteBatch(std::move(batch));
    if (answers) {
      // The implicit transaction committed at the sync: it may have waited on a standby too.
      if ((*lease)->TakeUnconfirmedCommit()) co_return std::unexpected(CommitUnconfirmed());
      answers->erase(answers->begin());  // the scope's own row
      co_return std::move(*answers);
    }
    // A failed pipeline's implicit transaction has already ended: nothing to roll back.
    // A connection found dead (the server restarted, the primary failed over) is retried on a new
    // one, at once and then with backoff while the failover lasts: callers only read.
    if (IsConnectionError(answers.error())) {
      DropIdle();
      if (attempt == 1 || co_await failover.Wait()) continue;
    }
    if (IsRetryable(answers.error()) && attempt < kMaxAttempts) continue;
    co_return std::unexpected(answers.error());
  }
}

Pool::Pool(asio::any_io_executor ex, PoolOptions options) : ex_(std::move(ex)), options_(std::move(options)) {}

PoolStats Pool::Stats() const {
  std::lock_guard lock(mu_);
  return {total_, total_ - idle_.size(), waiters_.size()};
}

void Pool::DropIdle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  std::lock_guard lock(mu_);
  dropped.swap(idle_);
  for (size_t i = 0; i < dropped.size(); ++i) FreeSlotLocked();
}

// A slot freed by a dropped connection goes to the oldest waiter, who opens a new connection.
void Pool::FreeSlotLocked() {
  if (!waiters_.empty()) {
    auto w = waiters_.front();
    waiters_.pop_front();
    w->granted = true;
    asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    return;
  }
  --total_;
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  if (conn->Broken() || conn->TxStatus() != PQTRANS_IDLE) {
    FreeSlotLocked();
    return;  // conn closes as it goes out of scope
  }
  if (!waiters_.empty()) {
    auto w = waiters_.front();
    waiters_.pop_front();
    w->granted = true;
    w->conn = std::move(conn);
    asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    return;
  }
  idle_.push_back(std::move(conn));
}

void Pool::Abandon(const std::shared_ptr<Waiter>& waiter) {
  std::unique_ptr<Connection> conn;
  {
    std::lock_guard lock(mu_);
    if (!waiter->granted) {
      std::erase(waiters_, waiter);
      return;
    }
    if (!waiter->conn) {
      FreeSlotLocked();
      return;
    }
    conn = std::move(waiter->conn);
  }
  Release(std::move(conn));
}

// Never throws: every failure frees the slot and is an error.
Task<Result<Lease>> Pool::OpenNew() {
  auto ex = co_await asio::this_coro::executor;
  Result<std::unique_ptr<Connection>> conn = std::unexpected(Error{});
  try {
    conn = co_await Connection::Connect(ex, options_.conninfo, options_.connect_timeout);
  } catch (const std::exception& e) {  // cancelled: the request's deadline passed
    conn = std::unexpected(ConnectionLost(e.what()));
  }
  if (!conn) {
    std::lock_guard lock(mu_);
    FreeSlotLocked();
    co_return std::unexpected(conn.error());
  }
  (*conn)->UsePreparedStatements(options_.prepared_statements);
  co_return Lease(this, std::move(*conn));
}

Task<Result<Lease>> Pool::Acquire() {
  auto ex = co_await asio::this_coro::executor;
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      co_return Lease(this, std::move(conn));
    }
    if (total_ < options_.max_size) {
      ++total_;
    } else {
      waiter = std::make_shared<Waiter>(ex);
      waiter->timer.expires_after(options_.acquire_timeout);
      waiters_.push_back(waiter);
    }
  }
  if (!waiter) {
    // (Asio checks for cancellation at every co_await, also before OpenNew runs: a cancelled
    // request throws right here, holding a slot it must give back. OpenNew itself never throws.)
    try {
      co_return co_await OpenNew();
    } catch (...) {
      std::lock_guard lock(mu_);
      FreeSlotLocked();
      throw;
    }
  }

  boost::system::error_code ec;
  try {
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  } catch (...) {
    // A cancelled request throws here without having waited: leave the queue, and hand on
    // whatever was granted meanwhile, or the slot would be lost for good.
    Abandon(waiter);
    throw;
  }
  {
    std::lock_guard lock(mu_);
    if (!waiter->granted) {
      std::erase(waiters_, waiter);
      co_return std::unexpected(Error{ErrorKind::kUnavailable,
                                      "database_busy",
                                      "El servidor está ocupado; intente de nuevo.",
                                      {},
                                      "timed out waiting for a pooled connection"});
    }
    if (waiter->conn) co_return Lease(this, std::move(waiter->conn));
  }
  try {  // granted a slot: as above
    co_return co_await OpenNew();
  } catch (...) {
    std::lock_guard lock(mu_);
    FreeSlotLocked();
    throw;
  }
}

}  // namespace vertice::db
