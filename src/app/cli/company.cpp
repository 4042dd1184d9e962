// `vertice company create|export|import`: a company (a legal entity with an RFC) in a tenant, and
// one company moved or restored without touching the others (portability/transfer.hpp), on the
// admin database URL.
#include <fmt/format.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "admin/admin.hpp"
#include "app/cli/commands.hpp"
#include "portability/transfer.hpp"

namespace vertice::app::cli {

namespace {

std::string Summary(const portability::Header& h) {
  int64_t rows = 0;
  for (const auto& t : h.tables) rows += t.rows;
  return fmt::format("{} rows in {} tables", rows, h.tables.size());
}

// Writes to `path` + ".partial" (mode 0600: the file holds password and API key hashes) and
// renames it over `path` only once the export finished; "-" is standard output.
int RunExport(const Config& config, const std::string& company, std::string path) {
  if (path.empty()) path = company + ".company.jsonl";
  const bool to_stdout = path == "-";
  const std::string partial = path + ".partial";
  std::ofstream file;
  if (!to_stdout) {
    const auto old_mask = ::umask(077);
    file.open(partial, std::ios::binary | std::ios::trunc);
    ::umask(old_mask);
    if (!file) {
      std::cerr << "error: cannot write " << partial << "\n";
      return 1;
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;
  portability::Header header;
  const int rc = WithAdminConnection(config, [&](db::Connection& conn) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(header, co_await portability::ExportCompany(conn, company, out));
    co_return Status{};
  });
  if (to_stdout) {
    if (rc == 0) std::cerr << "company " << company << " exported: " << Summary(header) << "\n";
    return rc;
  }
  file.close();
  std::error_code ec;
  if (rc != 0 || !file) {
    std::filesystem::remove(partial, ec);
    if (rc == 0) std::cerr << "error: could not write " << partial << "\n";
    return rc == 0 ? 1 : rc;
  }
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    std::cerr << "error: cannot rename " << partial << " to " << path << ": " << ec.message() << "\n";
    return 1;
  }
  Say(fmt::format("company {} exported to {}: {}", company, path, Summary(header)));
  return 0;
}

int RunImport(const Config& config, const std::string& path, bool replace) {
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      std::cerr << "error: cannot read " << path << "\n";
      return 2;
    }
  }
  std::istream& in = path == "-" ? std::cin : file;
  portability::ImportReport report;
  portability::ImportOptions options;  // (GCC 12: no braced temporaries inside co_await)
  options.replace = replace;
  options.actor = "cli:" + OperatorName();
  const int rc = WithAdminConnection(config, [&](db::Connection& conn) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(report, co_await portability::ImportCompany(conn, in, options));
    co_return Status{};
  });
  if (rc != 0) {
    std::cerr << "nothing was changed\n";
    return rc;
  }
  const auto& h = report.header;
  Say(fmt::format("company {} {} from the export of {} (vertice {}): {} rows inserted, {} kept{}", h.company_id,
                  report.replaced ? "replaced" : "imported", h.exported_at, h.vertice_version, report.rows,
                  report.rows_kept, report.tenant_created ? "; tenant " + h.tenant_id + " created" : ""));
  // The unified view: the triggers filled it as rows arrived; verify and repair it now.
  const int refreshed = RunRefresh(config, h.company_id, "cli:" + OperatorName() + " company import");
  if (refreshed != 0)
    std::cerr << "error: the company was imported but its unified view was not refreshed: run vertice refresh "
                 "--company "
              << h.company_id << "\n";
  return refreshed;
}

}  // namespace

void AddCompanyCommands(CLI::App& cli, CliContext& ctx) {
  auto* company = cli.add_subcommand("company", "Manage companies; move or restore one company");
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

  struct TransferArgs {
    std::string company, out, file;
    bool replace = false;
  };
  auto transfer = std::make_shared<TransferArgs>();
  auto* exp = company->add_subcommand(
      "export", "Write one company's rows (and its users) to one file, from one consistent snapshot");
  exp->add_option("--company", transfer->company, "Company id, e.g. acme")->required();
  exp->add_option("--out,-o", transfer->out, "File to write (default COMPANY.company.jsonl; - for standard output)");
  exp->callback([&ctx, transfer] {
    ctx.Run([&](const Config& config) { return RunExport(config, transfer->company, transfer->out); });
  });

  auto* imp = company->add_subcommand(
      "import", "Load a company file in one transaction (refused on another schema version or a changed file)");
  imp->add_option("--file,-f", transfer->file, "Company file (- for standard input)")->required();
  imp->add_flag("--replace", transfer->replace, "Delete the company's current rows first (only that company's)");
  imp->callback([&ctx, transfer] {
    ctx.Run([&](const Config& config) { return RunImport(config, transfer->file, transfer->replace); });
  });
}

}  // namespace vertice::app::cli
