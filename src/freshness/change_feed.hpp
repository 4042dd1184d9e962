// Live change notices for open dashboards: one connection per instance polls universal_changes
// (a row per company per write, appended by the view's maintenance in the writer's transaction;
// V0007 says why not NOTIFY) every poll_interval, and fans each company out to the subscriptions
// of exactly that company. A subscriber learns only that its own company's numbers changed, never
// what or whose else. How a subscription reaches a browser (Server-Sent Events) is http/sse.hpp's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "db/connection.hpp"

namespace vertice::freshness {

// Which change ids a poll still has to read. Identities are taken at insert and become visible
// at commit, so an id can appear below the highest one seen: every id above From() not yet seen
// may still come. Each poll reads only from the oldest such gap (not a fixed window back: under
// a busy write load that was 5,000 rows re-read every 150 ms). A rolled-back insert leaves a gap
// for good, so one is given up once it is `lookback` ids below the highest or has stayed open for
// `give_up_polls` polls.
class ChangeCursor {
 public:
  ChangeCursor(int64_t high, int64_t lookback, int give_up_polls);
  int64_t From() const { return floor_; }  // the poll reads change_id > From()
  bool Accept(int64_t id);                 // true the first time an id is read
  void Settle();                           // after a poll: move From() past what is complete

 private:
  void Advance();

  int64_t high_;
  int64_t floor_;
  int64_t lookback_;
  int give_up_polls_;
  int stalled_ = 0;
  std::set<int64_t> above_;  // ids read above floor_
};

class ChangeFeed {
  struct Subscriber;

 public:
  // One open dashboard's interest in one company; leaves the feed when destroyed.
  class Subscription {
   public:
    Subscription(ChangeFeed& feed, std::shared_ptr<Subscriber> state);
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    const std::string& CompanyId() const;
    // True once for any number of notices since the last call (they say the same: re-read).
    bool TakeNotice();
    // Suspends until a notice may have arrived or `at_most` passes. One waiter at a time.
    db::Task<void> WaitForNotice(std::chrono::milliseconds at_most);

   private:
    ChangeFeed& feed_;
    std::shared_ptr<Subscriber> state_;
    uint64_t seen_ = 0;
  };

  ChangeFeed() = default;
  // Polls for changes (reconnecting with backoff) until `stop`.
  db::Task<void> Listen(std::string conninfo, std::shared_ptr<std::atomic<bool>> stop);
  std::shared_ptr<Subscription> Subscribe(std::string company_id);
  // Delivers a notice to the company's subscribers (what a notification does; tests call it).
  void Publish(const std::string& company_id);
  void PublishAll();  // after a reconnect: anything may have changed

  size_t Subscribers() const;
  bool Connected() const { return connected_.load(); }
  std::chrono::milliseconds poll_interval{150};
  static constexpr int64_t kLookback = 5000;  // ids taken before the highest seen may commit later
  static constexpr int kGiveUpPolls = 400;    // … or for a minute at the default interval

 private:
  void Wake(const std::shared_ptr<Subscriber>& s);
  void Remove(const std::shared_ptr<Subscriber>& s);

  mutable std::mutex mu_;
  std::multimap<std::string, std::shared_ptr<Subscriber>> by_company_;
  std::atomic<bool> connected_{false};
};

}  // namespace vertice::freshness
