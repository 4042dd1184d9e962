#include "app/cli/bank.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "admin/admin.hpp"
#include "banking/statement_importer.hpp"
#include "db/connection.hpp"
#include "db/pool.hpp"
#include "db/run_sync.hpp"
#include "reconciliation/run.hpp"
#include "shared/validation.hpp"

namespace vertice::app {

namespace fs = std::filesystem;

namespace {

// The company's tenant (an operator lookup with the admin URL) and a scope to act in it as the
// server role, so row-level security checks every row written.
struct CompanyContext {
  db::TenantScope scope;
  shared::Actor actor;
};

db::Task<Result<CompanyContext>> Resolve(boost::asio::any_io_executor ex, const std::string& admin_url,
                                         const std::string& company_id) {
  auto admin = co_await db::Connection::Connect(ex, admin_url, std::chrono::seconds(10));
  if (!admin) co_return std::unexpected(admin.error());
  (*admin)->UsePreparedStatements(false);
  VERTICE_CO_ASSIGN_OR_RETURN(auto tenant, co_await admin::TenantOfCompany(**admin, company_id));
  CompanyContext c;
  c.scope.tenant_id = tenant;
  c.scope.company_id = company_id;
  c.actor.type = "system";  // the audit log's actor types: user, api_key, system
  c.actor.id = std::string("cli:") + (std::getenv("USER") ? std::getenv("USER") : "operator");
  c.actor.tenant_id = c.scope.tenant_id;
  c.actor.company_id = company_id;
  co_return c;
}

struct Urls {
  std::string url, admin;
};
std::optional<Urls> DatabaseUrls(const Config& config) {
  Urls u;
  u.url = config.database_url.empty() ? config.admin_database_url : config.database_url;
  u.admin = config.admin_database_url.empty() ? u.url : config.admin_database_url;
  if (u.url.empty()) {
    std::cerr << "error: no database configured: set DATABASE_URL or --database-url\n";
    return std::nullopt;
  }
  return u;
}

db::PoolOptions Options(const std::string& url) {
  db::PoolOptions options;
  options.conninfo = url;
  options.max_size = 2;
  options.prepared_statements = false;
  return options;
}

}  // namespace

int CreateBankAccount(const Config& config, const BankAccountArgs& a) {
  auto urls = DatabaseUrls(config);
  if (!urls) return 2;
  if (!a.clabe.empty() && !shared::IsValidClabe(a.clabe)) {
    std::cerr << "error: " << a.clabe << " no es una CLABE válida\n";
    return 2;
  }
  if (a.clabe.empty() && a.number.empty()) {
    std::cerr << "error: indique --clabe o --number\n";
    return 2;
  }
  std::string bank = a.bank;
  if (bank.empty() && !a.clabe.empty())
    if (auto known = shared::ClabeBankName(a.clabe)) bank = std::string(*known);
  if (bank.empty()) {
    std::cerr << "error: indique --bank (no se deduce sin CLABE)\n";
    return 2;
  }
  auto id = db::RunSync<Result<int64_t>>([&](boost::asio::any_io_executor ex) -> db::Task<Result<int64_t>> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await Resolve(ex, urls->admin, a.company));
    db::Pool pool(ex, Options(urls->url));
    co_return co_await pool.InTransaction(ctx.scope, [&](db::Transaction& tx) -> db::Task<Result<int64_t>> {
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto rows,
          co_await tx.Query("INSERT INTO bank_accounts (tenant_id, company_id, name, bank, clabe, account_number, "
                            "currency) VALUES (vertice_current_tenant(), vertice_current_company(), $1, $2, "
                            "NULLIF($3, ''), NULLIF($4, ''), $5) RETURNING account_id",
                            db::P(a.name.empty() ? bank : a.name, bank, a.clabe, a.number, a.currency)));
      auto account_id = rows.Int(0, "account_id");
      VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.actor, "bank.account_created", "bank_account",
                                                  std::to_string(account_id), {}, {}));
      co_return account_id;
    });
  });
  if (!id) {
    std::cerr << "error: " << id.error().message << " " << id.error().internal << "\n";
    return 1;
  }
  std::cout << *id << std::endl;
  return 0;
}

int ImportStatements(const Config& config, const StatementImportArgs& a) {
  auto urls = DatabaseUrls(config);
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
      files.push_back(p);
    } else {
      std::cerr << "error: no existe: " << p << "\n";
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  int rejected_files = 0, new_lines = 0, duplicates = 0, rejected = 0;
  auto status = db::RunSync<Status>([&](boost::asio::any_io_executor ex) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await Resolve(ex, urls->admin, a.company));
    db::Pool pool(ex, Options(urls->url));
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
      new_lines += report.new_lines;
      duplicates += report.duplicate_lines;
      rejected += report.rejected_lines;
      if (report.status == banking::FileStatus::kRejected) ++rejected_files;
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
    std::cout << files.size() << " archivo(s): " << new_lines << " movimientos nuevos, " << duplicates
              << " duplicados, " << rejected << " rechazados; " << rejected_files << " archivo(s) rechazado(s)\n";
  return rejected_files > 0 ? 3 : 0;
}

int ReconRun(const Config& config, const ReconArgs& a) {
  auto urls = DatabaseUrls(config);
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
        VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await Resolve(ex, urls->admin, a.company));
        req.requested_by = ctx.actor.id;
        db::Pool pool(ex, Options(urls->url));
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
  auto urls = DatabaseUrls(config);
  if (!urls) return 2;
  if (a.format != "recon-truth/1") {
    std::cerr << "error: --format: solo recon-truth/1\n";
    return 2;
  }
  auto out = db::RunSync<Result<boost::json::object>>(
      [&](boost::asio::any_io_executor ex) -> db::Task<Result<boost::json::object>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await Resolve(ex, urls->admin, a.company));
        db::Pool pool(ex, Options(urls->url));
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

}  // namespace vertice::app
