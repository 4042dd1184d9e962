// The command line's shared state and helpers: the global flags, the exit code the command that
// ran leaves, and what several command families do alike (load the configuration and logging,
// open an operator connection, read a secret, act in a company as the server role).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "db/connection.hpp"
#include "db/pool.hpp"
#include "shared/audit.hpp"

namespace CLI {
class App;
}

namespace vertice::app::cli {

struct CliContext {
  std::string config_path;  // --config
  FlagValues values;        // configuration keys given as flags, by key ("database_url", "listen", ...)
  int exit_code = 0;        // what the command that ran returned

  // `--key-with-dashes` on `sub`, stored as `values[key]` (flags win over environment and file).
  void AddFlag(CLI::App* sub, const std::string& key, const std::string& help);
  // `--database-url` on a command that also runs as the server role.
  void AddDatabaseUrlFlag(CLI::App* sub);

  // A subcommand's callback: loads the configuration (an error is exit code 2), sets up logging
  // (asynchronous for the server), runs `command` and keeps its exit code.
  void Run(const std::function<int(const Config&)>& command, bool async_logging = false);
  // Run with WithAdminConnection(config, body): an operator command on the admin database URL.
  void RunOnAdminConnection(const std::function<db::Task<Status>(db::Connection&)>& body);
};

void SetupLogging(const std::string& level, bool async);

// The flag's value, a line of standard input or the environment variable `env`; empty: none given.
std::string ReadSecret(const std::optional<std::string>& flag, bool from_stdin, const char* env);

// Who runs the command: $USER, or "operator".
std::string OperatorName();

// Prints one line of a command's result on standard output.
void Say(const std::string& line);

// Runs an operator command on a direct connection to the admin database URL: 0, or the error on
// standard error and 2 (invalid input) or 1.
int WithAdminConnection(const Config& config, const std::function<db::Task<Status>(db::Connection&)>& body);

// The server role's URL and the admin URL for commands that write as the server role (each
// defaults to the other); prints the error and gives nothing when neither is configured.
struct DatabaseUrls {
  std::string url, admin;
};
std::optional<DatabaseUrls> ServerDatabaseUrls(const Config& config);

// A small pool for one command, without named prepared statements.
db::PoolOptions CommandPool(const std::string& url, size_t max_size = 2);

// A company named on the command line: its tenant (an operator lookup with the admin URL,
// admin::TenantOfCompany) and a scope and actor (the audit log's "system", cli:$USER) to act in
// it as the server role, so row-level security checks every row written.
struct CompanyContext {
  db::TenantScope scope;
  shared::Actor actor;
};
db::Task<Result<CompanyContext>> ResolveCompany(boost::asio::any_io_executor ex, std::string admin_url,
                                                std::string company_id);

}  // namespace vertice::app::cli
