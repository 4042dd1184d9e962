// The `vertice` binary: the server and every operator command.
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "admin/admin.hpp"
#include "admin/demo_invoices.hpp"
#include "admin/demo_verticals.hpp"
#include "app/cli/bank.hpp"
#include "app/cli/cfdi_import.hpp"
#include "app/config.hpp"
#include "app/serve.hpp"
#include "auth/crypto.hpp"
#include "core/version.hpp"
#include "db/run_sync.hpp"
#include "freshness/refresh_service.hpp"
#include "migrate/embedded.hpp"
#include "migrate/plan.hpp"
#include "migrate/runner.hpp"
#include "verticals/registry.hpp"

namespace {

using namespace vertice;

struct GlobalFlags {
  std::optional<std::string> config_file;
  app::FlagValues values;
};

void SetupLogging(const std::string& level, bool async) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  std::shared_ptr<spdlog::logger> logger;
  if (async) {
    spdlog::init_thread_pool(65536, 1);
    logger = std::make_shared<spdlog::async_logger>("vertice", sink, spdlog::thread_pool(),
                                                    spdlog::async_overflow_policy::overrun_oldest);
  } else {
    logger = std::make_shared<spdlog::logger>("vertice", sink);
  }
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

std::string ReadSecret(const std::optional<std::string>& flag, bool from_stdin, const char* env) {
  if (from_stdin) {
    std::string line;
    std::getline(std::cin, line);
    return line;
  }
  if (flag) return *flag;
  if (const char* v = std::getenv(env)) return v;
  return {};
}

// Runs an operator command on a direct connection to the admin database URL.
int WithAdminConnection(const GlobalFlags& flags, const std::function<db::Task<Status>(db::Connection&)>& body) {
  auto config = app::LoadConfig(flags.config_file, flags.values, [](const char* n) { return std::getenv(n); });
  if (!config) {
    std::cerr << "error: " << config.error().message << "\n";
    return 2;
  }
  if (config->admin_database_url.empty()) {
    std::cerr << "error: no database configured: set DATABASE_URL, VERTICE_ADMIN_DATABASE_URL or --database-url\n";
    return 2;
  }
  auto status = db::RunSync<Status>([&](boost::asio::any_io_executor ex) -> db::Task<Status> {
    auto conn = co_await db::Connection::Connect(ex, config->admin_database_url, std::chrono::seconds(10));
    if (!conn) co_return std::unexpected(conn.error());
    (*conn)->UsePreparedStatements(false);
    co_return co_await body(**conn);
  });
  if (!status) {
    const auto& e = status.error();
    std::cerr << "error: " << (e.internal.empty() ? e.message : e.message + " (" + e.internal + ")") << "\n";
    return e.kind == ErrorKind::kInvalidInput ? 2 : 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auth::InitCrypto();
  CLI::App cli{"Vértice: multi-tenant finance platform for Mexican businesses"};
  cli.set_version_flag("--version",
                       std::string("vertice ") + kVersion + (*kBuildId ? std::string(" (") + kBuildId + ")" : ""));
  cli.require_subcommand(1);
  GlobalFlags flags;
  std::string config_path;
  cli.add_option("--config", config_path, "TOML configuration file (also VERTICE_CONFIG)");
  auto flag = [&](CLI::App* sub, const std::string& key, const std::string& help) {
    sub->add_option_function<std::string>(
        "--" +
            [&] {
              std::string k = key;
              std::replace(k.begin(), k.end(), '_', '-');
              return k;
            }(),
        [&flags, key](const std::string& v) { flags.values[key] = v; }, help);
  };
  flag(&cli, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");
  flag(&cli, "admin_database_url",
       "PostgreSQL URL for migrations and operator commands (also VERTICE_ADMIN_DATABASE_URL)");
  flag(&cli, "log_level", "trace|debug|info|warn|error (also VERTICE_LOG_LEVEL)");

  // serve
  auto* serve = cli.add_subcommand("serve", "Run the HTTP API server");
  flag(serve, "listen", "HOST:PORT to listen on (default 127.0.0.1:8080; also VERTICE_LISTEN)");
  flag(serve, "threads", "I/O worker threads (default: number of cores; also VERTICE_THREADS)");
  flag(serve, "pool_size", "Database connections (default 16; also VERTICE_POOL_SIZE)");
  flag(serve, "body_limit", "Maximum request body in MiB (default 10; also VERTICE_BODY_LIMIT)");
  flag(serve, "shutdown_grace_seconds", "Seconds to finish in-flight requests on SIGTERM (default 20)");
  flag(serve, "header_timeout_seconds", "Seconds a client may take to send request headers (default 10)");
  flag(serve, "idle_timeout_seconds", "Seconds an idle keep-alive connection stays open (default 75)");
  flag(serve, "db_prepared_statements", "true|false: use named prepared statements (false behind PgBouncer)");
  flag(serve, "run_jobs", "true|false: run the verticals' scheduled jobs in this instance");
  flag(serve, "trusted_proxies",
       "Comma-separated proxy addresses/networks whose X-Forwarded-* headers count (also VERTICE_TRUSTED_PROXIES)");

  auto* routes_cmd =
      cli.add_subcommand("routes", "Print every HTTP route the server answers (METHOD /path/{param}), one a line");

  // migrate
  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply, roll back, inspect or verify database migrations");
  migrate_cmd->require_subcommand(1);
  auto* m_up = migrate_cmd->add_subcommand("up", "Apply every pending migration (core first, then verticals)");
  std::string down_component = "core";
  int down_to = -1;
  auto* m_down = migrate_cmd->add_subcommand("down", "Roll back a component's migrations above a version");
  m_down->add_option("--component", down_component, "Component to roll back (default core)");
  m_down->add_option("--to", down_to, "Version to roll back to (0 = everything)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  auto* m_status = migrate_cmd->add_subcommand("status", "List migrations and whether each is applied");
  auto* m_verify =
      migrate_cmd->add_subcommand("verify", "Check checksums and re-run verify scripts of applied migrations");

  // tenant / company
  auto* tenant = cli.add_subcommand("tenant", "Manage tenants");
  tenant->require_subcommand(1);
  std::string tenant_id, tenant_name;
  auto* tenant_create = tenant->add_subcommand("create", "Create a tenant (an organization)");
  tenant_create->add_option("--id", tenant_id, "Tenant slug, e.g. demo")->required();
  tenant_create->add_option("--name", tenant_name, "Display name")->required();

  auto* company = cli.add_subcommand("company", "Manage companies");
  company->require_subcommand(1);
  std::string company_id, company_name, company_rfc;
  auto* company_create = company->add_subcommand("create", "Create a company (a legal entity with an RFC)");
  company_create->add_option("--tenant", tenant_id, "Owning tenant")->required();
  company_create->add_option("--id", company_id, "Company slug, e.g. acme")->required();
  company_create->add_option("--name", company_name, "Legal name")->required();
  company_create->add_option("--rfc", company_rfc, "RFC (12 or 13 characters)")->required();

  // user
  auto* user = cli.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  std::string email, full_name, role;
  std::optional<std::string> password;
  bool password_stdin = false;
  auto* user_create = user->add_subcommand("create", "Create a user, optionally with a role in a company");
  user_create->add_option("--email", email, "E-mail (login)")->required();
  user_create->add_option("--name", full_name, "Full name");
  user_create->add_option("--tenant", tenant_id, "Tenant (default: the company's)");
  user_create->add_option("--company", company_id, "Company to add the user to");
  user_create->add_option("--role", role, "owner|ceo|cfo|accountant|cashier|viewer (default viewer)");
  user_create->add_option("--password", password, "Password (prefer --password-stdin or VERTICE_PASSWORD)");
  user_create->add_flag("--password-stdin", password_stdin, "Read the password from standard input");
  auto* user_passwd = user->add_subcommand("passwd", "Set a user's password (ends their sessions)");
  user_passwd->add_option("--email", email, "E-mail")->required();
  user_passwd->add_option("--password", password, "Password (prefer --password-stdin or VERTICE_PASSWORD)");
  user_passwd->add_flag("--password-stdin", password_stdin, "Read the password from standard input");
  auto* user_disable = user->add_subcommand("disable", "Disable a user (ends their sessions)");
  user_disable->add_option("--email", email, "E-mail")->required();

  // apikey
  auto* apikey = cli.add_subcommand("apikey", "Manage API keys for integrations and POS terminals");
  apikey->require_subcommand(1);
  std::string key_name, key_id;
  auto* key_create = apikey->add_subcommand("create", "Create an API key (printed once)");
  key_create->add_option("--company", company_id, "Company")->required();
  key_create->add_option("--name", key_name, "What the key is for")->required();
  key_create->add_option("--role", role, "Role the key acts with")->required();
  auto* key_revoke = apikey->add_subcommand("revoke", "Revoke an API key");
  key_revoke->add_option("--id", key_id, "API key id")->required();

  // demo
  auto* demo = cli.add_subcommand("demo", "Demo data");
  demo->require_subcommand(1);
  bool force = false;
  auto* demo_load = demo->add_subcommand("load", "Load the demo tenant, companies and users");
  demo_load->add_flag("--force", force, "Load even into a database not created by scripts/up");

  // import
  auto* import_cmd = cli.add_subcommand("import", "Import documents into a company");
  import_cmd->require_subcommand(1);
  std::vector<std::string> import_paths;
  std::string import_company;
  auto* import_cfdi = import_cmd->add_subcommand("cfdi", "Import CFDI XML files, folders and ZIPs (SAT bulk download)");
  import_cfdi->add_option("paths", import_paths, "Files, folders or ZIP archives")->required();
  import_cfdi->add_option("--company", import_company, "Company id, e.g. acme")->required();
  flag(import_cfdi, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");

  app::StatementImportArgs statement_args;
  auto* import_statement = import_cmd->add_subcommand(
      "statement", "Import bank statements (CAMT.053, MT940, OFX/QFX, CSV); duplicates are skipped line by line");
  import_statement->add_option("paths", statement_args.paths, "Statement files or folders")->required();
  import_statement->add_option("--company", statement_args.company, "Company id, e.g. acme")->required();
  import_statement->add_option("--account", statement_args.account,
                               "Bank account (id, CLABE or number); default: found from the statement");
  import_statement->add_option("--format", statement_args.format, "auto|csv|camt053|mt940|ofx (default auto)");
  import_statement->add_option("--profile", statement_args.profile, "CSV profile name (default: detected)");
  import_statement->add_option("--override-balance-reason", statement_args.override_reason,
                               "Store statements whose balances do not add up, recording this reason");
  import_statement->add_flag("--json", statement_args.json, "One JSON report per file");
  flag(import_statement, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");

  // bank
  auto* bank_cmd = cli.add_subcommand("bank", "Bank accounts");
  bank_cmd->require_subcommand(1);
  app::BankAccountArgs account_args;
  auto* account_cmd = bank_cmd->add_subcommand("account", "Bank accounts of a company");
  account_cmd->require_subcommand(1);
  auto* account_create = account_cmd->add_subcommand("create", "Register a bank account (prints its id)");
  account_create->add_option("--company", account_args.company, "Company id")->required();
  account_create->add_option("--name", account_args.name, "Name shown to users (default: the bank)");
  account_create->add_option("--bank", account_args.bank, "Bank (default: from the CLABE)");
  account_create->add_option("--clabe", account_args.clabe, "CLABE (18 digits)");
  account_create->add_option("--number", account_args.number, "Account number or IBAN as statements write it");
  account_create->add_option("--currency", account_args.currency, "ISO 4217 (default MXN)");
  flag(account_create, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");

  // recon
  auto* recon_cmd = cli.add_subcommand("recon", "Bank reconciliation");
  recon_cmd->require_subcommand(1);
  app::ReconArgs recon_args;
  auto* recon_run = recon_cmd->add_subcommand("run", "Match unreconciled movements with CFDI (automatic or suggested)");
  recon_run->add_option("--company", recon_args.company, "Company id")->required();
  recon_run->add_option("--account", recon_args.account, "Only this bank account (id)");
  recon_run->add_option("--from", recon_args.from, "From booking date (AAAA-MM-DD)");
  recon_run->add_option("--to", recon_args.to, "To booking date (AAAA-MM-DD)");
  flag(recon_run, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");
  auto* recon_export = recon_cmd->add_subcommand("export", "Write the company's matches as a predictions file");
  recon_export->add_option("--company", recon_args.company, "Company id")->required();
  recon_export->add_option("--format", recon_args.format, "recon-truth/1 (default)");
  recon_export->add_option("--output,-o", recon_args.output, "File (default: standard output)");
  flag(recon_export, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");

  // refresh
  auto* refresh_cmd = cli.add_subcommand("refresh", "Refresh (verify and repair) the unified view now, as level 3");
  std::string refresh_company;
  bool refresh_full = false;
  refresh_cmd->add_option("--company", refresh_company, "Only this company, e.g. acme");
  refresh_cmd->add_flag("--full", refresh_full, "Every company");

  CLI11_PARSE(cli, argc, argv);
  if (!config_path.empty()) flags.config_file = config_path;

  auto getenv_fn = [](const char* n) { return std::getenv(n); };
  auto config = app::LoadConfig(flags.config_file, flags.values, getenv_fn);
  if (!config) {
    std::cerr << "error: " << config.error().message << "\n";
    return 2;
  }
  SetupLogging(config->log_level, serve->parsed());
  if (serve->parsed()) return app::Serve(*config);
  if (routes_cmd->parsed()) return app::PrintRoutes(*config);

  if (import_cfdi->parsed()) return app::ImportCfdi(*config, import_paths, import_company);
  if (import_statement->parsed()) return app::ImportStatements(*config, statement_args);
  if (account_create->parsed()) return app::CreateBankAccount(*config, account_args);
  if (recon_run->parsed()) return app::ReconRun(*config, recon_args);
  if (recon_export->parsed()) return app::ReconExport(*config, recon_args);
  // Runs a refresh through the same service the server uses (logged in mv_refresh_log).
  auto run_refresh = [&](std::optional<std::string> only, std::string requested_by) -> int {
    if (config->admin_database_url.empty()) {
      std::cerr << "error: no database configured: set DATABASE_URL, VERTICE_ADMIN_DATABASE_URL or --database-url\n";
      return 2;
    }
    auto outcome = db::RunSync<Result<freshness::RefreshOutcome>>(
        [&](boost::asio::any_io_executor ex) -> db::Task<Result<freshness::RefreshOutcome>> {
          db::PoolOptions options;
          options.conninfo = config->admin_database_url;
          options.max_size = 2;
          options.prepared_statements = false;
          db::Pool pool(ex, options);
          if (only) {
            VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool.Acquire());
            VERTICE_CO_ASSIGN_OR_RETURN(
                auto known, co_await lease->Execute("SELECT 1 FROM companies WHERE company_id = $1", db::P(*only)));
            if (known.Empty()) co_return Fail(ErrorKind::kNotFound, "unknown_company", "no company " + *only);
          }
          freshness::RefreshService service(pool, {.instance = "cli"});
          freshness::RefreshRequest r;
          r.company = only;
          r.reason = "command line";
          r.requested_by = requested_by;
          co_return co_await service.Refresh(r);
        });
    if (!outcome) {
      std::cerr << "error: " << outcome.error().message << " " << outcome.error().internal << "\n";
      return 1;
    }
    std::cout << fmt::format("refresh {} ({}, {}): {} in {:.0f} ms; {} rows checked, {} repaired, {} event(s) served",
                             outcome->refresh_id, outcome->level, only.value_or("every company"), outcome->status,
                             outcome->duration_ms, outcome->rows_checked, outcome->rows_repaired,
                             outcome->events_served)
              << std::endl;
    if (outcome->status != "succeeded") {
      std::cerr << "error: " << outcome->error << "\n";
      return 1;
    }
    return 0;
  };
  if (refresh_cmd->parsed()) {
    if (refresh_full == !refresh_company.empty()) {
      std::cerr << "error: give --company ID or --full\n";
      return 2;
    }
    const char* login = std::getenv("USER");
    return run_refresh(refresh_full ? std::nullopt : std::optional(refresh_company),
                       std::string("cli:") + (login ? login : "operator"));
  }

  auto registry = verticals::Registry::Discover();
  if (!registry) {
    std::cerr << "error: " << registry.error().message << "\n";
    return 1;
  }
  auto plan = registry->MigrationPlan(migrate::EmbeddedMigrations());
  if (!plan) {
    std::cerr << "error: " << plan.error().message << "\n";
    return 1;
  }
  auto say = [](const std::string& line) { std::cout << line << std::endl; };
  if (m_up->parsed() || m_down->parsed() || m_status->parsed() || m_verify->parsed()) {
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      migrate::Runner runner(conn, *plan, say);
      if (m_up->parsed()) {
        VERTICE_CO_ASSIGN_OR_RETURN(int n, co_await runner.Up());
        say(n == 0 ? "database is up to date" : fmt::format("{} migration(s) applied", n));
      } else if (m_down->parsed()) {
        VERTICE_CO_ASSIGN_OR_RETURN(int n, co_await runner.Down(down_component, down_to));
        say(fmt::format("{} migration(s) rolled back", n));
      } else if (m_status->parsed()) {
        VERTICE_CO_ASSIGN_OR_RETURN(auto entries, co_await runner.GetStatus());
        for (const auto& e : entries) {
          say(fmt::format("{:<10} {:<40} {:<8} {}", e.component, e.name, e.state, e.applied_at));
        }
      } else {
        VERTICE_CO_TRY(co_await runner.Verify());
        say("all applied migrations verified");
      }
      co_return Status{};
    });
  }
  if (tenant_create->parsed()) {
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::CreateTenant(conn, tenant_id, tenant_name));
      say("tenant " + tenant_id + " created");
      co_return Status{};
    });
  }
  if (company_create->parsed()) {
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::CreateCompany(conn, tenant_id, company_id, company_name, company_rfc));
      say("company " + company_id + " created");
      co_return Status{};
    });
  }
  if (user_create->parsed() || user_passwd->parsed()) {
    auto secret = ReadSecret(password, password_stdin, "VERTICE_PASSWORD");
    if (secret.empty()) {
      std::cerr << "error: give a password with --password-stdin, VERTICE_PASSWORD or --password\n";
      return 2;
    }
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      if (user_passwd->parsed()) {
        VERTICE_CO_TRY(co_await admin::SetPassword(conn, email, secret));
        say("password changed for " + email);
        co_return Status{};
      }
      std::string owner_tenant = tenant_id;
      if (owner_tenant.empty() && !company_id.empty()) {
        VERTICE_CO_ASSIGN_OR_RETURN(owner_tenant, co_await admin::TenantOfCompany(conn, company_id));
      }
      if (owner_tenant.empty())
        co_return Fail(ErrorKind::kInvalidInput, "tenant_required", "give --tenant or --company");
      auto company_opt = company_id.empty() ? std::nullopt : std::optional(company_id);
      auto role_opt = role.empty() ? std::nullopt : std::optional(role);
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto id, co_await admin::CreateUser(conn, owner_tenant, email, full_name, secret, company_opt, role_opt));
      say("user " + email + " created (" + id + ")");
      co_return Status{};
    });
  }
  if (user_disable->parsed()) {
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::DisableUser(conn, email));
      say("user " + email + " disabled");
      co_return Status{};
    });
  }
  if (key_create->parsed()) {
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_ASSIGN_OR_RETURN(auto key, co_await admin::CreateApiKey(conn, company_id, key_name, role));
      say("api key " + key.id + " created; store it now, it is not shown again:");
      say(key.key);
      co_return Status{};
    });
  }
  if (key_revoke->parsed()) {
    return WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::RevokeApiKey(conn, key_id));
      say("api key " + key_id + " revoked");
      co_return Status{};
    });
  }
  if (demo_load->parsed()) {
    int rc = WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::LoadDemo(conn, force));
      co_return Status{};
    });
    if (rc != 0) return rc;
    auto loaded = db::RunSync<Result<int>>([&](boost::asio::any_io_executor ex) -> db::Task<Result<int>> {
      db::PoolOptions options;
      options.conninfo = config->admin_database_url;
      options.max_size = 1;
      options.prepared_statements = false;
      db::Pool pool(ex, options);
      co_return co_await admin::LoadDemoInvoices(pool);
    });
    if (!loaded) {
      std::cerr << "error: " << loaded.error().message << " " << loaded.error().internal << "\n";
      return 1;
    }
    int verticals_loaded = 0;
    rc = WithAdminConnection(flags, [&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_ASSIGN_OR_RETURN(verticals_loaded, co_await admin::LoadDemoVerticals(conn, *registry));
      co_return Status{};
    });
    if (rc != 0) return rc;
    say(fmt::format("demo data loaded ({} new CFDI for acme, {} vertical demo(s))", *loaded, verticals_loaded));
    return run_refresh(std::nullopt, "vertice demo load");
  }
  return 0;
}
