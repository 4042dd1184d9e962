// The command line's shared helpers (context.hpp): configuration and logging before a command,
// the operator connection, secrets, and the company lookup every company command goes through.
#include "app/cli/context.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "admin/admin.hpp"
#include "db/run_sync.hpp"

namespace vertice::app::cli {

void CliContext::AddFlag(CLI::App* sub, const std::string& key, const std::string& help) {
  std::string name = key;
  std::replace(name.begin(), name.end(), '_', '-');
  sub->add_option_function<std::string>(
      "--" + name, [this, key](const std::string& v) { values[key] = v; }, help);
}

void CliContext::AddDatabaseUrlFlag(CLI::App* sub) {
  AddFlag(sub, "database_url", "PostgreSQL URL for the server role (also DATABASE_URL)");
}

void CliContext::Run(const std::function<int(const Config&)>& command, bool async_logging) {
  std::optional<std::string> config_file;
  if (!config_path.empty()) config_file = config_path;
  auto config = LoadConfig(config_file, values, [](const char* n) { return std::getenv(n); });
  if (!config) {
    std::cerr << "error: " << config.error().message << "\n";
    exit_code = 2;
    return;
  }
  SetupLogging(config->log_level, async_logging);
  exit_code = command(*config);
}

void CliContext::RunOnAdminConnection(const std::function<db::Task<Status>(db::Connection&)>& body) {
  Run([&](const Config& config) { return WithAdminConnection(config, body); });
}

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

std::string OperatorName() {
  const char* login = std::getenv("USER");
  return login ? login : "operator";
}

void Say(const std::string& line) { std::cout << line << std::endl; }

int WithAdminConnection(const Config& config, const std::function<db::Task<Status>(db::Connection&)>& body) {
  if (config.admin_database_url.empty()) {
    std::cerr << "error: no database configured: set DATABASE_URL, VERTICE_ADMIN_DATABASE_URL or --database-url\n";
    return 2;
  }
  auto status = db::RunSync<Status>([&](boost::asio::any_io_executor ex) -> db::Task<Status> {
    auto conn = co_await db::Connection::Connect(ex, config.admin_database_url, std::chrono::seconds(10));
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

std::optional<DatabaseUrls> ServerDatabaseUrls(const Config& config) {
  DatabaseUrls u;
  u.url = config.database_url.empty() ? config.admin_database_url : config.database_url;
  u.admin = config.admin_database_url.empty() ? u.url : config.admin_database_url;
  if (u.url.empty()) {
    std::cerr << "error: no database configured: set DATABASE_URL or --database-url\n";
    return std::nullopt;
  }
  return u;
}

db::PoolOptions CommandPool(const std::string& url, size_t max_size) {
  db::PoolOptions options;
  options.conninfo = url;
  options.max_size = max_size;
  options.prepared_statements = false;
  return options;
}

db::Task<Result<CompanyContext>> ResolveCompany(boost::asio::any_io_executor ex, std::string admin_url,
                                                std::string company_id) {
  auto admin = co_await db::Connection::Connect(ex, admin_url, std::chrono::seconds(10));
  if (!admin) co_return std::unexpected(admin.error());
  (*admin)->UsePreparedStatements(false);
  VERTICE_CO_ASSIGN_OR_RETURN(auto tenant, co_await admin::TenantOfCompany(**admin, company_id));
  CompanyContext c;
  c.scope.tenant_id = tenant;
  c.scope.company_id = company_id;
  c.actor.type = "system";  // the audit log's actor types: user, api_key, system
  c.actor.id = "cli:" + OperatorName();
  c.actor.tenant_id = c.scope.tenant_id;
  c.actor.company_id = company_id;
  co_return c;
}

}  // namespace vertice::app::cli
