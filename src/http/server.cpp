#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "http/error_response.hpp"

namespace vertice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {
    boost::system::error_code ec;
    auto remote = stream.socket().remote_endpoint(ec);
    if (!ec) client_ip = remote.address().to_string();
  }
  beast::tcp_stream stream;
  std::string client_ip;  // looked up once per connection, not per request
  std::atomic<bool> idle{true};
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& context, ServerOptions o, RequestHandler h)
      : ioc(context), options(std::move(o)), handler(std::move(h)), acceptor(context), shutdown_timer(context) {}

  asio::io_context& ioc;
  ServerOptions options;
  RequestHandler handler;
  tcp::acceptor acceptor;
  asio::steady_timer shutdown_timer;
  std::atomic<bool> draining{false};
  mutable std::mutex mu;
  std::unordered_set<std::shared_ptr<Connection>> connections;
  std::unordered_map<std::string, size_t> per_ip;  // open connections by client address
  std::function<void()> on_drained;

  asio::awaitable<void> AcceptLoop() {
    auto self = shared_from_this();
    while (!draining) {
      boost::system::error_code ec;
      tcp::socket socket(asio::make_strand(ioc));
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || draining) break;
        spdlog::warn("accept failed: {}", ec.message());
        // Out of descriptors (EMFILE) fails every accept at once: pause instead of spinning.
        asio::steady_timer pause(ioc, std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket));
      int refused = 0;
      {
        std::lock_guard lock(mu);
        auto& from_ip = per_ip[conn->client_ip];
        if (connections.size() >= options.max_connections)
          refused = 503;
        else if (from_ip >= options.max_connections_per_ip)
          refused = 429;
        if (refused == 0) {
          ++from_ip;
          connections.insert(conn);
        } else if (from_ip == 0) {
          per_ip.erase(conn->client_ip);
        }
      }
      auto ex = conn->stream.get_executor();
      if (refused != 0) {
        asio::co_spawn(ex, Refuse(conn, refused), asio::detached);
        continue;
      }
      asio::co_spawn(ex, Session(conn), asio::detached);
    }
  }

  static Response Plain(int status, std::string code, std::string message) {
    return ErrorResponse(Error{status == 413 ? ErrorKind::kPayloadTooLarge : ErrorKind::kInvalidInput,
                               std::move(code),
                               std::move(message),
                               {},
                               {}});
  }

  asio::awaitable<void> Write(Connection& c, Response& r, unsigned version, bool keep_alive, bool head) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "vertice");
    res.set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res.insert(k, v);
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    if (head) res.body().clear();
    c.stream.expires_after(options.write_timeout);
    boost::system::error_code ec;
    if (head) {
      bhttp::response_serializer<bhttp::string_body> sr{res};
      co_await bhttp::async_write_header(c.stream, sr, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await bhttp::async_write(c.stream, res, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) throw boost::system::system_error(ec);
  }

  struct ChunkWriter final : StreamWriter {
    ChunkWriter(Connection& c, const Impl& i) : conn(c), impl(i) {}
    asio::awaitable<bool> Write(std::string data) override {
      if (!ok) co_return false;
      boost::system::error_code ec;
      conn.stream.expires_after(impl.options.write_timeout);
      co_await asio::async_write(conn.stream, bhttp::make_chunk(asio::buffer(data)),
                                 asio::redirect_error(asio::use_awaitable, ec));
      conn.stream.expires_never();
      ok = !ec;
      co_return ok;
    }
    bool Draining() const override { return impl.draining.load(); }
    Connection& conn;
    const Impl& impl;
    bool ok = true;
  };

  // Streams a response: headers with chunked encoding, the handler's pieces, the last chunk.
  asio::awaitable<void> WriteStream(Connection& c, Response& r, unsigned version) {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "vertice");
    res.set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res.insert(k, v);
    res.chunked(true);
    res.keep_alive(false);
    boost::system::error_code ec;
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    c.stream.expires_after(options.write_timeout);
    co_await bhttp::async_write_header(c.stream, sr, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    c.stream.expires_never();
    ChunkWriter writer(c, *this);
    co_await r.stream(writer);
    if (writer.ok) {
      c.stream.expires_after(options.write_timeout);
      co_await asio::async_write(c.stream, bhttp::make_chunk_last(), asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // After refusing a request early, read and discard what the client is still sending (bounded
  // in time) so it receives our answer instead of a connection reset.
  asio::awaitable<void> LingeringClose(Connection& c) {
    boost::system::error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.expires_after(std::chrono::seconds(5));
    std::array<char, 16384> sink;
    while (!ec) {
      co_await c.stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // Over the connection caps: one short answer, without reading the request, then close.
  asio::awaitable<void> Refuse(std::shared_ptr<Connection> conn, int status) {
    spdlog::warn("refused a connection from {}: {}", conn->client_ip,
                 status == 429 ? "too many from this address" : "too many connections");
    auto r = ErrorResponse(Error{status == 429 ? ErrorKind::kRateLimited : ErrorKind::kUnavailable,
                                 "too_many_connections",
                                 "Demasiadas conexiones abiertas; intente de nuevo en unos segundos.",
                                 {},
                                 {}});  // with Retry-After: kDefaultRetryAfter
    try {
      co_await Write(*conn, r, 11, false, false);
    } catch (const std::exception&) {
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
  }

  asio::awaitable<void> Session(std::shared_ptr<Connection> conn) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    try {
      while (!draining) {
        boost::system::error_code ec;
        conn->idle = true;
        if (buffer.size() == 0) {
          conn->stream.expires_after(options.idle_timeout);
          size_t n = co_await conn->stream.async_read_some(buffer.prepare(4096),
                                                           asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;  // closed, idle timeout or shutdown
          buffer.commit(n);
        }
        conn->idle = false;
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        parser.body_limit(options.body_limit);
        conn->stream.expires_after(options.header_timeout);
        co_await bhttp::async_read_header(conn->stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        Request req;
        if (!ec) {
          const auto& h = parser.get();
          req.method = std::string(h.method_string());
          std::string_view target = h.target();
          auto q = target.find('?');
          req.path = std::string(target.substr(0, q));
          if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
          for (const auto& f : h) {
            std::string name(f.name_string());
            for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            req.headers.emplace_back(std::move(name), std::string(f.value()));
          }
          req.client_ip = conn->client_ip;
          // How much body this request may send depends on who sends it (decided by the app).
          size_t limit = options.body_limit;
          if (options.body_limit_for) limit = std::min(limit, co_await options.body_limit_for(req));
          parser.body_limit(limit);
          // Refuse an oversized declared body before reading it.
          auto cl = h.find(bhttp::field::content_length);
          if (cl != h.end()) {
            unsigned long long declared = 0;
            try {
              declared = std::stoull(std::string(cl->value()));
            } catch (...) {
              declared = 0;
            }
            if (declared > limit) ec = bhttp::error::body_limit;
          }
        }
        if (!ec) {
          conn->stream.expires_after(options.body_timeout);
          co_await bhttp::async_read(conn->stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec == bhttp::error::body_limit) {
          auto r = Plain(413, "payload_too_large", "El cuerpo de la solicitud excede el límite permitido.");
          co_await Write(*conn, r, 11, false, false);
          co_await LingeringClose(*conn);
          break;
        }
        if (ec == bhttp::error::header_limit) {
          auto r = Plain(431, "headers_too_large", "Los encabezados de la solicitud son demasiado grandes.");
          r.status = 431;
          co_await Write(*conn, r, 11, false, false);
          break;
        }
        if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
          break;
        }
        if (ec) {
          auto r = Plain(400, "bad_request", "Solicitud HTTP mal formada.");
          co_await Write(*conn, r, 11, false, false);
          break;
        }
        auto msg = parser.release();
        req.body = std::move(msg.body());
        conn->stream.expires_never();
        Response resp;
        try {
          // Only origin-form ("/path?query") names a resource here: "*", "x" and absolute URLs do not.
          // (An if, not ?:: GCC 12 mis-orders the temporaries of a co_await inside a conditional.)
          if (req.path.starts_with('/')) {
            resp = co_await handler(req);
          } else {
            resp = Plain(400, "invalid_target", "El destino de la solicitud debe ser una ruta que empiece con «/».");
          }
        } catch (const std::exception& e) {
          spdlog::error("unhandled exception in request handler: {}", e.what());
          resp = ErrorResponse(Error{ErrorKind::kInternal, "internal", "Error interno.", {}, {}});
        }
        if (resp.stream && req.method != "HEAD") {
          co_await WriteStream(*conn, resp, msg.version());
          break;
        }
        bool keep_alive = msg.keep_alive() && !resp.close && !draining;
        co_await Write(*conn, resp, msg.version(), keep_alive, req.method == "HEAD");
        if (!keep_alive) break;
      }
    } catch (const std::exception& e) {
      spdlog::debug("connection ended: {}", e.what());
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
    Forget(conn);
  }

  void Forget(const std::shared_ptr<Connection>& conn) {
    std::function<void()> done;
    {
      std::lock_guard lock(mu);
      connections.erase(conn);
      if (auto it = per_ip.find(conn->client_ip); it != per_ip.end() && --it->second == 0) per_ip.erase(it);
      if (draining && connections.empty() && on_drained) done = std::move(on_drained);
    }
    if (done) {
      shutdown_timer.cancel();
      done();
    }
  }
};

Server::Server(asio::io_context& ioc, ServerOptions options, RequestHandler handler)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(handler))) {}

Server::~Server() = default;

Result<unsigned short> Server::Start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec)
    return Fail(ErrorKind::kInvalidInput, "invalid_listen_address", "Dirección inválida: " + impl_->options.address);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(
        ErrorKind::kUnavailable, "listen_failed",
        fmt::format("No se pudo escuchar en {}:{}: {}", impl_->options.address, impl_->options.port, ec.message()));
  }
  asio::co_spawn(impl_->ioc, impl_->AcceptLoop(), asio::detached);
  return a.local_endpoint().port();
}

void Server::Shutdown(std::chrono::milliseconds deadline, std::function<void()> done) {
  auto impl = impl_;
  asio::post(impl->ioc, [impl, deadline, done = std::move(done)]() mutable {
    impl->draining = true;
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    std::vector<std::shared_ptr<Connection>> conns;
    {
      std::lock_guard lock(impl->mu);
      if (impl->connections.empty()) {
        done();
        return;
      }
      impl->on_drained = std::move(done);
      conns.assign(impl->connections.begin(), impl->connections.end());
    }
    // Idle keep-alive connections close now; busy ones finish their request first.
    for (auto& c : conns) {
      asio::post(c->stream.get_executor(), [c] {
        if (c->idle) c->stream.cancel();
      });
    }
    impl->shutdown_timer.expires_after(deadline);
    impl->shutdown_timer.async_wait([impl](boost::system::error_code wait_ec) {
      if (wait_ec) return;
      std::vector<std::shared_ptr<Connection>> left;
      {
        std::lock_guard lock(impl->mu);
        left.assign(impl->connections.begin(), impl->connections.end());
      }
      spdlog::warn("shutdown deadline passed with {} connection(s) open; closing them", left.size());
      for (auto& c : left) asio::post(c->stream.get_executor(), [c] { c->stream.close(); });
      // A request still running cannot answer on a closed socket; give it a moment to notice,
      // then stop regardless: a shutdown never waits without a bound.
      impl->shutdown_timer.expires_after(std::chrono::seconds(2));
      impl->shutdown_timer.async_wait([impl](boost::system::error_code grace_ec) {
        if (grace_ec) return;
        std::function<void()> stop;
        size_t busy = 0;
        {
          std::lock_guard lock(impl->mu);
          stop = std::move(impl->on_drained);
          busy = impl->connections.size();
        }
        if (!stop) return;
        spdlog::error("{} connection(s) still busy after the shutdown deadline; stopping anyway", busy);
        stop();
      });
    });
  });
}

size_t Server::OpenConnections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections.size();
}

}  // namespace vertice::http
