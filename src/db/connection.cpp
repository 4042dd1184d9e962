#include "db/connection.hpp"

#include <fmt/format.h>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "db/sqlstate.hpp"

namespace vertice::db {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

// libpq owns its socket and closes it by itself when the connection breaks; the number is then
// free for the next socket anyone opens. Asio must therefore never be given libpq's own fd: a
// descriptor released or destroyed later deregisters that *number* from epoll (EPOLL_CTL_DEL),
// silently removing whichever new socket now has it — a lost wakeup (ADR 0012). We give Asio a
// dup() that we own and close: its number cannot be reused while we still refer to it.
Result<asio::posix::stream_descriptor> OwnDescriptor(asio::any_io_executor ex, int libpq_fd) {
  if (libpq_fd < 0) return std::unexpected(ConnectionLost("no socket"));
  int fd = ::fcntl(libpq_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(ConnectionLost(fmt::format("dup: {}", std::strerror(errno))));
  return asio::posix::stream_descriptor(ex, fd);
}

// Waits on a socket during connection set-up (libpq may switch sockets between polls).
Task<bool> WaitFd(asio::any_io_executor ex, int fd, bool for_write,
                  std::optional<std::chrono::steady_clock::time_point> deadline) {
  auto sd = OwnDescriptor(ex, fd);
  if (!sd) co_return false;
  auto wait = for_write ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read;
  bool ok = true;
  try {
    if (deadline) {
      asio::steady_timer timer(ex, *deadline);
      auto which = co_await (sd->async_wait(wait, asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
      ok = which.index() == 0;
    } else {
      co_await sd->async_wait(wait, asio::use_awaitable);
    }
  } catch (const boost::system::system_error&) {
    ok = false;
  }
  co_return ok;
}

}  // namespace

Connection::~Connection() {
  socket_.reset();  // closes our dup; libpq closes its own socket in PQfinish
  PQfinish(conn_);
}

bool IsUnconfirmedCommitWarning(std::string_view message) {
  // syncrep.c's two texts (cancel; terminate); lc_messages must stay English (the default).
  return message.starts_with("canceling wait for synchronous replication") ||
         message.starts_with("canceling the wait for synchronous replication");
}

Error Connection::MarkBroken(std::string_view why) {
  broken_ = true;
  return ConnectionLost(fmt::format("{}: {}", why, PQerrorMessage(conn_)));
}

Task<Result<std::unique_ptr<Connection>>> Connection::Connect(asio::any_io_executor ex, std::string conninfo,
                                                              std::chrono::milliseconds timeout) {
  // Later keywords override what the DSN says: the server always talks UTC and names itself.
  // A backend whose client went away (a request cut at its deadline drops its connection) stops
  // its query within a second instead of running it to the end.
  const char* keys[] = {"dbname", "application_name", "options", nullptr};
  const char* values[] = {conninfo.c_str(), "vertice", "-c TimeZone=UTC -c client_connection_check_interval=1000",
                          nullptr};
  PGconn* raw = PQconnectStartParams(keys, values, 1);
  if (raw == nullptr) co_return std::unexpected(ConnectionLost("out of memory"));
  std::unique_ptr<Connection> conn(new Connection(ex, raw));
  if (PQstatus(raw) == CONNECTION_BAD) co_return std::unexpected(conn->MarkBroken("connect"));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (true) {
    if (poll == PGRES_POLLING_OK) break;
    if (poll == PGRES_POLLING_FAILED) co_return std::unexpected(conn->MarkBroken("connect"));
    bool ok = co_await WaitFd(ex, PQsocket(raw), poll == PGRES_POLLING_WRITING, deadline);
    if (!ok) co_return std::unexpected(ConnectionLost("connect timeout"));
    poll = PQconnectPoll(raw);
  }
  // Server NOTICEs ("relation already exists, skipping") are not errors: kept off stderr. One
  // WARNING matters: a COMMIT whose wait for the synchronous standby was cancelled (statement
  // timeout, cancel, shutdown) has committed on this node only, yet reports success.
  PQsetNoticeReceiver(
      raw,
      [](void* self, const PGresult* notice) {
        const char* text = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
        if (text != nullptr && IsUnconfirmedCommitWarning(text))
          static_cast<Connection*>(self)->unconfirmed_commit_ = true;
      },
      conn.get());
  if (PQsetnonblocking(raw, 1) != 0) co_return std::unexpected(conn->MarkBroken("nonblocking"));
  auto socket = OwnDescriptor(ex, PQsocket(raw));
  if (!socket) co_return std::unexpected(socket.error());
  conn->socket_ = std::make_unique<asio::posix::stream_descriptor>(std::move(*socket));
  co_return conn;
}

Task<Status> Connection::WaitSocket(bool for_write) {
  boost::system::error_code ec;
  auto wait = for_write ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read;
  co_await socket_->async_wait(wait, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(MarkBroken("socket wait: " + ec.message()));
  co_return Status{};
}

Task<Status> Connection::Flush() {
  while (true) {
    int r = PQflush(conn_);
    if (r == 0) co_return Status{};
    if (r < 0) co_return std::unexpected(MarkBroken("flush"));
    VERTICE_CO_TRY(co_await WaitSocket(true));
    if (PQconsumeInput(conn_) == 0) co_return std::unexpected(MarkBroken("consume"));
  }
}

Task<Result<Rows>> Connection::CollectResults() {
  VERTICE_CO_TRY(co_await Flush());
  Rows last;
  std::optional<Error> error;
  while (true) {
    VERTICE_CO_TRY(co_await AwaitResult());
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) break;
    auto st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      if (!error) error = ErrorFromResult(res);
      PQclear(res);
      continue;
    }
    last = Rows(res);
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    co_return std::unexpected(error ? *error : ConnectionLost("connection closed"));
  }
  if (error) {
    if (IsConnectionError(*error)) broken_ = true;
    co_return std::unexpected(*error);
  }
  co_return last;
}

Task<Result<std::string>> Connection::PreparedName(const std::string& sql, int n_params) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    co_return it->second.name;
  }
  if (prepared_.size() >= kPreparedCapacity) {
    auto oldest = prepared_.find(recency_.back());
    const std::string evicted = oldest->second.name;
    recency_.pop_back();
    prepared_.erase(oldest);
    VERTICE_CO_TRY(co_await ExecuteScript("DEALLOCATE " + evicted));
  }
  std::string name = fmt::format("v{}", ++next_statement_);
  if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), n_params, nullptr))
    co_return std::unexpected(MarkBroken("prepare"));
  VERTICE_CO_TRY(co_await CollectResults());
  recency_.push_front(sql);
  prepared_.emplace(sql, Prepared{name, recency_.begin()});
  co_return name;
}

