// `vertice serve` and `vertice routes`: the HTTP server (app/serve.cpp) and its route list.
#include <CLI/CLI.hpp>

#include "app/cli/commands.hpp"
#include "app/serve.hpp"

namespace vertice::app::cli {

void AddServeCommands(CLI::App& cli, CliContext& ctx) {
  auto* serve = cli.add_subcommand("serve", "Run the HTTP API server");
  ctx.AddFlag(serve, "listen", "HOST:PORT to listen on (default 127.0.0.1:8080; also VERTICE_LISTEN)");
  ctx.AddFlag(serve, "threads", "I/O worker threads (default: number of cores; also VERTICE_THREADS)");
  ctx.AddFlag(serve, "pool_size", "Database connections (default 16; also VERTICE_POOL_SIZE)");
  ctx.AddFlag(serve, "body_limit", "Maximum request body in MiB (default 10; also VERTICE_BODY_LIMIT)");
  ctx.AddFlag(serve, "shutdown_grace_seconds", "Seconds to finish in-flight requests on SIGTERM (default 20)");
  ctx.AddFlag(serve, "header_timeout_seconds", "Seconds a client may take to send request headers (default 10)");
  ctx.AddFlag(serve, "idle_timeout_seconds", "Seconds an idle keep-alive connection stays open (default 75)");
  ctx.AddFlag(serve, "db_prepared_statements", "true|false: use named prepared statements (false behind PgBouncer)");
  ctx.AddFlag(serve, "db_pooler",
              "none|pgbouncer: behind PgBouncer (transaction mode) statements are unnamed and LISTEN goes to "
              "listen_database_url (also VERTICE_DB_POOLER)");
  ctx.AddFlag(serve, "run_jobs", "true|false: run the verticals' scheduled jobs in this instance");
  ctx.AddFlag(serve, "trusted_proxies",
              "Comma-separated proxy addresses/networks whose X-Forwarded-* headers count (also "
              "VERTICE_TRUSTED_PROXIES)");
  serve->callback([&ctx] { ctx.Run(Serve, /*async_logging=*/true); });

  auto* routes =
      cli.add_subcommand("routes", "Print every HTTP route the server answers (METHOD /path/{param}), one a line");
  routes->callback([&ctx] { ctx.Run(PrintRoutes); });
}

}  // namespace vertice::app::cli
