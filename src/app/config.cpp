#include "app/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <regex>
#include <thread>

#include "freshness/cron.hpp"

namespace vertice::app {

namespace {

Error ConfigError(std::string message) {
  return Error{ErrorKind::kInvalidInput, "config.invalid", message, {}, message};
}

Status Apply(Config& c, const std::string& key, const std::string& value, const std::string& source) {
  auto to_int = [&](int& out, int lo, long hi) -> Status {
    try {
      size_t pos = 0;
      long v = std::stol(value, &pos);
      if (pos != value.size() || v < lo || v > hi) throw std::out_of_range("range");
      out = static_cast<int>(v);
      return {};
    } catch (...) {
      return std::unexpected(
          ConfigError(fmt::format("{}: {} must be an integer between {} and {}", source, key, lo, hi)));
    }
  };
  if (key == "database_url")
    c.database_url = value;
  else if (key == "admin_database_url")
    c.admin_database_url = value;
  else if (key == "listen")
    c.listen = value;
  else if (key == "threads")
    return to_int(c.threads, 0, 256);
  else if (key == "pool_size")
    return to_int(c.pool_size, 1, 1000);
  else if (key == "shutdown_grace_seconds")
    return to_int(c.shutdown_grace_seconds, 0, 3600);
  else if (key == "header_timeout_seconds")
    return to_int(c.header_timeout_seconds, 1, 300);
  else if (key == "idle_timeout_seconds")
    return to_int(c.idle_timeout_seconds, 1, 3600);
  else if (key == "body_limit") {
    int mib = 0;
    VERTICE_TRY(to_int(mib, 1, 1024));
    c.body_limit = static_cast<size_t>(mib) * 1024 * 1024;
  } else if (key == "db_prepared_statements") {
    if (value != "true" && value != "false" && value != "1" && value != "0")
      return std::unexpected(ConfigError(fmt::format("{}: {} must be true or false", source, key)));
    c.db_prepared_statements = value == "true" || value == "1";
  } else if (key == "run_jobs") {
    if (value != "true" && value != "false" && value != "1" && value != "0")
      return std::unexpected(ConfigError(fmt::format("{}: {} must be true or false", source, key)));
    c.run_jobs = value == "true" || value == "1";
  } else if (key == "refresh_schedule" || key == "refresh_events_schedule" || key == "housekeeping_schedule") {
    auto cron = freshness::CronExpression::Parse(value);
    if (!cron) return std::unexpected(ConfigError(fmt::format("{}: {}: {}", source, key, cron.error().message)));
    (key == "refresh_schedule"          ? c.refresh_schedule
     : key == "refresh_events_schedule" ? c.refresh_events_schedule
                                        : c.housekeeping_schedule) = value;
  } else if (key == "refresh_reuse_seconds") {
    return to_int(c.refresh_reuse_seconds, 0, 86400);
  } else if (key == "refresh_timeout_seconds") {
    return to_int(c.refresh_timeout_seconds, 1, 86400);
  } else if (key == "leader_lease_seconds") {
    return to_int(c.leader_lease_seconds, 2, 300);
  } else if (key == "listen_database_url") {
    c.listen_database_url = value;
  } else if (key == "log_level") {
    static const std::regex kLevels("trace|debug|info|warn|error|critical|off");
    if (!std::regex_match(value, kLevels))
      return std::unexpected(ConfigError(fmt::format("{}: unknown log_level {}", source, value)));
    c.log_level = value;
  } else
    return std::unexpected(ConfigError(fmt::format("{}: unknown setting '{}'", source, key)));
  return {};
}

constexpr const char* kKeys[] = {"database_url",
                                 "admin_database_url",
                                 "listen",
                                 "threads",
                                 "pool_size",
                                 "body_limit",
                                 "shutdown_grace_seconds",
                                 "header_timeout_seconds",
                                 "idle_timeout_seconds",
                                 "db_prepared_statements",
                                 "run_jobs",
                                 "refresh_schedule",
                                 "refresh_events_schedule",
                                 "housekeeping_schedule",
                                 "refresh_reuse_seconds",
                                 "refresh_timeout_seconds",
                                 "leader_lease_seconds",
                                 "listen_database_url",
                                 "log_level"};

}  // namespace

Result<Config> LoadConfig(const std::optional<std::string>& config_file, const FlagValues& flags,
                          const std::function<const char*(const char*)>& getenv_fn) {
  Config c;
  std::optional<std::string> file = config_file;
  if (!file) {
    if (const char* f = getenv_fn("VERTICE_CONFIG")) file = f;
  }
  if (file) {
    toml::table table;
    try {
      table = toml::parse_file(*file);
    } catch (const toml::parse_error& e) {
      return std::unexpected(ConfigError(fmt::format("{}: {}", *file, e.description())));
    }
    for (const auto& [k, node] : table) {
      std::string key(k.str());
      if (key == "schedules" && node.is_table()) {
        for (const auto& [job, cron] : *node.as_table()) {
          auto text = cron.value<std::string>();
          if (!text)
            return std::unexpected(ConfigError(fmt::format("{}: schedules.{} must be a string", *file, job.str())));
          auto parsed = freshness::CronExpression::Parse(*text);
          if (!parsed)
            return std::unexpected(
                ConfigError(fmt::format("{}: schedules.{}: {}", *file, job.str(), parsed.error().message)));
          c.schedules[std::string(job.str())] = *text;
        }
        continue;
      }
      std::string value;
      if (auto s = node.value<std::string>())
        value = *s;
      else if (auto i = node.value<int64_t>())
        value = std::to_string(*i);
      else if (auto b = node.value<bool>())
        value = *b ? "true" : "false";
      else
        return std::unexpected(ConfigError(fmt::format("{}: {} has an unsupported type", *file, key)));
      VERTICE_TRY(Apply(c, key, value, *file));
    }
  }
  if (const char* url = getenv_fn("DATABASE_URL")) c.database_url = url;
  for (const char* key : kKeys) {
    std::string env = "VERTICE_";
    for (const char* p = key; *p; ++p) env += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    if (const char* v = getenv_fn(env.c_str())) VERTICE_TRY(Apply(c, key, v, env));
  }
  for (const auto& [key, value] : flags) VERTICE_TRY(Apply(c, key, value, "--" + key));
  if (c.admin_database_url.empty()) c.admin_database_url = c.database_url;
  if (c.listen_database_url.empty()) c.listen_database_url = c.database_url;
  if (c.threads == 0) c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return c;
}

std::string RedactDsn(std::string_view dsn) {
  std::string s(dsn);
  static const std::regex kUri(R"(^([a-z]+://[^:/@]*):[^@]*@)");
  static const std::regex kKeyword(R"((password\s*=\s*)('[^']*'|\S+))");
  s = std::regex_replace(s, kUri, "$1:***@");
  s = std::regex_replace(s, kKeyword, "$1***");
  return s;
}

}  // namespace vertice::app