namespace {
std::vector<const char*> ValuePointers(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}
}  // namespace

Task<Result<Rows>> Connection::Execute(std::string sql, Params params) {
  if (broken_) co_return std::unexpected(ConnectionLost("connection marked broken"));
  const auto values = ValuePointers(params);
  const int n = static_cast<int>(params.size());
  if (!prepare_) {
    if (!PQsendQueryParams(conn_, sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0))
      co_return std::unexpected(MarkBroken("send"));
    co_return co_await CollectResults();
  }
  VERTICE_CO_ASSIGN_OR_RETURN(auto name, co_await PreparedName(sql, n));
  if (!PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), nullptr, nullptr, 0))
    co_return std::unexpected(MarkBroken("send"));
  co_return co_await CollectResults();
}

// Waits until PQgetResult can answer without blocking.
Task<Status> Connection::AwaitResult() {
  while (PQisBusy(conn_)) {
    VERTICE_CO_TRY(co_await WaitSocket(false));
    if (PQconsumeInput(conn_) == 0) co_return std::unexpected(MarkBroken("consume"));
  }
  co_return Status{};
}

Task<Result<std::vector<Rows>>> Connection::ExecuteBatch(std::vector<Statement> statements) {
  if (broken_) co_return std::unexpected(ConnectionLost("connection marked broken"));
  // Statements are prepared (on first use per connection) before the pipeline starts.
  std::vector<std::string> names(statements.size());
  if (prepare_) {
    for (size_t i = 0; i < statements.size(); ++i) {
      VERTICE_CO_ASSIGN_OR_RETURN(
          names[i], co_await PreparedName(statements[i].sql, static_cast<int>(statements[i].params.size())));
    }
  }
  if (PQenterPipelineMode(conn_) == 0) co_return std::unexpected(MarkBroken("pipeline"));
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto values = ValuePointers(statements[i].params);
    const int n = static_cast<int>(values.size());
    const int sent =
        prepare_ ? PQsendQueryPrepared(conn_, names[i].c_str(), n, values.data(), nullptr, nullptr, 0)
                 : PQsendQueryParams(conn_, statements[i].sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
    if (sent == 0) co_return std::unexpected(MarkBroken("send"));
  }
  if (PQpipelineSync(conn_) == 0) co_return std::unexpected(MarkBroken("sync"));
  VERTICE_CO_TRY(co_await Flush());
  // Each statement's results end with a null result; the sync's own result ends the batch.
  std::vector<Rows> out(statements.size());
  std::optional<Error> error;
  size_t index = 0;
  while (true) {
    VERTICE_CO_TRY(co_await AwaitResult());
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      if (PQstatus(conn_) != CONNECTION_OK) break;
      ++index;
      continue;
    }
    const auto st = PQresultStatus(res);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      if (!error) error = ErrorFromResult(res);
      PQclear(res);
      continue;
    }
    if (st == PGRES_PIPELINE_ABORTED || index >= out.size()) {
      PQclear(res);
      continue;
    }
    out[index] = Rows(res);
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    co_return std::unexpected(error ? *error : ConnectionLost("connection closed"));
  }
  if (PQexitPipelineMode(conn_) == 0) co_return std::unexpected(MarkBroken("pipeline exit"));
  if (error) {
    if (IsConnectionError(*error)) broken_ = true;
    co_return std::unexpected(*error);
  }
  co_return out;
}

Task<Result<Rows>> Connection::ExecuteScript(std::string sql) {
  if (broken_) co_return std::unexpected(ConnectionLost("connection marked broken"));
  if (!PQsendQuery(conn_, sql.c_str())) co_return std::unexpected(MarkBroken("send"));
  co_return co_await CollectResults();
}

Task<Result<std::vector<Notification>>> Connection::WaitNotifications() {
  std::vector<Notification> out;
  while (out.empty()) {
    if (PQconsumeInput(conn_) == 0) co_return std::unexpected(MarkBroken("consume"));
    while (PGnotify* n = PQnotifies(conn_)) {
      out.push_back({n->relname, n->extra});
      PQfreemem(n);
    }
    if (!out.empty()) break;
    VERTICE_CO_TRY(co_await WaitSocket(false));
  }
  co_return out;
}

}  // namespace vertice::db
