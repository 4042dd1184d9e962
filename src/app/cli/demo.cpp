// `vertice demo load`: the demo tenant, companies and users, then demo CFDI for acme and each
// vertical's demo data, then a refresh of the unified view. Refuses a database not created by
// scripts/up unless --force.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "admin/admin.hpp"
#include "admin/demo_bank.hpp"
#include "admin/demo_invoices.hpp"
#include "admin/demo_verticals.hpp"
#include "app/cli/commands.hpp"
#include "db/run_sync.hpp"
#include "verticals/registry.hpp"

namespace vertice::app::cli {

namespace {

int RunDemoLoad(const Config& config, bool force) {
  auto registry = verticals::Registry::Discover();
  if (!registry) {
    std::cerr << "error: " << registry.error().message << "\n";
    return 1;
  }
  int rc = WithAdminConnection(config, [&](db::Connection& conn) -> db::Task<Status> {
    VERTICE_CO_TRY(co_await admin::LoadDemo(conn, force));
    co_return Status{};
  });
  if (rc != 0) return rc;
  auto loaded = db::RunSync<Result<int>>([&](boost::asio::any_io_executor ex) -> db::Task<Result<int>> {
    db::Pool pool(ex, CommandPool(config.admin_database_url, 1));
    co_return co_await admin::LoadDemoInvoices(pool);
  });
  if (!loaded) {
    std::cerr << "error: " << loaded.error().message << " " << loaded.error().internal << "\n";
    return 1;
  }
  int verticals_loaded = 0;
  rc = WithAdminConnection(config, [&](db::Connection& conn) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(verticals_loaded, co_await admin::LoadDemoVerticals(conn, *registry));
    co_return Status{};
  });
  if (rc != 0) return rc;
  // The bank last: its movements pay the invoices and billings loaded above.
  auto movements = db::RunSync<Result<int>>([&](boost::asio::any_io_executor ex) -> db::Task<Result<int>> {
    db::Pool pool(ex, CommandPool(config.admin_database_url, 1));
    co_return co_await admin::LoadDemoBank(pool);
  });
  if (!movements) {
    std::cerr << "error: " << movements.error().message << " " << movements.error().internal << "\n";
    return 1;
  }
  Say(fmt::format("demo data loaded ({} new CFDI for acme, {} vertical demo(s), {} bank movements)", *loaded,
                  verticals_loaded, *movements));
  return RunRefresh(config, std::nullopt, "vertice demo load");
}

}  // namespace

void AddDemoCommands(CLI::App& cli, CliContext& ctx) {
  auto* demo = cli.add_subcommand("demo", "Demo data");
  demo->require_subcommand(1);
  auto force = std::make_shared<bool>(false);
  auto* load = demo->add_subcommand("load", "Load the demo tenant, companies and users");
  load->add_flag("--force", *force, "Load even into a database not created by scripts/up");
  load->callback([&ctx, force] { ctx.Run([&](const Config& config) { return RunDemoLoad(config, *force); }); });
}

}  // namespace vertice::app::cli
