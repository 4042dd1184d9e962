// The `vertice` binary: the server and every operator command. Each command family declares its
// subcommands and runs them from its own file under app/cli/ (commands.hpp lists them).
#include <CLI/CLI.hpp>
#include <string>

#include "app/cli/commands.hpp"
#include "auth/crypto.hpp"
#include "core/version.hpp"

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): start-up failures end the process (to revisit)
  using namespace vertice::app::cli;
  vertice::auth::InitCrypto();
  CLI::App cli{"Vértice: multi-tenant finance platform for Mexican businesses"};
  cli.set_version_flag("--version", std::string("vertice ") + vertice::kVersion +
                                        (*vertice::kBuildId ? std::string(" (") + vertice::kBuildId + ")" : ""));
  cli.require_subcommand(1);
  CliContext ctx;
  cli.add_option("--config", ctx.config_path, "TOML configuration file (also VERTICE_CONFIG)");
  ctx.AddDatabaseUrlFlag(&cli);
  ctx.AddFlag(&cli, "admin_database_url",
              "PostgreSQL URL for migrations and operator commands (also VERTICE_ADMIN_DATABASE_URL)");
  ctx.AddFlag(&cli, "log_level", "trace|debug|info|warn|error (also VERTICE_LOG_LEVEL)");

  AddServeCommands(cli, ctx);
  AddMigrateCommands(cli, ctx);
  AddTenantCommands(cli, ctx);
  AddCompanyCommands(cli, ctx);
  AddUserCommands(cli, ctx);
  AddApiKeyCommands(cli, ctx);
  AddDemoCommands(cli, ctx);
  AddImportCommands(cli, ctx);
  AddBankCommands(cli, ctx);
  AddReconCommands(cli, ctx);
  AddRefreshCommands(cli, ctx);

  // The parsed subcommand's callback runs the command inside parse and leaves its exit code.
  CLI11_PARSE(cli, argc, argv);
  return ctx.exit_code;
}
