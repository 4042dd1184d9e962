#include "auth/auth_service.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <mutex>

#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "db/listen_loop.hpp"

namespace vertice::auth {

namespace asio = boost::asio;

namespace {

Error InvalidCredentials() {
  return Error{ErrorKind::kUnauthenticated, "auth.invalid_credentials", "Correo o contraseña incorrectos.", {}, {}};
}

Error Unauthenticated(std::string internal) {
  return Error{ErrorKind::kUnauthenticated,
               "auth.invalid_token",
               "La sesión no es válida o expiró; inicie sesión de nuevo.",
               {},
               std::move(internal)};
}

constexpr size_t kMaxCacheEntries = 200000;
constexpr auto kNegativeTtl = std::chrono::seconds(5);
// Auth lookups run before a tenant is known, through SECURITY DEFINER functions.
const db::TenantScope kNoScope{};

}  // namespace

AuthService::AuthService(db::Pool& pool, const Clock& clock, AuthOptions options)
    : pool_(pool),
      clock_(clock),
      options_(options),
      per_ip_(clock, options.login_per_ip_per_minute, options.login_per_ip_per_minute),
      per_account_(clock, options.max_failed_logins * 2.0, options.login_per_account_per_minute),
      dummy_hash_(HashPassword(RandomHex(16))) {}

AuthService::~AuthService() { hashers_.join(); }

// Plain coroutines, not capturing lambdas: GCC 12 destroys a coroutine lambda's captures twice.
asio::awaitable<bool> VerifyOnPool(std::string hash, std::string password) { co_return VerifyPassword(hash, password); }

asio::awaitable<std::string> HashOnPool(std::string password) { co_return HashPassword(password); }

db::Task<bool> AuthService::VerifyOffThread(std::string hash, std::string password) {
  // Argon2id takes ~100 ms and 64 MiB: never on the I/O threads.
  // Not connected to the request's cancellation: a hash runs to its end (~100 ms) regardless, and
  // Boost 1.81's co_spawn throws out of a cancelled child's entry point (std::terminate).
  co_return co_await asio::co_spawn(hashers_, VerifyOnPool(std::move(hash), std::move(password)),
                                    asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
}

db::Task<std::string> AuthService::HashPasswordOffThread(std::string password) {
  co_return co_await asio::co_spawn(hashers_, HashOnPool(std::move(password)),
                                    asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
}

db::Task<Result<LoginResult>> AuthService::Login(std::string email, std::string password, std::string client_ip,
                                                 std::string user_agent) {
  email = ToLowerAscii(email);
  const std::string client = ClientKey(client_ip);
  std::chrono::seconds retry{0};
  // Per account *and* client: someone else hammering this account cannot throttle its user.
  if (!per_ip_.Allow("ip:" + client, &retry) || !per_account_.Allow("acct:" + email + " " + client, &retry)) {
    Error limited{ErrorKind::kRateLimited, "auth.rate_limited",
                  "Demasiados intentos de inicio de sesión; espere un momento.",
                  boost::json::object{{"retry_after_seconds", retry.count()}}};
    limited.retry_after = retry;
    co_return std::unexpected(std::move(limited));
  }
  struct Found {
    std::string user_id, tenant_id, hash, status;
    bool locked = false;
  };
  auto found =
      co_await pool_.InTransaction(kNoScope, [&](db::Transaction& tx) -> db::Task<Result<std::optional<Found>>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                                    co_await tx.Query("SELECT user_id::text, tenant_id, password_hash, status, locked "
                                                      "FROM auth_login_lookup($1, $2)",
                                                      db::P(email, client)));
        if (rows.Empty()) co_return std::optional<Found>{};
        co_return Found{rows.Str(0, "user_id"), rows.Str(0, "tenant_id"), rows.Str(0, "password_hash"),
                        rows.Str(0, "status"), rows.Bool(0, "locked")};
      });
  if (!found) co_return std::unexpected(found.error());
  if (!*found) {
    (void)co_await VerifyOffThread(dummy_hash_, password);
    co_return std::unexpected(InvalidCredentials());
  }
  const Found& user = **found;
  // The password is checked even when sign-in is locked: an unknown e-mail, a wrong password and a
  // lock all take the same time and get the same answer, so none of them tells anything.
  bool ok = co_await VerifyOffThread(user.hash, password);
  if (!ok) {
    auto counted = co_await pool_.InTransaction(kNoScope, [&](db::Transaction& tx) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await tx.Query(
          "SELECT auth_login_failed($1::uuid, $2, $3, make_interval(secs => $4), $5, make_interval(secs => $6), "
          "make_interval(secs => $7))",
          db::P(user.user_id, client, std::to_string(options_.max_failed_logins),
                std::to_string(options_.failure_window.count()), std::to_string(options_.max_failed_logins_account),
                std::to_string(options_.account_failure_window.count()), std::to_string(options_.lockout.count()))));
      co_return Status{};
    });
    if (!counted) co_return std::unexpected(counted.error());
    co_return std::unexpected(InvalidCredentials());
  }
  if (user.locked || user.status != "active") {
    if (user.locked) spdlog::warn("sign-in refused: user={} is locked for client={}", user.user_id, client);
    co_return std::unexpected(InvalidCredentials());
  }
  LoginResult result;
  result.token = NewToken("vs_");
  result.csrf_token = RandomHex(24);
  auto token_hash = HashToken(result.token);
  auto created = co_await pool_.InTransaction(kNoScope, [&](db::Transaction& tx) -> db::Task<Status> {
    VERTICE_CO_TRY(
        co_await tx.Query("SELECT auth_login_succeeded($1::uuid, $2, $3, make_interval(secs => $4), $5, $6, $7)",
                          db::P(user.user_id, token_hash, HashToken(result.csrf_token),
                                std::to_string(options_.session_ttl.count()), client_ip, user_agent, client)));
    co_return Status{};
  });
  if (!created) co_return std::unexpected(created.error());
  VERTICE_CO_ASSIGN_OR_RETURN(result.principal, co_await Load(token_hash, false));
  if (!result.principal) co_return std::unexpected(InvalidCredentials());
  co_return result;
}

