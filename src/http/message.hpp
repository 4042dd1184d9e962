// The server's own request/response types: handlers never see Boost.Beast (only server.cpp does).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vertice::http {

using Headers = std::vector<std::pair<std::string, std::string>>;  // names lower-case

struct Request {
  std::string method;
  std::string path;   // decoded-free raw path, without the query
  std::string query;  // raw query string without '?'
  Headers headers;
  std::string body;
  std::string client_ip;
  bool secure = false;  // arrived over TLS (or a trusted proxy said so)

  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return true;
    }
    return false;
  }
};

// A long-lived response body written in pieces (Server-Sent Events): the server sends the
// headers with chunked encoding, then the handler's stream writes until it returns.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // False once the client is gone (then stop writing).
  virtual boost::asio::awaitable<bool> Write(std::string data) = 0;
  // True when the server is shutting down: finish promptly.
  virtual bool Draining() const = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  bool close = false;  // ask the server to close the connection after this response
  // Set for streamed responses; `body` is then ignored and the connection closes afterwards.
  std::function<boost::asio::awaitable<void>(StreamWriter&)> stream;

  void SetHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// What the server calls for every complete request; the application decides everything else.
using RequestHandler = std::function<boost::asio::awaitable<Response>(Request&)>;

}  // namespace vertice::http
