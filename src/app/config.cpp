#include "app/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <regex>
#include <thread>

#include "freshness/cron.hpp"
#include "http/forwarded.hpp"

namespace vertice::app {

namespace {

Error ConfigError(const std::string& message) {
  return Error{ErrorKind::kInvalidInput, "config.invalid", message, {}, message};
}

Status Apply(Config& c, const std::string& key, const std::string& value, const std::string& source,
             bool& prepared_given) {
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
  else if (key == "max_connections")
    return to_int(c.max_connections, 1, 1'000'000);
  else if (key == "max_connections_per_ip")
    return to_int(c.max_connections_per_ip, 1, 1'000'000);
  else if (key == "metrics_token")
    c.metrics_token = value;
  else if (key == "unauthenticated_body_limit_kib") {
    int kib = 0;
    VERTICE_TRY(to_int(kib, 1, 1024 * 1024));
    c.unauthenticated_body_limit = static_cast<size_t>(kib) * 1024;
  } else if (key == "json_body_limit_kib") {
    int kib = 0;
    VERTICE_TRY(to_int(kib, 1, 1024 * 1024));
    c.json_body_limit = static_cast<size_t>(kib) * 1024;
  } else if (key == "request_timeout_seconds")
    return to_int(c.request_timeout_seconds, 1, 3600);
  else if (key == "long_request_timeout_seconds")
    return to_int(c.long_request_timeout_seconds, 1, 86400);
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
    prepared_given = true;
  } else if (key == "db_pooler") {
    if (value != "none" && value != "pgbouncer")
      return std::unexpected(ConfigError(fmt::format("{}: {} must be none or pgbouncer", source, key)));
    c.db_pooler = value;
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
  } else if (key == "recon_auto_threshold" || key == "recon_auto_margin") {
    // Scores of the reconciliation matcher (ADR 0010): settle automatically at or above the
    // threshold, and only that far ahead of the next candidate.
    double v = 0;
    try {
      size_t pos = 0;
      v = std::stod(value, &pos);
      if (pos != value.size() || v < 0 || v > 50) throw std::out_of_range("range");
    } catch (...) {
      return std::unexpected(ConfigError(fmt::format("{}: {} must be a number from 0 to 50", source, key)));
    }
    (key == "recon_auto_threshold" ? c.recon_auto_threshold : c.recon_auto_margin) = v;
  } else if (key == "listen_database_url") {
    c.listen_database_url = value;
  } else if (key == "read_database_url") {
    c.read_database_url = value;
  } else if (key == "read_max_lag_ms") {
    return to_int(c.read_max_lag_ms, 0, 3'600'000);
  } else if (key == "web_root") {
    c.web_root = value;
  } else if (key == "trusted_proxies") {
    std::vector<std::string> entries;
    for (size_t start = 0; start <= value.size();) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      auto entry = value.substr(start, comma - start);
      if (entry.find_first_not_of(" \t") != std::string::npos) entries.push_back(entry);
      start = comma + 1;
    }
    auto parsed = http::TrustedProxies::Parse(entries);
    if (!parsed) return std::unexpected(ConfigError(fmt::format("{}: {}", source, parsed.error().message)));
    c.trusted_proxies = std::move(entries);
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
                                 "request_timeout_seconds",
                                 "max_connections",
                                 "max_connections_per_ip",
                                 "metrics_token",
                                 "unauthenticated_body_limit_kib",
                                 "json_body_limit_kib",
                                 "long_request_timeout_seconds",
                                 "header_timeout_seconds",
                                 "idle_timeout_seconds",
                                 "db_prepared_statements",
                                 "db_pooler",
                                 "run_jobs",
                                 "refresh_schedule",
                                 "refresh_events_schedule",
                                 "housekeeping_schedule",
                                 "refresh_reuse_seconds",
                                 "refresh_timeout_seconds",
                                 "leader_lease_seconds",
                                 "recon_auto_threshold",
                                 "recon_auto_margin",
                                 "listen_database_url",
                                 "read_database_url",
                                 "read_max_lag_ms",
                                 "web_root",
                                 "log_level",
                                 "trusted_proxies"};

// [csv_profiles.NAME]: a CSV statement profile (bank/csv.hpp; docs/operations.md).
Result<bank::CsvProfile> CsvProfileFromToml(const std::string& file, std::string name, const toml::table& t) {
  bank::CsvProfile p;
  p.name = std::move(name);
  p.encoding = bank::CsvEncoding::kAuto;
  p.thousands_separator = 0;
  auto fail = [&](std::string_view key, std::string_view why) {
    return std::unexpected(ConfigError(fmt::format("{}: csv_profiles.{}.{} {}", file, p.name, key, why)));
  };
  auto one_char = [](const std::string& v) -> std::optional<char> {
    if (v == "tab") return '\t';
    if (v.empty()) return '\0';
    if (v.size() == 1) return v[0];
    return std::nullopt;
  };
  for (const auto& [k, node] : t) {
    std::string key(k.str());
    std::vector<std::string> list;
    if (auto arr = node.as_array()) {
      for (const auto& e : *arr) {
        auto v = e.value<std::string>();
        if (!v) return fail(key, "must be a list of strings");
        list.push_back(*v);
      }
    } else if (auto v = node.value<std::string>()) {
      list.push_back(*v);
    } else if (auto i = node.value<int64_t>()) {
      list.push_back(std::to_string(*i));
    } else {
      return fail(key, "has an unsupported type");
    }
    const std::string& value = list.empty() ? std::string() : list.front();
    std::map<std::string, std::vector<std::string>*> columns{{"date", &p.date},
                                                             {"value_date", &p.value_date},
                                                             {"amount", &p.amount},
                                                             {"debit", &p.debit},
                                                             {"credit", &p.credit},
                                                             {"indicator", &p.indicator},
                                                             {"balance", &p.balance},
                                                             {"reference", &p.reference},
                                                             {"bank_reference", &p.bank_reference},
                                                             {"currency", &p.currency},
                                                             {"counterparty_name", &p.counterparty_name},
                                                             {"counterparty_account", &p.counterparty_account},
                                                             {"description", &p.description},
                                                             {"debit_indicators", &p.debit_indicators},
                                                             {"credit_indicators", &p.credit_indicators}};
    if (auto c = columns.find(key); c != columns.end()) {
      *c->second = list;
    } else if (key == "summary") {
      p.summary = value;
    } else if (key == "currency_default") {
      p.currency_default = value;
    } else if (key == "date_format") {
      p.date_format = value;
    } else if (key == "skip_rows") {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 3)
        return fail(key, "must be an integer from 0 to 999");
      p.skip_rows = std::stoi(value);
    } else if (key == "delimiter" || key == "decimal_separator" || key == "thousands_separator") {
      auto ch = one_char(value);
      if (!ch || (key != "thousands_separator" && *ch == '\0')) return fail(key, "must be one character (or \"tab\")");
      (key == "delimiter"           ? p.delimiter
       : key == "decimal_separator" ? p.decimal_separator
                                    : p.thousands_separator) = *ch;
    } else if (key == "encoding") {
      if (value == "utf-8")
        p.encoding = bank::CsvEncoding::kUtf8;
      else if (value == "latin-1")
        p.encoding = bank::CsvEncoding::kLatin1;
      else if (value == "auto")
        p.encoding = bank::CsvEncoding::kAuto;
      else
        return fail(key, "must be utf-8, latin-1 or auto");
    } else if (key == "sign") {
      if (value == "signed")
        p.sign = bank::CsvSign::kSigned;
      else if (value == "inverted")
        p.sign = bank::CsvSign::kInverted;
      else if (value == "debit_credit")
        p.sign = bank::CsvSign::kDebitCredit;
      else if (value == "indicator")
        p.sign = bank::CsvSign::kIndicator;
      else
        return fail(key, "must be signed, inverted, debit_credit or indicator");
    } else {
      return fail(key, "is not a profile setting");
    }
  }
  if (p.date.empty()) return fail("date", "is required");
  if (p.sign == bank::CsvSign::kDebitCredit ? (p.debit.empty() || p.credit.empty()) : p.amount.empty())
    return fail(p.sign == bank::CsvSign::kDebitCredit ? "debit" : "amount", "is required for this sign convention");
  if (p.sign == bank::CsvSign::kIndicator && p.indicator.empty()) return fail("indicator", "is required");
  if (p.decimal_separator == p.thousands_separator)
    return fail("thousands_separator", "must differ from the decimal one");
  return p;
}

}  // namespace

