#include "http/metrics.hpp"

#include <fmt/format.h>

namespace vertice::http {

namespace {
// Label values come from a fixed set: a client inventing methods cannot add series.
const std::string& MethodLabel(const std::string& method) {
  static const std::array<std::string, 8> kKnown = {"GET",   "HEAD",   "POST",    "PUT",
                                                    "PATCH", "DELETE", "OPTIONS", "other"};
  for (const auto& m : kKnown)
    if (m == method) return m;
  return kKnown.back();
}
}  // namespace

void Metrics::Observe(const std::string& method, const std::string& route, int status, double seconds) {
  if (status < 100 || status > 599) status = 0;
  std::lock_guard lock(mu_);
  auto& s = series_[{MethodLabel(method), route, status}];
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
}

void Metrics::TimedOut(const std::string& route) {
  std::lock_guard lock(mu_);
  ++timeouts_[route];
}

void Metrics::AddCollector(std::function<std::string()> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP vertice_http_requests_total HTTP requests by method, route template and status.\n";
  out += "# TYPE vertice_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, s] : series_) {
    const auto& [method, route, status] = key;
    out += fmt::format("vertice_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method, route,
                       status, s.count);
  }
  out += "# HELP vertice_http_request_duration_seconds HTTP request latency.\n";
  out += "# TYPE vertice_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, route, status] = key;
    auto labels = fmt::format("method=\"{}\",route=\"{}\",status=\"{}\"", method, route, status);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("vertice_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                         s.buckets[i]);
    }
    out += fmt::format("vertice_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, s.count);
    out += fmt::format("vertice_http_request_duration_seconds_sum{{{}}} {}\n", labels, s.sum);
    out += fmt::format("vertice_http_request_duration_seconds_count{{{}}} {}\n", labels, s.count);
  }
  out += "# HELP vertice_http_request_timeouts_total Requests answered 503 request_timeout, by route template.\n";
  out += "# TYPE vertice_http_request_timeouts_total counter\n";
  for (const auto& [route, n] : timeouts_)
    out += fmt::format("vertice_http_request_timeouts_total{{route=\"{}\"}} {}\n", route, n);
  out += "# HELP vertice_http_requests_in_flight Requests being handled now.\n";
  out += "# TYPE vertice_http_requests_in_flight gauge\n";
  out += fmt::format("vertice_http_requests_in_flight {}\n", in_flight_.load());
  for (const auto& c : collectors_) out += c();
  return out;
}

}  // namespace vertice::http
