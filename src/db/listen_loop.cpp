#include "db/listen_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::db {

namespace asio = boost::asio;

Task<void> RunListenLoop(ListenLoop loop, std::shared_ptr<std::atomic<bool>> stop) {
  auto ex = co_await asio::this_coro::executor;
  constexpr auto kFirstBackoff = std::chrono::milliseconds(250);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
  auto backoff = kFirstBackoff;
  while (!*stop) {
    auto conn = co_await Connection::Connect(ex, loop.conninfo, std::chrono::seconds(5));
    if (conn) {
      (*conn)->UsePreparedStatements(false);
      bool started = co_await loop.session(**conn);
      if (started) backoff = kFirstBackoff;
    }
    loop.on_lost();
    if (*stop) break;
    spdlog::warn("{}", loop.lost_warning);
    asio::steady_timer timer(ex, backoff);
    co_await timer.async_wait(asio::use_awaitable);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace vertice::db