db::Task<Status> AuthService::Logout(const std::string& token) {
  auto hash = HashToken(token);
  auto revoked = co_await pool_.InTransaction(kNoScope, [&](db::Transaction& tx) -> db::Task<Status> {
    VERTICE_CO_TRY(co_await tx.Query("SELECT auth_revoke_session($1)", db::P(hash)));
    co_return Status{};
  });
  if (!revoked) co_return revoked;
  {
    std::unique_lock lock(mu_);
    cache_.erase(hash);
  }
  co_return Status{};
}

db::Task<Result<std::shared_ptr<const Principal>>> AuthService::Load(const std::string& token_hash, bool api_key) {
  auto loaded = co_await pool_.InTransaction(
      kNoScope, [&](db::Transaction& tx) -> db::Task<Result<std::shared_ptr<const Principal>>> {
        auto p = std::make_shared<Principal>();
        if (api_key) {
          VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                                      co_await tx.Query("SELECT api_key_id::text, tenant_id, company_id, company_name, "
                                                        "name, role FROM auth_resolve_api_key($1)",
                                                        db::P(token_hash)));
          if (rows.Empty()) co_return std::shared_ptr<const Principal>{};
          p->kind = Principal::Kind::kApiKey;
          p->id = rows.Str(0, "api_key_id");
          p->tenant_id = rows.Str(0, "tenant_id");
          p->full_name = rows.Str(0, "name");
          p->memberships.push_back({rows.Str(0, "company_id"), rows.Str(0, "company_name"), rows.Str(0, "role")});
          co_return std::shared_ptr<const Principal>(p);
        }
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto rows,
            co_await tx.Query(
                "SELECT user_id::text, tenant_id, email, full_name, csrf_hash, "
                "floor(extract(epoch FROM expires_at))::bigint AS expires_epoch, memberships::text AS memberships "
                "FROM auth_resolve_session($1)",
                db::P(token_hash)));
        if (rows.Empty()) co_return std::shared_ptr<const Principal>{};
        p->kind = Principal::Kind::kSession;
        p->id = rows.Str(0, "user_id");
        p->tenant_id = rows.Str(0, "tenant_id");
        p->email = rows.Str(0, "email");
        p->full_name = rows.Str(0, "full_name");
        p->csrf_hash = rows.Str(0, "csrf_hash");
        p->expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(rows.Int(0, "expires_epoch")));
        auto list = boost::json::parse(rows.Get(0, "memberships")).as_array();
        for (const auto& m : list) {
          const auto& o = m.as_object();
          p->memberships.push_back({std::string(o.at("company_id").as_string()), std::string(o.at("name").as_string()),
                                    std::string(o.at("role").as_string())});
        }
        co_return std::shared_ptr<const Principal>(p);
      });
  co_return loaded;
}

