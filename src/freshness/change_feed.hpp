// Live change notices for open dashboards: one connection per instance polls universal_changes
// (a row per company per write, appended by the view's maintenance in the writer's transaction;
// V0007 says why not NOTIFY) every poll_interval, and fans each company out to the Server-Sent
// Events subscribers of exactly that company. A subscriber learns only that its own company's
// numbers changed, never what or whose else.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "db/connection.hpp"
#include "http/message.hpp"

namespace vertice::freshness {

class ChangeFeed {
 public:
  struct Subscriber;

  ChangeFeed() = default;
  // Polls for changes (reconnecting with backoff) until `stop`.
  db::Task<void> Listen(std::string conninfo, std::shared_ptr<std::atomic<bool>> stop);
  // A streamed text/event-stream response for one company's subscriber.
  http::Response Subscribe(const http::Request& request, std::string tenant_id, std::string company_id);
  // Delivers a notice to the company's subscribers (what a notification does; tests call it).
  void Publish(const std::string& company_id);
  void PublishAll();  // after a reconnect: anything may have changed

  size_t Subscribers() const;
  bool Connected() const { return connected_.load(); }
  std::chrono::seconds heartbeat{15};
  std::chrono::milliseconds poll_interval{150};
  static constexpr int64_t kLookback = 5000;  // ids taken before the highest seen may commit later

 private:
  void Wake(const std::shared_ptr<Subscriber>& s);
  void Remove(const std::shared_ptr<Subscriber>& s);

  mutable std::mutex mu_;
  std::multimap<std::string, std::shared_ptr<Subscriber>> by_company_;
  std::atomic<bool> connected_{false};
};

}  // namespace vertice::freshness
