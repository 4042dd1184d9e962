#include "app/serve.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "api/app.hpp"
#include "auth/auth_service.hpp"
#include "banking/statement_importer.hpp"
#include "core/version.hpp"
#include "db/pool.hpp"
#include "db/run_sync.hpp"
#include "freshness/change_feed.hpp"
#include "freshness/gauges.hpp"
#include "freshness/jobs.hpp"
#include "freshness/refresh_service.hpp"
#include "freshness/scheduler.hpp"
#include "http/forwarded.hpp"
#include "http/server.hpp"
#include "http/static_site.hpp"
#include "migrate/embedded.hpp"
#include "migrate/plan.hpp"
#include "verticals/jobs.hpp"
#include "verticals/registry.hpp"

namespace vertice::app {

namespace asio = boost::asio;

namespace {

Result<std::pair<std::string, unsigned short>> ParseListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail(ErrorKind::kInvalidInput, "config.invalid", "listen must be HOST:PORT");
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    return std::pair{listen.substr(0, colon), static_cast<unsigned short>(port)};
  } catch (...) {
    return Fail(ErrorKind::kInvalidInput, "config.invalid", "listen must be HOST:PORT with a valid port");
  }
}

// Row-level security does not apply to a superuser, a BYPASSRLS role or a table's owner (or a
// member of the owning role): served through such a role, one tenant's request could read
// another's rows. The server runs as a role that owns nothing (docs/operations.md).
// Sessions talk UTC (the connection asks for it at startup). PgBouncer drops startup options, so
// behind it the role itself must carry the setting; without it dates would shift silently.
db::Task<Status> CheckSessionTimeZone(db::Connection& conn) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await conn.Execute("SELECT current_setting('TimeZone') AS tz"));
  const std::string tz = rows.Empty() ? "" : rows.Str(0, "tz");
  if (tz == "UTC" || tz == "Etc/UTC") co_return Status{};
  auto message = fmt::format(
      "database sessions use TimeZone {}, not UTC (a pooler dropped the connection's options?): run "
      "ALTER ROLE vertice_app SET timezone = 'UTC' (docs/operations.md#cluster)",
      tz);
  co_return Fail(ErrorKind::kInternal, "config.session_timezone", message, {}, message);
}

db::Task<Status> CheckRoleKeepsRlsOn(db::Connection& conn) {
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows, co_await conn.Execute(
                     "SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls, "
                     "(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                     "    AND n.nspname NOT LIKE 'pg_toast%' AND pg_has_role(current_user, c.relowner, 'USAGE')) "
                     "  AS owned_tables "
                     "FROM pg_roles r WHERE r.rolname = current_user"));
  if (rows.Empty()) co_return Status{};
  std::string why =
      rows.Bool(0, "superuser")   ? "is a superuser"
      : rows.Bool(0, "bypassrls") ? "has BYPASSRLS"
      : rows.Int(0, "owned_tables") > 0
          ? fmt::format("owns {} tables (directly or through a role it belongs to)", rows.Int(0, "owned_tables"))
          : "";
  if (why.empty()) co_return Status{};
  auto message = fmt::format(
      "database role {} {}, so row-level security would be off: set DATABASE_URL to the server role "
      "(vertice_app), not the owner (see docs/operations.md)",
      rows.Str(0, "role"), why);
  co_return Fail(ErrorKind::kInternal, "config.privileged_role", message, {}, message);
}

}  // namespace

namespace {

// The configured export, else web/out of the checkout the binary was built in (build/<preset>/
// vertice), else ./web/out.
std::filesystem::path WebRoot(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::vector<std::filesystem::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path() / "../../web/out");
  candidates.push_back(std::filesystem::current_path(ec) / "web/out");
  for (const auto& c : candidates) {
    if (std::filesystem::is_regular_file(c / "index.html", ec)) return std::filesystem::weakly_canonical(c, ec);
  }
  return {};
}

}  // namespace