db::Task<Result<std::shared_ptr<const Principal>>> AuthService::Resolve(const std::string& token) {
  bool api_key = token.starts_with("vk_");
  if (!(api_key || token.starts_with("vs_")) || token.size() != 46) {
    co_return std::unexpected(Unauthenticated("malformed token"));
  }
  auto hash = HashToken(token);
  auto now = clock_.Now();
  bool use_cache = listener_healthy_.load();
  if (use_cache) {
    std::shared_lock lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) {
      auto age = now - it->second.fetched_at;
      auto ttl = it->second.principal ? std::chrono::duration_cast<Clock::TimePoint::duration>(options_.cache_ttl)
                                      : std::chrono::duration_cast<Clock::TimePoint::duration>(kNegativeTtl);
      if (age < ttl) {
        const auto& p = it->second.principal;
        if (!p) co_return std::unexpected(Unauthenticated("unknown token (cached)"));
        if (p->expires_at <= now) co_return std::unexpected(Unauthenticated("expired session"));
        co_return p;
      }
    }
  }
  VERTICE_CO_ASSIGN_OR_RETURN(auto principal, co_await Load(hash, api_key));
  if (use_cache) {
    std::unique_lock lock(mu_);
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
    cache_[hash] = CacheEntry{principal, now};
  }
  if (!principal) co_return std::unexpected(Unauthenticated("unknown, expired or revoked token"));
  co_return principal;
}

void AuthService::Forget(const std::string& token) {
  auto hash = HashToken(token);
  std::unique_lock lock(mu_);
  cache_.erase(hash);
}

bool AuthService::CheckCsrf(const Principal& p, std::string_view csrf_token) const {
  if (p.kind != Principal::Kind::kSession || csrf_token.empty()) return false;
  return ConstantTimeEquals(HashToken(csrf_token), p.csrf_hash);
}

void AuthService::InvalidateAll() {
  std::unique_lock lock(mu_);
  cache_.clear();
}

db::Task<void> AuthService::ListenForChanges(std::string conninfo, std::shared_ptr<std::atomic<bool>> stop) {
  db::ListenLoop loop;
  loop.conninfo = std::move(conninfo);
  loop.session = [this, stop](db::Connection& conn) -> db::Task<bool> {
    auto listening = co_await conn.ExecuteScript("LISTEN vertice_auth");
    if (!listening) co_return false;
    // Anything could have changed while we were not listening.
    InvalidateAll();
    listener_healthy_ = true;
    while (!*stop) {
      auto notes = co_await conn.WaitNotifications();
      if (!notes) break;
      InvalidateAll();
    }
    co_return true;
  };
  loop.on_lost = [this] {
    listener_healthy_ = false;
    InvalidateAll();
  };
  loop.lost_warning = "auth change listener disconnected; principals are not cached until it reconnects";
  co_await db::RunListenLoop(std::move(loop), std::move(stop));
}

}  // namespace vertice::auth
