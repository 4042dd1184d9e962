#include "freshness/change_feed.hpp"

#include <algorithm>
#include <set>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/listen_loop.hpp"

namespace vertice::freshness {

namespace asio = boost::asio;

struct ChangeFeed::Subscriber {
  std::string company_id;
  std::atomic<uint64_t> version{0};  // bumped by every notice; the subscription looks whether it moved
  std::mutex mu;
  std::optional<asio::any_io_executor> executor;
  asio::steady_timer* timer = nullptr;  // the waiter's, in its coroutine frame; touched on its executor
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

ChangeFeed::Subscription::Subscription(ChangeFeed& feed, std::shared_ptr<Subscriber> state)
    : feed_(feed), state_(std::move(state)), seen_(state_->version.load()) {}

ChangeFeed::Subscription::~Subscription() { feed_.Remove(state_); }

const std::string& ChangeFeed::Subscription::CompanyId() const { return state_->company_id; }

bool ChangeFeed::Subscription::TakeNotice() {
  uint64_t now = state_->version.load();
  if (now == seen_) return false;
  seen_ = now;
  return true;
}

db::Task<void> ChangeFeed::Subscription::WaitForNotice(std::chrono::milliseconds at_most) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, at_most);
  {
    std::lock_guard lock(state_->mu);
    state_->executor = ex;
    state_->timer = &timer;
  }
  // A notice before the timer was registered is seen here; one after it cancels the wait.
  if (state_->version.load() == seen_) {
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  std::lock_guard lock(state_->mu);
  state_->timer = nullptr;
  state_->executor.reset();
}

ChangeCursor::ChangeCursor(int64_t high, int64_t lookback, int give_up_polls)
    : high_(high), floor_(std::max<int64_t>(0, high - lookback)), lookback_(lookback), give_up_polls_(give_up_polls) {}

bool ChangeCursor::Accept(int64_t id) {
  if (id <= floor_ || !above_.insert(id).second) return false;
  high_ = std::max(high_, id);
  return true;
}

void ChangeCursor::Advance() {
  above_.erase(above_.begin(), above_.upper_bound(floor_));
  while (!above_.empty() && *above_.begin() == floor_ + 1) {
    ++floor_;
    above_.erase(above_.begin());
  }
}

void ChangeCursor::Settle() {
  int64_t before = floor_;
  floor_ = std::max(floor_, high_ - lookback_);
  Advance();
  if (floor_ != before || above_.empty()) {
    stalled_ = 0;
  } else if (++stalled_ >= give_up_polls_) {
    floor_ = *above_.begin() - 1;  // the oldest gap never filled: past it
    Advance();
    stalled_ = 0;
  }
}

std::shared_ptr<ChangeFeed::Subscription> ChangeFeed::Subscribe(std::string company_id) {
  auto state = std::make_shared<Subscriber>();
  state->company_id = std::move(company_id);
  {
    std::lock_guard lock(mu_);
    by_company_.emplace(state->company_id, state);
  }
  return std::make_shared<Subscription>(*this, std::move(state));
}

db::Task<void> ChangeFeed::Listen(std::string conninfo, std::shared_ptr<std::atomic<bool>> stop) {
  db::ListenLoop loop;
  loop.conninfo = std::move(conninfo);
  loop.session = [this, stop](db::Connection& conn) -> db::Task<bool> {
    auto ex = co_await asio::this_coro::executor;
    auto start = co_await conn.Execute("SELECT coalesce(max(change_id), 0)::text AS id FROM universal_changes");
    if (!start) co_return false;
    connected_ = true;
    PublishAll();  // changes while we were not polling are unknown: everyone re-reads
    ChangeCursor cursor(std::stoll(start->Str(0, "id")), kLookback, kGiveUpPolls);
    while (!*stop) {
      auto rows = co_await conn.Execute(
          "SELECT change_id, company_id FROM universal_changes WHERE change_id > $1::bigint ORDER BY change_id",
          db::P(std::to_string(cursor.From())));
      if (!rows) break;
      std::set<std::string> companies;
      for (int i = 0; i < rows->Size(); ++i) {
        if (cursor.Accept(rows->Int(i, "change_id"))) companies.insert(rows->Str(i, "company_id"));
      }
      cursor.Settle();
      for (const auto& c : companies) Publish(c);
      asio::steady_timer tick(ex, poll_interval);
      co_await tick.async_wait(asio::use_awaitable);
    }
    co_return true;
  };
  loop.on_lost = [this] { connected_ = false; };
  loop.lost_warning = "change feed disconnected; dashboards get no live notices until it reconnects";
  co_await db::RunListenLoop(std::move(loop), std::move(stop));
}

}  // namespace vertice::freshness
