#include "freshness/change_feed.hpp"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::freshness {

namespace asio = boost::asio;

struct ChangeFeed::Subscriber {
  std::string company_id;
  std::atomic<uint64_t> version{0};  // bumped by every notice; the stream sends when it moved
  std::mutex mu;
  std::optional<asio::any_io_executor> executor;
  asio::steady_timer* timer = nullptr;  // lives in the stream's coroutine frame; touched on its executor
};

void ChangeFeed::Wake(const std::shared_ptr<Subscriber>& s) {
  ++s->version;
  std::lock_guard lock(s->mu);
  if (s->executor)
    asio::post(*s->executor, [s] {
      std::lock_guard inner(s->mu);
      if (s->timer) s->timer->cancel();
    });
}

void ChangeFeed::Publish(const std::string& company_id) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mu_);
    auto [a, b] = by_company_.equal_range(company_id);
    for (auto it = a; it != b; ++it) targets.push_back(it->second);
  }
  for (auto& s : targets) Wake(s);
}

void ChangeFeed::PublishAll() {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mu_);
    for (auto& [_, s] : by_company_) targets.push_back(s);
  }
  for (auto& s : targets) Wake(s);
}

size_t ChangeFeed::Subscribers() const {
  std::lock_guard lock(mu_);
  return by_company_.size();
}

void ChangeFeed::Remove(const std::shared_ptr<Subscriber>& s) {
  std::lock_guard lock(mu_);
  for (auto it = by_company_.begin(); it != by_company_.end(); ++it) {
    if (it->second == s) {
      by_company_.erase(it);
      break;
    }
  }
}

http::Response ChangeFeed::Subscribe(const http::Request&, std::string tenant_id, std::string company_id) {
  auto sub = std::make_shared<Subscriber>();
  sub->company_id = company_id;
  {
    std::lock_guard lock(mu_);
    by_company_.emplace(company_id, sub);
  }
  http::Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("X-Accel-Buffering", "no");  // proxies must not hold the events back
  r.stream = [this, sub, tenant_id, company_id](http::StreamWriter& out) -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    {
      std::lock_guard lock(sub->mu);
      sub->executor = co_await asio::this_coro::executor;
      sub->timer = &timer;
    }
    uint64_t sent = sub->version.load();
    bool open = co_await out.Write(
        fmt::format("retry: 3000\nevent: ready\ndata: {{\"company_id\":\"{}\",\"listening\":{}}}\n\n", company_id,
                    connected_.load() ? "true" : "false"));
    auto last_write = std::chrono::steady_clock::now();
    while (open && !out.Draining()) {
      if (sub->version.load() != sent) {
        sent = sub->version.load();
        open = co_await out.Write(fmt::format("event: change\ndata: {{\"company_id\":\"{}\"}}\n\n", company_id));
        last_write = std::chrono::steady_clock::now();
        continue;
      }
      if (std::chrono::steady_clock::now() - last_write >= heartbeat) {
        open = co_await out.Write(": ping\n\n");  // also finds clients that went away
        last_write = std::chrono::steady_clock::now();
        continue;
      }
      // Sleep until a notice (the feed cancels the timer) or a second passes (shutdown check).
      timer.expires_after(std::chrono::seconds(1));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    {
      std::lock_guard lock(sub->mu);
      sub->timer = nullptr;
      sub->executor.reset();
    }
    Remove(sub);
    (void)tenant_id;
  };
  return r;
}

db::Task<void> ChangeFeed::Listen(std::string conninfo, std::shared_ptr<std::atomic<bool>> stop) {
  auto ex = co_await asio::this_coro::executor;
  auto backoff = std::chrono::milliseconds(250);
  while (!*stop) {
    auto conn = co_await db::Connection::Connect(ex, conninfo, std::chrono::seconds(5));
    if (conn) {
      (*conn)->UsePreparedStatements(false);
      auto start = co_await (*conn)->Execute("SELECT coalesce(max(change_id), 0)::text AS id FROM universal_changes");
      if (start) {
        connected_ = true;
        backoff = std::chrono::milliseconds(250);
        PublishAll();  // changes while we were not polling are unknown: everyone re-reads
        // Identities are taken at insert and become visible at commit, so a notice can appear
        // below the highest one seen: every poll looks back kLookback ids and skips those it
        // already delivered.
        int64_t high = std::stoll(start->Str(0, "id"));
        std::set<int64_t> delivered;
        while (!*stop) {
          auto rows = co_await (*conn)->Execute(
              "SELECT change_id, company_id FROM universal_changes WHERE change_id > $1::bigint ORDER BY change_id",
              db::P(std::to_string(std::max<int64_t>(0, high - kLookback))));
          if (!rows) break;
          std::set<std::string> companies;
          for (int i = 0; i < rows->Size(); ++i) {
            int64_t id = rows->Int(i, "change_id");
            if (!delivered.insert(id).second) continue;
            companies.insert(rows->Str(i, "company_id"));
            high = std::max(high, id);
          }
          for (const auto& c : companies) Publish(c);
          delivered.erase(delivered.begin(), delivered.lower_bound(high - kLookback));
          asio::steady_timer tick(ex, poll_interval);
          co_await tick.async_wait(asio::use_awaitable);
        }
      }
    }
    connected_ = false;
    if (*stop) break;
    spdlog::warn("change feed disconnected; dashboards get no live notices until it reconnects");
    asio::steady_timer timer(ex, backoff);
    co_await timer.async_wait(asio::use_awaitable);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace vertice::freshness
