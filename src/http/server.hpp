// The HTTP/1.1 server on Boost.Beast + Asio coroutines: keep-alive, body limits, read timeouts
// that stop slow clients from holding a worker, and graceful shutdown. The only Beast user.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vertice::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  size_t body_limit = 10 * 1024 * 1024;
  size_t header_limit = 16 * 1024;
  std::chrono::seconds idle_timeout{75};    // keep-alive wait for the next request
  std::chrono::seconds header_timeout{10};  // from first byte to end of headers
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds write_timeout{60};
  // Beyond these a new connection is answered (503, or 429 for one address) and closed.
  size_t max_connections = 4096;
  size_t max_connections_per_ip = 512;
  // The most body a request may send, from its headers (e.g. less before authentication);
  // unset: body_limit for every request.
  std::function<boost::asio::awaitable<size_t>(const Request&)> body_limit_for;
};

class Server {
 public:
  Server(boost::asio::io_context& ioc, ServerOptions options, RequestHandler handler);
  ~Server();

  // Binds and starts accepting; returns the bound port (useful with port 0).
  Result<unsigned short> Start();
  // Stops accepting, closes idle connections, lets in-flight requests finish; calls `done`
  // when every connection has closed or `deadline` passed (then remaining ones are cut).
  void Shutdown(std::chrono::milliseconds deadline, std::function<void()> done);
  size_t OpenConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vertice::http
