#include "auth/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace vertice::auth {

bool RateLimiter::Allow(const std::string& key, std::chrono::seconds* retry_after) {
  auto now = clock_.Now();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100000) {  // bound memory under a flood of distinct keys: drop full buckets
    std::erase_if(buckets_, [&](const auto& kv) {
      return std::chrono::duration<double>(now - kv.second.updated).count() * per_second_ + kv.second.tokens >= burst_;
    });
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  auto& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after) *retry_after = std::chrono::seconds(static_cast<long>(std::ceil((1.0 - b.tokens) / per_second_)));
  return false;
}

}  // namespace vertice::auth