Result<Config> LoadConfig(const std::optional<std::string>& config_file, const FlagValues& flags,
                          const std::function<const char*(const char*)>& getenv_fn) {
  Config c;
  bool prepared_given = false;
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
      if (key == "csv_profiles" && node.is_table()) {
        for (const auto& [name, profile] : *node.as_table()) {
          if (!profile.is_table())
            return std::unexpected(ConfigError(fmt::format("{}: csv_profiles.{} must be a table", *file, name.str())));
          VERTICE_ASSIGN_OR_RETURN(auto p, CsvProfileFromToml(*file, std::string(name.str()), *profile.as_table()));
          c.csv_profiles.push_back(std::move(p));
        }
        continue;
      }
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
      if (auto arr = node.as_array(); arr && key == "trusted_proxies") {  // ["10.0.0.0/8", "::1"]
        for (const auto& e : *arr) {
          auto v = e.value<std::string>();
          if (!v) return std::unexpected(ConfigError(fmt::format("{}: {} must be a list of strings", *file, key)));
          value += (value.empty() ? "" : ",") + *v;
        }
      } else if (auto s = node.value<std::string>())
        value = *s;
      else if (auto i = node.value<int64_t>())
        value = std::to_string(*i);
      else if (auto b = node.value<bool>())
        value = *b ? "true" : "false";
      else
        return std::unexpected(ConfigError(fmt::format("{}: {} has an unsupported type", *file, key)));
      VERTICE_TRY(Apply(c, key, value, *file, prepared_given));
    }
  }
  if (const char* url = getenv_fn("DATABASE_URL")) c.database_url = url;
  for (const char* key : kKeys) {
    std::string env = "VERTICE_";
    for (const char* p = key; *p; ++p) env += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    if (const char* v = getenv_fn(env.c_str())) VERTICE_TRY(Apply(c, key, v, env, prepared_given));
  }
  for (const auto& [key, value] : flags) VERTICE_TRY(Apply(c, key, value, "--" + key, prepared_given));
  if (c.admin_database_url.empty()) c.admin_database_url = c.database_url;
  if (c.db_pooler == "pgbouncer") {
    // PgBouncer 1.18 hands each transaction any server connection: a statement prepared in one is
    // unknown in the next (SQLSTATE 26000), and a LISTEN hears nothing once its transaction ends.
    if (prepared_given && c.db_prepared_statements)
      return std::unexpected(ConfigError(
          "db_prepared_statements = true cannot work with db_pooler = pgbouncer (transaction pooling drops them)"));
    c.db_prepared_statements = false;
    if (c.listen_database_url.empty() || c.listen_database_url == c.database_url)
      return std::unexpected(ConfigError(
          "db_pooler = pgbouncer needs listen_database_url: a direct connection to the primary for LISTEN"));
  }
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