void RegisterRoutes(api::App& app, const Config& config, const verticals::Registry& registry,
                    freshness::RefreshService& refresh, freshness::ChangeFeed& feed,
                    const banking::Profiles& csv_profiles) {
  api::RegisterHealthRoutes(app);
  api::RegisterAuthRoutes(app);
  api::RegisterMemberRoutes(app);
  api::RegisterApiKeyRoutes(app);
  api::RegisterInvoiceRoutes(app);
  api::RegisterTransactionRoutes(app);
  api::RegisterVerticalRoutes(app, registry);
  api::RegisterFreshnessRoutes(app, refresh, feed);
  api::RegisterBankRoutes(app, csv_profiles);
  api::RegisterReconciliationRoutes(app, config.recon_auto_threshold, config.recon_auto_margin);
  api::RegisterOpenApiRoutes(app);
}

int PrintRoutes(const Config& config) {
  auto registry = verticals::Registry::Discover();
  if (!registry) {
    spdlog::error("{}", registry.error().message);
    return 1;
  }
  auto plan = registry->MigrationPlan(migrate::EmbeddedMigrations());
  if (!plan) {
    spdlog::error("{}", plan.error().message);
    return 1;
  }
  // The server's objects, never started nor connected: only the registration runs.
  asio::io_context ioc(1);
  SystemClock clock;
  db::Pool pool(ioc.get_executor(), {.conninfo = config.database_url, .max_size = 1});
  db::ReadRouter reads(pool, nullptr, {});
  auth::AuthService auth(pool, clock, {});
  http::Metrics metrics;
  freshness::RefreshService refresh(pool, {.instance = "routes"});
  freshness::ChangeFeed feed;
  api::App app({pool, reads, auth, metrics, *plan, clock});
  const banking::Profiles csv_profiles{config.csv_profiles};
  RegisterRoutes(app, config, *registry, refresh, feed, csv_profiles);
  for (const auto& route : app.Routes()) std::cout << route << "\n";
  return 0;
}

