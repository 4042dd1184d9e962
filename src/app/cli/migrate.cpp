// `vertice migrate up|down|status|verify`: the binary's embedded migrations (core, then each
// vertical, then the unified view) against the admin database URL.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/cli/commands.hpp"
#include "migrate/embedded.hpp"
#include "migrate/runner.hpp"
#include "verticals/registry.hpp"

namespace vertice::app::cli {

namespace {

using Step = std::function<db::Task<Status>(migrate::Runner&)>;

// A callback that runs `step` with a runner over the binary's migration plan, on the admin
// database URL.
std::function<void()> WithRunner(CliContext& ctx, Step step) {
  return [&ctx, step = std::move(step)] {
    ctx.Run([&](const Config& config) {
      auto registry = verticals::Registry::Discover();
      if (!registry) {
        std::cerr << "error: " << registry.error().message << "\n";
        return 1;
      }
      auto plan = registry->MigrationPlan(migrate::EmbeddedMigrations());
      if (!plan) {
        std::cerr << "error: " << plan.error().message << "\n";
        return 1;
      }
      return WithAdminConnection(config, [&](db::Connection& conn) -> db::Task<Status> {
        migrate::Runner runner(conn, *plan, Say);
        co_return co_await step(runner);
      });
    });
  };
}

}  // namespace

void AddMigrateCommands(CLI::App& cli, CliContext& ctx) {
  auto* migrate = cli.add_subcommand("migrate", "Apply, roll back, inspect or verify database migrations");
  migrate->require_subcommand(1);

  auto* up = migrate->add_subcommand("up", "Apply every pending migration (core first, then verticals)");
  up->callback(WithRunner(ctx, [](migrate::Runner& runner) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(int n, co_await runner.Up());
    Say(n == 0 ? "database is up to date" : fmt::format("{} migration(s) applied", n));
    co_return Status{};
  }));

  struct DownArgs {
    std::string component = "core";
    int to = -1;
  };
  auto down_args = std::make_shared<DownArgs>();
  auto* down = migrate->add_subcommand("down", "Roll back a component's migrations above a version");
  down->add_option("--component", down_args->component, "Component to roll back (default core)");
  down->add_option("--to", down_args->to, "Version to roll back to (0 = everything)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  down->callback(WithRunner(ctx, [down_args](migrate::Runner& runner) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(int n, co_await runner.Down(down_args->component, down_args->to));
    Say(fmt::format("{} migration(s) rolled back", n));
    co_return Status{};
  }));

  auto* status = migrate->add_subcommand("status", "List migrations and whether each is applied");
  status->callback(WithRunner(ctx, [](migrate::Runner& runner) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto entries, co_await runner.GetStatus());
    for (const auto& e : entries)
      Say(fmt::format("{:<10} {:<40} {:<8} {}", e.component, e.name, e.state, e.applied_at));
    co_return Status{};
  }));

  auto* verify = migrate->add_subcommand("verify", "Check checksums and re-run verify scripts of applied migrations");
  verify->callback(WithRunner(ctx, [](migrate::Runner& runner) -> db::Task<Status> {
    VERTICE_CO_TRY(co_await runner.Verify());
    Say("all applied migrations verified");
    co_return Status{};
  }));
}

}  // namespace vertice::app::cli
