// `vertice tenant create`: a tenant (an organization), on the admin database URL.
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/admin.hpp"
#include "app/cli/commands.hpp"

namespace vertice::app::cli {

void AddTenantCommands(CLI::App& cli, CliContext& ctx) {
  auto* tenant = cli.add_subcommand("tenant", "Manage tenants");
  tenant->require_subcommand(1);

  struct CreateArgs {
    std::string id, name;
  };
  auto args = std::make_shared<CreateArgs>();
  auto* create = tenant->add_subcommand("create", "Create a tenant (an organization)");
  create->add_option("--id", args->id, "Tenant slug, e.g. demo")->required();
  create->add_option("--name", args->name, "Display name")->required();
  create->callback([&ctx, args] {
    ctx.RunOnAdminConnection([&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::CreateTenant(conn, args->id, args->name));
      Say("tenant " + args->id + " created");
      co_return Status{};
    });
  });
}

}  // namespace vertice::app::cli
