// Prometheus text-format metrics: request count and latency histogram by route template and
// status, requests cut at their deadline by route, in-flight requests, plus gauges supplied by
// other modules (DB pool, build info).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vertice::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  // `route` must be a route template or a fixed word ("unmatched"), never a raw path; methods
  // outside HTTP's usual ones are counted as "other".
  void Observe(const std::string& method, const std::string& route, int status, double seconds);
  // A request answered 503 request_timeout (its deadline passed); `route` as for Observe.
  void TimedOut(const std::string& route);
  void InFlight(int delta) { in_flight_ += delta; }
  long InFlightNow() const { return in_flight_.load(); }
  // Extra lines rendered on every scrape (e.g. pool gauges); must return valid exposition text.
  void AddCollector(std::function<std::string()> collector);
  std::string Render() const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, Series> series_;
  std::map<std::string, uint64_t> timeouts_;  // by route
  std::atomic<long> in_flight_{0};
  std::vector<std::function<std::string()>> collectors_;
};

}  // namespace vertice::http
