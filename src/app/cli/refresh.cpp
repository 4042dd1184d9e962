// `vertice refresh --company ID | --full`: verifies and repairs the unified view now, as a level
// 3 refresh, through the same service the server uses.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/cli/commands.hpp"
#include "db/run_sync.hpp"
#include "freshness/refresh_service.hpp"

namespace vertice::app::cli {

int RunRefresh(const Config& config, std::optional<std::string> only, std::string requested_by) {
  if (config.admin_database_url.empty()) {
    std::cerr << "error: no database configured: set DATABASE_URL, VERTICE_ADMIN_DATABASE_URL or --database-url\n";
    return 2;
  }
  auto outcome = db::RunSync<Result<freshness::RefreshOutcome>>(
      [&](boost::asio::any_io_executor ex) -> db::Task<Result<freshness::RefreshOutcome>> {
        db::Pool pool(ex, CommandPool(config.admin_database_url));
        if (only) {
          VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool.Acquire());
          VERTICE_CO_ASSIGN_OR_RETURN(
              auto known, co_await lease->Execute("SELECT 1 FROM companies WHERE company_id = $1", db::P(*only)));
          if (known.Empty()) co_return Fail(ErrorKind::kNotFound, "unknown_company", "no company " + *only);
        }
        freshness::RefreshService service(pool, {.instance = "cli"});
        freshness::RefreshRequest r;
        r.company = only;
        r.reason = "command line";
        r.requested_by = requested_by;
        co_return co_await service.Refresh(r);
      });
  if (!outcome) {
    std::cerr << "error: " << outcome.error().message << " " << outcome.error().internal << "\n";
    return 1;
  }
  Say(fmt::format("refresh {} ({}, {}): {} in {:.0f} ms; {} rows checked, {} repaired, {} event(s) served",
                  outcome->refresh_id, outcome->level, only.value_or("every company"), outcome->status,
                  outcome->duration_ms, outcome->rows_checked, outcome->rows_repaired, outcome->events_served));
  if (outcome->status != "succeeded") {
    std::cerr << "error: " << outcome->error << "\n";
    return 1;
  }
  return 0;
}

void AddRefreshCommands(CLI::App& cli, CliContext& ctx) {
  struct RefreshArgs {
    std::string company;
    bool full = false;
  };
  auto args = std::make_shared<RefreshArgs>();
  auto* refresh = cli.add_subcommand("refresh", "Refresh (verify and repair) the unified view now, as level 3");
  refresh->add_option("--company", args->company, "Only this company, e.g. acme");
  refresh->add_flag("--full", args->full, "Every company");
  refresh->callback([&ctx, args] {
    ctx.Run([&](const Config& config) {
      if (args->full == !args->company.empty()) {
        std::cerr << "error: give --company ID or --full\n";
        return 2;
      }
      return RunRefresh(config, args->full ? std::nullopt : std::optional(args->company), "cli:" + OperatorName());
    });
  });
}

}  // namespace vertice::app::cli
