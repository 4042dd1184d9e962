// One libpq connection driven asynchronously on Boost.Asio (non-blocking libpq + socket waits).
// Hand-written because no Debian-packaged library drives libpq on Asio (libpqxx 6 blocks).
#pragma once

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "db/rows.hpp"
#include "db/sqlstate.hpp"

namespace vertice::db {

using Params = std::vector<std::optional<std::string>>;

// Builds Params without a braced list: GCC 12 cannot compile an initializer_list inside a
// co_await expression ("array used as initializer"), so call sites write P(a, b, c).
template <typename... Args>
Params P(Args&&... args) {
  Params p;
  p.reserve(sizeof...(args));
  (p.emplace_back(std::forward<Args>(args)), ...);
  return p;
}
// A text[] parameter value: every element double-quoted and escaped ("{\"a\",\"b\"}").
std::string TextArrayLiteral(const std::vector<std::string>& values);

template <typename T>
using Task = boost::asio::awaitable<T>;

// A statement and its bound parameters, for Connection::ExecuteBatch.
struct Statement {
  std::string sql;
  Params params;
};

struct Notification {
  std::string channel;
  std::string payload;
};

// PostgreSQL's warning that a COMMIT's wait for synchronous replication was cancelled.
bool IsUnconfirmedCommitWarning(std::string_view message);

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects without blocking the executor; fails with database_unavailable after `timeout`.
  static Task<Result<std::unique_ptr<Connection>>> Connect(boost::asio::any_io_executor ex, std::string conninfo,
                                                           std::chrono::milliseconds timeout);

  // One statement with bound parameters; the statement is prepared once per connection and kept
  // in a bounded cache (least recently used ones are deallocated), so callers that vary the SQL
  // text cannot grow this process's or PostgreSQL's memory without bound.
  // Arguments are taken by value: the coroutine may outlive the caller's temporaries.
  Task<Result<Rows>> Execute(std::string sql, Params params = {});
  // Several statements with bound parameters in one round trip (libpq pipeline mode); each one's
  // rows in order. The first failure ends the batch: later statements do not run, and inside a
  // transaction the transaction is aborted (the caller rolls back).
  Task<Result<std::vector<Rows>>> ExecuteBatch(std::vector<Statement> statements);
  // Several statements without parameters (migrations, BEGIN/COMMIT); returns the last result.
  Task<Result<Rows>> ExecuteScript(std::string sql);
  // Waits until at least one NOTIFY arrives (for LISTEN connections).
  Task<Result<std::vector<Notification>>> WaitNotifications();

  bool Broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }
  // True once PostgreSQL warned that a COMMIT stopped waiting for its synchronous standby: the
  // transaction committed on the primary but may be on no standby, so it must not be reported
  // as durable. Reading clears it.
  bool TakeUnconfirmedCommit() { return std::exchange(unconfirmed_commit_, false); }
  PGTransactionStatusType TxStatus() const { return PQtransactionStatus(conn_); }
  void UsePreparedStatements(bool on) { prepare_ = on; }
  static constexpr size_t kPreparedCapacity = 256;
  size_t PreparedCount() const { return prepared_.size(); }

 private:
  Connection(boost::asio::any_io_executor ex, PGconn* conn) : ex_(std::move(ex)), conn_(conn) {}
  Task<Status> WaitSocket(bool for_write);
  Task<Status> Flush();
  Task<Result<Rows>> CollectResults();
  Task<Status> AwaitResult();
  // The prepared statement's name for `sql` (prepared on first use, least recently used evicted).
  Task<Result<std::string>> PreparedName(const std::string& sql, int n_params);
  Error MarkBroken(std::string_view why);

  boost::asio::any_io_executor ex_;
  PGconn* conn_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;  // our dup() of libpq's socket
  bool broken_ = false;
  bool prepare_ = true;
  bool unconfirmed_commit_ = false;
  struct Prepared {
    std::string name;
    std::list<std::string>::iterator recency;
  };
  std::unordered_map<std::string, Prepared> prepared_;  // sql -> statement
  std::list<std::string> recency_;                      // most recently used first
  uint64_t next_statement_ = 0;
};

// Runs body() between BEGIN and COMMIT on a direct (unpooled) connection; rolls back on error.
// For operator commands and the migration runner; request handlers use Pool::InTransaction.
template <typename Fn>
Task<Status> Atomically(Connection& conn, Fn body) {
  VERTICE_CO_TRY(co_await conn.ExecuteScript("BEGIN"));
  Status st = co_await body();
  if (!st) {
    (void)co_await conn.ExecuteScript("ROLLBACK");
    co_return st;
  }
  (void)conn.TakeUnconfirmedCommit();
  VERTICE_CO_TRY(co_await conn.ExecuteScript("COMMIT"));
  if (conn.TakeUnconfirmedCommit()) co_return std::unexpected(CommitUnconfirmed());
  co_return Status{};
}

}  // namespace vertice::db
