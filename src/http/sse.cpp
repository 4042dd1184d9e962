#include "http/sse.hpp"

#include <fmt/format.h>

#include <memory>

namespace vertice::http::sse {

namespace asio = boost::asio;

std::string Frame(const Event& e) { return fmt::format("event: {}\ndata: {}\n\n", e.name, e.data); }

Response Stream(Source source, Options options) {
  Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("X-Accel-Buffering", "no");  // proxies must not hold the events back
  auto src = std::make_shared<Source>(std::move(source));
  r.stream = [src, options](StreamWriter& out) -> asio::awaitable<void> {
    std::string hello = fmt::format("retry: {}\n{}", options.retry.count(), Frame(src->greeting()));
    bool open = co_await out.Write(std::move(hello));
    auto last_write = std::chrono::steady_clock::now();
    while (open && !out.Draining()) {
      if (auto event = src->next()) {
        std::string frame = Frame(*event);
        open = co_await out.Write(std::move(frame));
        last_write = std::chrono::steady_clock::now();
        continue;
      }
      if (std::chrono::steady_clock::now() - last_write >= options.heartbeat) {
        open = co_await out.Write(": ping\n\n");
        last_write = std::chrono::steady_clock::now();
        continue;
      }
      co_await src->wait(options.idle_wait);
    }
  };
  return r;
}

}  // namespace vertice::http::sse
