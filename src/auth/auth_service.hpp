// Login, logout and token resolution. Resolved principals are cached per instance for a short
// TTL so authenticated requests cost no database round trip; every instance LISTENs on
// `vertice_auth` and drops its cache the moment a session, key, user or membership changes.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/principal.hpp"
#include "auth/rate_limiter.hpp"
#include "core/clock.hpp"
#include "db/pool.hpp"

namespace vertice::auth {

struct AuthOptions {
  std::chrono::seconds session_ttl{12 * 3600};
  std::chrono::seconds cache_ttl{30};
  // Wrong passwords lock sign-in (ADR 0013): this many from one client address within the window
  // lock that address out of the account; the account-wide limit locks it for everyone. A locked
  // sign-in answers exactly as a wrong password does.
  int max_failed_logins = 5;
  std::chrono::seconds failure_window{15 * 60};
  int max_failed_logins_account = 50;
  std::chrono::seconds account_failure_window{3600};
  std::chrono::seconds lockout{15 * 60};
  double login_per_ip_per_minute = 30;
  double login_per_account_per_minute = 10;  // per account and client address
};

struct LoginResult {
  std::string token;
  std::string csrf_token;
  std::shared_ptr<const Principal> principal;
};

class AuthService {
 public:
  AuthService(db::Pool& pool, const Clock& clock, AuthOptions options);
  ~AuthService();

  db::Task<Result<LoginResult>> Login(std::string email, std::string password, std::string client_ip,
                                      std::string user_agent);
  db::Task<Status> Logout(const std::string& token);
  // A session token ("vs_…") or API key ("vk_…"); unknown, expired or revoked → unauthenticated.
  db::Task<Result<std::shared_ptr<const Principal>>> Resolve(const std::string& token);
  db::Task<std::string> HashPasswordOffThread(std::string password);
  bool CheckCsrf(const Principal& p, std::string_view csrf_token) const;

  void InvalidateAll();
  // Drops this token's cached principal here (its own change must show on its next request, before
  // the change notice reaches the listener).
  void Forget(const std::string& token);
  // Keeps a LISTEN connection open (reconnecting with backoff) until `stop` is set.
  db::Task<void> ListenForChanges(std::string conninfo, std::shared_ptr<std::atomic<bool>> stop);
  bool ListenerHealthy() const { return listener_healthy_.load(); }

 private:
  db::Task<bool> VerifyOffThread(std::string hash, std::string password);
  db::Task<Result<std::shared_ptr<const Principal>>> Load(const std::string& token_hash, bool api_key);

  struct CacheEntry {
    std::shared_ptr<const Principal> principal;  // null: known bad token (negative cache)
    Clock::TimePoint fetched_at;
  };

  db::Pool& pool_;
  const Clock& clock_;
  AuthOptions options_;
  RateLimiter per_ip_;
  RateLimiter per_account_;
  boost::asio::thread_pool hashers_{2};
  std::string dummy_hash_;  // verified against for unknown users so timing does not tell
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, CacheEntry> cache_;
  std::atomic<bool> listener_healthy_{false};
};

}  // namespace vertice::auth
