// Configuration with precedence: command-line flags > environment (VERTICE_*, DATABASE_URL) >
// optional TOML file (--config / VERTICE_CONFIG) > defaults.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bank/csv.hpp"
#include "core/error.hpp"

namespace vertice::app {

struct Config {
  std::string database_url;        // the server's (non-owner) role
  std::string admin_database_url;  // migrations and operator commands; defaults to database_url
  std::string listen = "127.0.0.1:8080";
  int threads = 0;  // 0: number of cores
  int pool_size = 16;
  size_t body_limit = 10 * 1024 * 1024;
  int shutdown_grace_seconds = 30;         // SIGTERM: in-flight requests finish within this, then are cut
  int request_timeout_seconds = 30;        // a request's deadline: past it, 503 request_timeout
  int long_request_timeout_seconds = 300;  // imports, matcher runs, reports, on-demand refresh
  int header_timeout_seconds = 10;         // first byte to end of headers: slow clients are cut off
  int idle_timeout_seconds = 75;           // keep-alive wait for the next request
  bool db_prepared_statements = true;
  // "none" or "pgbouncer": behind PgBouncer in transaction mode a session's prepared statements
  // vanish between transactions, so they are off and LISTEN needs listen_database_url direct.
  std::string db_pooler = "none";
  bool run_jobs = true;  // the scheduler and the verticals' jobs (one leader instance runs them)
  // Freshness of the unified view (cron expressions in UTC; see docs/operations.md).
  std::string refresh_schedule = "0 * * * *";           // level 1: full verification
  std::string refresh_events_schedule = "*/5 * * * *";  // level 2: large-transaction worker
  std::string housekeeping_schedule = "* * * * *";      // abandoned refreshes, total compaction
  int refresh_reuse_seconds = 60;                       // level 3 without force reuses a refresh this young
  int refresh_timeout_seconds = 300;                    // a refresh running longer is cancelled and logged failed
  int leader_lease_seconds = 15;                        // a dead leader is replaced within this + renewal period
  // Reads that tolerate staleness (dashboard, revenue report, transaction list) go here when set
  // (a replica, or HAProxy's read-only port), unless it is more than read_max_lag_ms behind.
  std::string read_database_url;
  int read_max_lag_ms = 5000;
  std::string listen_database_url;  // LISTEN for live notices; a direct session (defaults to database_url)
  // The web app's static export served at `/`; empty: web/out beside the build (scripts/setup
  // builds it), then ./web/out. Without one the server still serves the API.
  std::string web_root;
  // Cron expressions by job name (TOML table [schedules]), overriding a job's default.
  std::map<std::string, std::string> schedules;
  // The reconciliation matcher settles automatically at or above this score, when that far ahead.
  double recon_auto_threshold = 7.0;
  double recon_auto_margin = 3.0;
  // CSV bank statement profiles (TOML tables [csv_profiles.NAME]), tried before the built-in ones.
  std::vector<bank::CsvProfile> csv_profiles;
  std::string log_level = "info";
  std::string metrics_token;  // non-empty: /metrics answers only "Authorization: Bearer <token>"
  // Connections: beyond max_connections (or max_connections_per_ip from one address) a new
  // connection is answered 503 (429 per address) and closed.
  int max_connections = 4096;
  int max_connections_per_ip = 512;
  // Bodies: an unauthenticated request may send this much; an authenticated one its route's limit
  // (body_limit for uploads, 1 MiB for the rest).
  size_t unauthenticated_body_limit = 64 * 1024;
  size_t json_body_limit = 1024 * 1024;
  // Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For/-Proto and Forwarded
  // headers are believed: the client's address (login limits, audit) and https (Secure cookies).
  std::vector<std::string> trusted_proxies;
};

// Flags given on the command line, by config key ("listen", "database_url", ...).
using FlagValues = std::map<std::string, std::string>;

// `getenv` is injectable for tests.
Result<Config> LoadConfig(const std::optional<std::string>& config_file, const FlagValues& flags,
                          const std::function<const char*(const char*)>& getenv_fn);

// postgresql://user:secret@host/db → postgresql://user:***@host/db; password=... likewise.
std::string RedactDsn(std::string_view dsn);

}  // namespace vertice::app
