// `vertice recon run|export`: the reconciliation matcher over a company's unreconciled bank
// movements, and its matches written as a recon-truth/1 predictions file (recon-dev's README).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/cli/commands.hpp"
#include "db/run_sync.hpp"
#include "reconciliation/run.hpp"
#include "shared/validation.hpp"

namespace vertice::app::cli {

namespace {

struct ReconArgs {
  std::string company;
  std::string account;  // id; empty: every account
  std::string from, to;
  std::string format = "recon-truth/1";
  std::string output;  // export: a file; empty: standard output
};

// Prints the run's counts as JSON.
int ReconRun(const Config& config, const ReconArgs& a) {
  auto urls = ServerDatabaseUrls(config);
  if (!urls) return 2;
  reconciliation::RunRequest req;
  if (!a.account.empty()) {
    if (a.account.find_first_not_of("0123456789") != std::string::npos || a.account.size() > 18) {
      std::cerr << "error: --account debe ser el id numérico de la cuenta\n";
      return 2;
    }
    req.account_id = std::stoll(a.account);
  }
  for (const auto* d : {&a.from, &a.to})
    if (!d->empty() && !shared::IsIsoDate(*d)) {
      std::cerr << "error: las fechas van como AAAA-MM-DD\n";
      return 2;
    }
  req.from_date = a.from;
  req.to_date = a.to;
  req.options.auto_threshold = config.recon_auto_threshold;
  req.options.auto_margin = config.recon_auto_margin;
  auto report = db::RunSync<Result<reconciliation::RunReport>>(
      [&](boost::asio::any_io_executor ex) -> db::Task<Result<reconciliation::RunReport>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await ResolveCompany(ex, urls->admin, a.company));
        req.requested_by = ctx.actor.id;
        db::Pool pool(ex, CommandPool(urls->url));
        co_return co_await reconciliation::RunReconciliation(pool, ctx.scope, req);
      });
  if (!report) {
    std::cerr << "error: " << report.error().message << " " << report.error().internal << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(reconciliation::RunReportJson(*report)) << std::endl;
  return 0;
}

int ReconExport(const Config& config, const ReconArgs& a) {
  auto urls = ServerDatabaseUrls(config);
  if (!urls) return 2;
  if (a.format != "recon-truth/1") {
    std::cerr << "error: --format: solo recon-truth/1\n";
    return 2;
  }
  auto out = db::RunSync<Result<boost::json::object>>(
      [&](boost::asio::any_io_executor ex) -> db::Task<Result<boost::json::object>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await ResolveCompany(ex, urls->admin, a.company));
        db::Pool pool(ex, CommandPool(urls->url));
        co_return co_await reconciliation::ExportPredictions(pool, ctx.scope);
      });
  if (!out) {
    std::cerr << "error: " << out.error().message << " " << out.error().internal << "\n";
    return 1;
  }
  std::string text = boost::json::serialize(*out);
  if (a.output.empty()) {
    std::cout << text << std::endl;
  } else {
    std::ofstream f(a.output, std::ios::binary);
    f << text << "\n";
    if (!f) {
      std::cerr << "error: no se pudo escribir " << a.output << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

void AddReconCommands(CLI::App& cli, CliContext& ctx) {
  auto* recon = cli.add_subcommand("recon", "Bank reconciliation");
  recon->require_subcommand(1);
  auto args = std::make_shared<ReconArgs>();

  auto* run = recon->add_subcommand("run", "Match unreconciled movements with CFDI (automatic or suggested)");
  run->add_option("--company", args->company, "Company id")->required();
  run->add_option("--account", args->account, "Only this bank account (id)");
  run->add_option("--from", args->from, "From booking date (AAAA-MM-DD)");
  run->add_option("--to", args->to, "To booking date (AAAA-MM-DD)");
  ctx.AddDatabaseUrlFlag(run);
  run->callback([&ctx, args] { ctx.Run([&](const Config& config) { return ReconRun(config, *args); }); });

  auto* export_cmd = recon->add_subcommand("export", "Write the company's matches as a predictions file");
  export_cmd->add_option("--company", args->company, "Company id")->required();
  export_cmd->add_option("--format", args->format, "recon-truth/1 (default)");
  export_cmd->add_option("--output,-o", args->output, "File (default: standard output)");
  ctx.AddDatabaseUrlFlag(export_cmd);
  export_cmd->callback([&ctx, args] { ctx.Run([&](const Config& config) { return ReconExport(config, *args); }); });
}

}  // namespace vertice::app::cli