int Serve(const Config& config) {
  if (config.database_url.empty()) {
    spdlog::error("no database configured: set DATABASE_URL or --database-url");
    return 2;
  }
  auto listen = ParseListen(config.listen);
  if (!listen) {
    spdlog::error("{}", listen.error().message);
    return 2;
  }
  auto registry = verticals::Registry::Discover();
  if (!registry) {
    spdlog::error("refusing to start: {}", registry.error().message);
    return 1;
  }
  auto plan = registry->MigrationPlan(migrate::EmbeddedMigrations());
  if (!plan) {
    spdlog::error("{}", plan.error().message);
    return 1;
  }
  // The role must leave row-level security on, and every vertical's rows must fit the unified
  // view, before anything is served.
  auto contributions = db::RunSync<Status>([&](asio::any_io_executor ex) -> db::Task<Status> {
    auto conn = co_await db::Connection::Connect(ex, config.database_url, std::chrono::seconds(10));
    if (!conn) co_return std::unexpected(conn.error());
    (*conn)->UsePreparedStatements(false);
    VERTICE_CO_TRY(co_await CheckRoleKeepsRlsOn(**conn));
    VERTICE_CO_TRY(co_await CheckSessionTimeZone(**conn));
    co_return co_await verticals::CheckContributions(**conn, *registry);
  });
  if (!contributions) {
    const auto& e = contributions.error();
    spdlog::error("refusing to start: {}", e.internal.empty() ? e.message : e.internal);
    return 1;
  }

  // Every connection is a descriptor (two per database connection): use what the system allows.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  asio::io_context ioc(config.threads);
  SystemClock clock;
  db::Pool pool(ioc.get_executor(), {.conninfo = config.database_url,
                                     .max_size = static_cast<size_t>(config.pool_size),
                                     .prepared_statements = config.db_prepared_statements});
  std::optional<db::Pool> read_pool;
  if (!config.read_database_url.empty())
    read_pool.emplace(ioc.get_executor(), db::PoolOptions{.conninfo = config.read_database_url,
                                                          .max_size = static_cast<size_t>(config.pool_size),
                                                          .prepared_statements = config.db_prepared_statements,
                                                          .wait_out_failover = false});  // falls back to the primary
  db::ReadRouter reads(pool, read_pool ? &*read_pool : nullptr, std::chrono::milliseconds(config.read_max_lag_ms));
  auth::AuthService auth(pool, clock, {});
  http::Metrics metrics;
  metrics.AddCollector([&pool] {
    auto s = pool.Stats();
    return fmt::format(
        "# HELP vertice_db_pool_connections Open database connections.\n# TYPE vertice_db_pool_connections gauge\n"
        "vertice_db_pool_connections {}\n"
        "# HELP vertice_db_pool_in_use Connections lent to requests.\n# TYPE vertice_db_pool_in_use gauge\n"
        "vertice_db_pool_in_use {}\n"
        "# HELP vertice_db_pool_waiting Requests waiting for a connection.\n# TYPE vertice_db_pool_waiting gauge\n"
        "vertice_db_pool_waiting {}\n"
        "# HELP vertice_db_pool_max_connections The pool's size (pool_size).\n"
        "# TYPE vertice_db_pool_max_connections gauge\nvertice_db_pool_max_connections {}\n",
        s.size, s.in_use, s.waiting, pool.Options().max_size);
  });
  metrics.AddCollector([] {
    return fmt::format(
        "# HELP vertice_build_info Build information.\n# TYPE vertice_build_info gauge\n"
        "vertice_build_info{{version=\"{}\",commit=\"{}\",dirty=\"{}\",build=\"{}\"}} 1\n",
        kVersion, kCommit, kDirty, kBuildId);
  });
  const std::string instance = freshness::InstanceName();
  freshness::RefreshService refresh(pool, {.instance = instance,
                                           .reuse_age = std::chrono::seconds(config.refresh_reuse_seconds),
                                           .statement_timeout = std::chrono::seconds(config.refresh_timeout_seconds)});
  freshness::ChangeFeed feed;
  auto refresh_jobs = freshness::RefreshJobs(refresh, pool,
                                             {.full = config.refresh_schedule,
                                              .events = config.refresh_events_schedule,
                                              .housekeeping = config.housekeeping_schedule});
  if (!refresh_jobs) {
    spdlog::error("{}", refresh_jobs.error().message);
    return 2;
  }
  // The verticals' jobs run on the same leader, each on its cron (or the configured one).
  verticals::JobRunner vertical_jobs(pool, clock, *registry);
  for (const auto& v : registry->Verticals()) {
    for (const auto& j : v.jobs) {
      auto cron = freshness::CronExpression::Parse(config.schedules.contains(j.name) ? config.schedules.at(j.name)
                                                                                     : j.schedule);
      if (!cron) {
        spdlog::error("job {}: {}", j.name, cron.error().message);
        return 2;
      }
      refresh_jobs->push_back({j.name, *cron,
                               [&vertical_jobs, vertical = v.name, job = j.name]() -> db::Task<Status> {
                                 VERTICE_CO_ASSIGN_OR_RETURN(auto report,
                                                             co_await vertical_jobs.RunOnce(vertical, job));
                                 spdlog::info("job={} companies={} failed={} skipped={}", job, report.companies,
                                              report.failed, report.skipped);
                                 co_return Status{};
                               },
                               nullptr});
    }
  }
  for (auto& job : *refresh_jobs) {
    if (config.schedules.contains(job.name)) {
      auto cron = freshness::CronExpression::Parse(config.schedules.at(job.name));
      if (cron) job.schedule = *cron;
    }
  }
  freshness::Scheduler scheduler(pool, clock,
                                 {.holder = instance,
                                  .lease_ttl = std::chrono::seconds(config.leader_lease_seconds),
                                  .renew_every = std::chrono::seconds(std::max(1, config.leader_lease_seconds / 3))},
                                 std::move(*refresh_jobs));
  freshness::HealthGauges gauges;
  metrics.AddCollector([&] { return gauges.Render(scheduler.IsLeader(), feed.Subscribers(), feed.Connected()); });
  metrics.AddCollector([&reads] {
    return fmt::format(
        "# HELP vertice_replica_reads_total Stale-tolerant reads answered by the read replica.\n"
        "# TYPE vertice_replica_reads_total counter\nvertice_replica_reads_total {}\n"
        "# HELP vertice_replica_fallbacks_total Stale-tolerant reads sent to the primary instead (replica lagging, "
        "down, or none configured).\n# TYPE vertice_replica_fallbacks_total counter\nvertice_replica_fallbacks_total "
        "{}\n",
        reads.ReplicaReads(), reads.Fallbacks());
  });
  api::App app({pool, reads, auth, metrics, *plan, clock},
               {.request_timeout = std::chrono::seconds(config.request_timeout_seconds),
                .long_request_timeout = std::chrono::seconds(config.long_request_timeout_seconds),
                .metrics_token = config.metrics_token,
                .unauthenticated_body_limit = config.unauthenticated_body_limit,
                .body_limit = std::min(config.json_body_limit, config.body_limit),
                .upload_body_limit = config.body_limit});
  const banking::Profiles csv_profiles{config.csv_profiles};
  RegisterRoutes(app, config, *registry, refresh, feed, csv_profiles);

  http::ServerOptions options;
  options.address = listen->first;
  options.port = listen->second;
  options.body_limit = config.body_limit;
  options.max_connections = static_cast<size_t>(config.max_connections);
  options.max_connections_per_ip = static_cast<size_t>(config.max_connections_per_ip);
  options.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  std::optional<http::StaticSite> site;
  if (auto root = WebRoot(config.web_root); !root.empty()) {
    if (auto loaded = http::StaticSite::Load(root)) {
      site = std::move(*loaded);
      spdlog::info("web app: {} files ({} KB) from {}", site->Files(), site->Bytes() / 1024, root.string());
    } else {
      spdlog::warn("web app not served: {}", loaded.error().message);
    }
  } else {
    spdlog::warn("web app not served: no web/out found (scripts/setup builds it; or set web_root)");
  }
  options.body_limit_for = [&app, &site](const http::Request& head) -> asio::awaitable<size_t> {
    if (site && http::StaticSite::Handles(head)) co_return 0;  // the web app's files take no body
    co_return co_await app.BodyLimit(head);
  };
  auto proxies = http::TrustedProxies::Parse(config.trusted_proxies);  // validated by LoadConfig
  if (!proxies) {
    spdlog::error("{}", proxies.error().message);
    return 2;
  }
  http::Server server(ioc, options, [&app, &site, &proxies](http::Request& r) -> asio::awaitable<http::Response> {
    proxies->Apply(r);  // the client's address and scheme, as a trusted proxy tells them
    if (site && http::StaticSite::Handles(r)) co_return site->Serve(r);
    co_return co_await app.Handle(r);
  });
  auto port = server.Start();
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }

  auto stop_listener = std::make_shared<std::atomic<bool>>(false);
  asio::co_spawn(ioc, auth.ListenForChanges(config.listen_database_url, stop_listener), asio::detached);
  if (config.run_jobs) scheduler.Start(ioc.get_executor(), stop_listener);
  asio::co_spawn(ioc, feed.Listen(config.listen_database_url, stop_listener), asio::detached);
  asio::co_spawn(ioc, gauges.Poll(pool, stop_listener), asio::detached);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}; finishing in-flight requests (up to {} s)", sig, config.shutdown_grace_seconds);
    *stop_listener = true;
    server.Shutdown(std::chrono::seconds(config.shutdown_grace_seconds), [&ioc] {
      spdlog::info("all connections closed; stopping");
      ioc.stop();
    });
  });

  spdlog::info("vertice {} listening on http://{}:{} ({} threads, pool {} on {})", kVersion, listen->first, *port,
               config.threads, config.pool_size, RedactDsn(config.database_url));
  std::vector<std::thread> threads;
  for (int i = 1; i < config.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  if (server.OpenConnections() > 0) {
    // Requests were still running past the shutdown deadline: their coroutines hold the pool and
    // the app, so leave without running destructors under them.
    spdlog::warn("exiting with {} request(s) cut at the shutdown deadline", server.OpenConnections());
    spdlog::shutdown();
    std::_Exit(0);
  }
  pool.DropIdle();
  spdlog::info("stopped");
  return 0;
}

}  // namespace vertice::app
