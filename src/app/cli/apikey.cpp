// `vertice apikey create|revoke`: API keys for integrations and POS terminals, on the admin
// database URL. A new key is printed once; only its hash is stored.
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/admin.hpp"
#include "app/cli/commands.hpp"

namespace vertice::app::cli {

void AddApiKeyCommands(CLI::App& cli, CliContext& ctx) {
  auto* apikey = cli.add_subcommand("apikey", "Manage API keys for integrations and POS terminals");
  apikey->require_subcommand(1);

  struct KeyArgs {
    std::string company, name, role, id;
  };
  auto args = std::make_shared<KeyArgs>();
  auto* create = apikey->add_subcommand("create", "Create an API key (printed once)");
  create->add_option("--company", args->company, "Company")->required();
  create->add_option("--name", args->name, "What the key is for")->required();
  create->add_option("--role", args->role, "Role the key acts with")->required();
  create->callback([&ctx, args] {
    ctx.RunOnAdminConnection([&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_ASSIGN_OR_RETURN(auto key, co_await admin::CreateApiKey(conn, args->company, args->name, args->role));
      Say("api key " + key.id + " created; store it now, it is not shown again:");
      Say(key.key);
      co_return Status{};
    });
  });

  auto* revoke = apikey->add_subcommand("revoke", "Revoke an API key");
  revoke->add_option("--id", args->id, "API key id")->required();
  revoke->callback([&ctx, args] {
    ctx.RunOnAdminConnection([&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::RevokeApiKey(conn, args->id));
      Say("api key " + args->id + " revoked");
      co_return Status{};
    });
  });
}

}  // namespace vertice::app::cli
