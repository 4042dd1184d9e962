// Token-bucket rate limiting keyed by string (client IP, account), in memory per instance.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace vertice::auth {

// The key that stands for a client address in limits and lockouts: the address itself, but an
// IPv6 client's /64 (one subscriber usually holds a whole /64); the text unchanged if not an address.
std::string ClientKey(std::string_view ip);

class RateLimiter {
 public:
  // `burst` requests at once, refilled at `per_minute` per minute.
  RateLimiter(const Clock& clock, double burst, double per_minute)
      : clock_(clock), burst_(burst), per_second_(per_minute / 60.0) {}
  // Takes one token; false (and how long to wait) when the key is over its limit.
  bool Allow(const std::string& key, std::chrono::seconds* retry_after = nullptr);

 private:
  struct Bucket {
    double tokens;
    Clock::TimePoint updated;
  };
  const Clock& clock_;
  double burst_;
  double per_second_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vertice::auth
