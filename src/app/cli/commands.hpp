// The `vertice` command families: each Add…Commands declares its subcommands, flags and help on
// the root app and sets the callbacks that run them (through CliContext::Run). main() calls them
// in this order, which is the order `vertice --help` lists them.
#pragma once

#include <optional>
#include <string>

#include "app/cli/context.hpp"

namespace vertice::app::cli {

void AddServeCommands(CLI::App& cli, CliContext& ctx);    // serve, routes (serve.cpp)
void AddMigrateCommands(CLI::App& cli, CliContext& ctx);  // migrate up|down|status|verify
void AddTenantCommands(CLI::App& cli, CliContext& ctx);   // tenant create
void AddCompanyCommands(CLI::App& cli, CliContext& ctx);  // company create|export|import
void AddUserCommands(CLI::App& cli, CliContext& ctx);     // user create|passwd|disable
void AddApiKeyCommands(CLI::App& cli, CliContext& ctx);   // apikey create|revoke
void AddDemoCommands(CLI::App& cli, CliContext& ctx);     // demo load
void AddImportCommands(CLI::App& cli, CliContext& ctx);   // import cfdi|statement
void AddBankCommands(CLI::App& cli, CliContext& ctx);     // bank account create
void AddReconCommands(CLI::App& cli, CliContext& ctx);    // recon run|export
void AddRefreshCommands(CLI::App& cli, CliContext& ctx);  // refresh

// `vertice refresh`: refreshes the unified view (one company or all) through the service the
// server uses, logged in mv_refresh_log; also the last step of `vertice demo load`.
int RunRefresh(const Config& config, std::optional<std::string> only, std::string requested_by);

}  // namespace vertice::app::cli
