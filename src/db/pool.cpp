#include "db/pool.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::db {

namespace asio = boost::asio;

Lease::~Lease() {  // NOLINT(bugprone-exception-escape): only a failing mutex throws here
  if (conn_) pool_->Release(std::move(conn_));
}

namespace {
// Tenant and company ids are slugs and user ids UUIDs: such values can be written into the SQL
// text as literals, which lets BEGIN and the scope travel in one round trip.
bool IsPlainLiteral(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

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

Task<Status> Transaction::Begin(const TenantScope& scope) {
  scope_ = scope;
  // (No conditional expressions yielding strings here: GCC 12 frees such temporaries in a
  // coroutine frame wrongly.)
  std::string timeout;
  if (scope.statement_timeout.count() > 0) timeout = std::to_string(scope.statement_timeout.count());
  if (IsPlainLiteral(scope.tenant_id) && IsPlainLiteral(scope.company_id) && IsPlainLiteral(scope.user_id)) {
    std::string sql = fmt::format(
        "BEGIN; SELECT set_config('vertice.tenant_id', '{}', true), set_config('vertice.company_id', '{}', true), "
        "set_config('vertice.user_id', '{}', true)",
        scope.tenant_id, scope.company_id, scope.user_id);
    if (!timeout.empty()) sql += fmt::format(", set_config('statement_timeout', '{}', true)", timeout);
    VERTICE_CO_TRY(co_await conn_.ExecuteScript(std::move(sql)));
    co_return Status{};
  }
  VERTICE_CO_TRY(co_await conn_.ExecuteScript("BEGIN"));
  auto set = ScopeStatement(scope);
  VERTICE_CO_TRY(co_await conn_.Execute(std::move(set.sql), std::move(set.params)));
  co_return Status{};
}

Task<Status> Transaction::Commit() {
  if (deferred_.empty()) {
    VERTICE_CO_TRY(co_await conn_.ExecuteScript("COMMIT"));
    co_return Status{};
  }
  std::vector<Statement> batch = std::move(deferred_);
  deferred_.clear();
  batch.push_back({"COMMIT", {}});
  auto done = co_await conn_.ExecuteBatch(std::move(batch));
  if (!done) {
    // A deferred statement failed: COMMIT did not run and the transaction is aborted.
    co_await Rollback();
    co_return std::unexpected(done.error());
  }
  co_return Status{};
}

Task<void> Transaction::Rollback() {
  deferred_.clear();
  if (!conn_.Broken() && conn_.TxStatus() != PQTRANS_IDLE) (void)co_await conn_.ExecuteScript("ROLLBACK");
}

Task<Result<Rows>> Pool::QueryOnce(const TenantScope& scope_arg, std::string sql, Params params) {
  const TenantScope scope = scope_arg;  // NOLINT(performance-unnecessary-copy-initialization): see InTransaction
  constexpr int kMaxAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    auto lease = co_await Acquire();
    if (!lease) co_return std::unexpected(lease.error());
    std::vector<Statement> batch;
    batch.push_back({"BEGIN", {}});
    batch.push_back(ScopeStatement(scope));
    batch.push_back({sql, params});
    batch.push_back({"COMMIT", {}});
    auto answers = co_await (*lease)->ExecuteBatch(std::move(batch));
    if (answers) co_return std::move((*answers)[2]);
    auto& conn = **lease;
    if (!conn.Broken() && conn.TxStatus() != PQTRANS_IDLE) (void)co_await conn.ExecuteScript("ROLLBACK");
    // A connection found dead (the server restarted) is retried once on a new one, as InTransaction does.
    if (IsConnectionError(answers.error()) && attempt == 1) {
      DropIdle();
      continue;
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
