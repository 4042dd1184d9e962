// `vertice import cfdi` (the pipeline is in cfdi_import.cpp) and `vertice import statement`:
// bank statement files through the same importer as the API, as the server role (row-level
// security on); a line already imported is skipped.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/cli/cfdi_import.hpp"
#include "app/cli/commands.hpp"
#include "banking/statement_importer.hpp"
#include "db/run_sync.hpp"

namespace vertice::app::cli {

namespace {

namespace fs = std::filesystem;

struct StatementImportArgs {
  std::vector<std::string> paths;
  std::string company;
  std::string account;  // id, CLABE or number; empty: found from each statement
  std::string format = "auto";
  std::string profile;
  std::string override_reason;
  bool json = false;  // one JSON report per file on stdout
};

// 0: every file imported or already imported; 3: some file rejected; 1/2: could not run.
int ImportStatements(const Config& config, const StatementImportArgs& a) {
  auto urls = ServerDatabaseUrls(config);
  if (!urls) return 2;
  auto format = bank::FormatFromName(a.format);
  if (!format) {
    std::cerr << "error: --format debe ser auto, csv, camt053, mt940 u ofx\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& p : a.paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      std::cerr << "error: no existe: " << p << "\n";
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  banking::ImportTotals totals;
  auto status = db::RunSync<Status>([&](boost::asio::any_io_executor ex) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await ResolveCompany(ex, urls->admin, a.company));
    db::Pool pool(ex, CommandPool(urls->url));
    std::optional<int64_t> account_id;
    if (!a.account.empty()) {
      // By id, CLABE or account number.
      auto found = co_await pool.InTransaction(ctx.scope, [&](db::Transaction& tx) {
        return tx.Query(
            "SELECT account_id FROM bank_accounts WHERE tenant_id = vertice_current_tenant() AND "
            "company_id = vertice_current_company() AND (account_id::text = $1 OR clabe = $1 OR "
            "account_number = $1)",
            db::P(a.account));
      });
      if (!found) co_return std::unexpected(found.error());
      if (found->Empty())
        co_return Fail(ErrorKind::kNotFound, "bank.account_not_found", "no existe la cuenta " + a.account);
      account_id = found->Int(0, "account_id");
    }
    banking::StatementImporter importer(pool, ctx.scope, ctx.actor, "cli", config.csv_profiles);
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      banking::ImportRequest req;
      req.file_name = f.filename().string();
      req.bytes = ss.str();
      req.format = *format;
      req.profile = a.profile;
      req.account_id = account_id;
      req.balance_override_reason = a.override_reason;
      VERTICE_CO_ASSIGN_OR_RETURN(auto report, co_await importer.Import(std::move(req)));
      totals.Add(report);
      if (a.json) {
        std::cout << boost::json::serialize(banking::FileReportJson(report)) << "\n";
        continue;
      }
      std::cout << f.string() << ": " << banking::FileStatusName(report.status) << " (" << report.format
                << (report.variant.empty() ? "" : ", " + report.variant) << "): " << report.new_lines << " nuevos, "
                << report.duplicate_lines << " duplicados, " << report.rejected_lines << " rechazados\n";
      if (report.error) std::cout << "  " << report.error->message << "\n";
      for (const auto& s : report.statements) {
        if (s.error) std::cout << "  estado " << s.bank_statement_ref << ": " << s.error->message << "\n";
        for (const auto& k : s.skipped) std::cout << "  línea " << k.line << ": " << k.reason << "\n";
      }
    }
    co_return Status{};
  });
  if (!status) {
    std::cerr << "error: " << status.error().message << " " << status.error().internal << "\n";
    return 1;
  }
  if (!a.json)
    std::cout << files.size() << " archivo(s): " << totals.new_lines << " movimientos nuevos, "
              << totals.duplicate_lines << " duplicados, " << totals.rejected_lines << " rechazados; "
              << totals.rejected_files << " archivo(s) rechazado(s)\n";
  return totals.rejected_files > 0 ? 3 : 0;
}

}  // namespace

void AddImportCommands(CLI::App& cli, CliContext& ctx) {
  auto* import_cmd = cli.add_subcommand("import", "Import documents into a company");
  import_cmd->require_subcommand(1);

  struct CfdiArgs {
    std::vector<std::string> paths;
    std::string company;
    bool unverified = false;
  };
  auto cfdi_args = std::make_shared<CfdiArgs>();
  auto* cfdi = import_cmd->add_subcommand("cfdi", "Import CFDI XML files, folders and ZIPs (SAT bulk download)");
  cfdi->add_option("paths", cfdi_args->paths, "Files, folders or ZIP archives")->required();
  cfdi->add_option("--company", cfdi_args->company, "Company id, e.g. acme")->required();
  cfdi->add_flag("--unverified", cfdi_args->unverified,
                 "Store documents whose seal is invalid or missing, as unverified imports (audited)");
  ctx.AddDatabaseUrlFlag(cfdi);
  cfdi->callback([&ctx, cfdi_args] {
    ctx.Run([&](const Config& config) {
      return ImportCfdi(config, cfdi_args->paths, cfdi_args->company, cfdi_args->unverified);
    });
  });

  auto args = std::make_shared<StatementImportArgs>();
  auto* statement = import_cmd->add_subcommand(
      "statement", "Import bank statements (CAMT.053, MT940, OFX/QFX, CSV); duplicates are skipped line by line");
  statement->add_option("paths", args->paths, "Statement files or folders")->required();
  statement->add_option("--company", args->company, "Company id, e.g. acme")->required();
  statement->add_option("--account", args->account,
                        "Bank account (id, CLABE or number); default: found from the statement");
  statement->add_option("--format", args->format, "auto|csv|camt053|mt940|ofx (default auto)");
  statement->add_option("--profile", args->profile, "CSV profile name (default: detected)");
  statement->add_option("--override-balance-reason", args->override_reason,
                        "Store statements whose balances do not add up, recording this reason");
  statement->add_flag("--json", args->json, "One JSON report per file");
  ctx.AddDatabaseUrlFlag(statement);
  statement->callback([&ctx, args] { ctx.Run([&](const Config& config) { return ImportStatements(config, *args); }); });
}

}  // namespace vertice::app::cli
