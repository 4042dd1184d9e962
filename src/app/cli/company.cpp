// `vertice company create`: a company (a legal entity with an RFC) in a tenant, on the admin
// database URL.
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/admin.hpp"
#include "app/cli/commands.hpp"

namespace vertice::app::cli {

void AddCompanyCommands(CLI::App& cli, CliContext& ctx) {
  auto* company = cli.add_subcommand("company", "Manage companies");
  company->require_subcommand(1);

  struct CreateArgs {
    std::string tenant, id, name, rfc;
  };
  auto args = std::make_shared<CreateArgs>();
  auto* create = company->add_subcommand("create", "Create a company (a legal entity with an RFC)");
  create->add_option("--tenant", args->tenant, "Owning tenant")->required();
  create->add_option("--id", args->id, "Company slug, e.g. acme")->required();
  create->add_option("--name", args->name, "Legal name")->required();
  create->add_option("--rfc", args->rfc, "RFC (12 or 13 characters)")->required();
  create->callback([&ctx, args] {
    ctx.RunOnAdminConnection([&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::CreateCompany(conn, args->tenant, args->id, args->name, args->rfc));
      Say("company " + args->id + " created");
      co_return Status{};
    });
  });
}

}  // namespace vertice::app::cli
