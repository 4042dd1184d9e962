// Imports bank statement files into a company: parse (bank/), find each statement's account
// (named, or by the CLABE / IBAN / number the file carries), check balances, then store each
// statement atomically with its new movements — lines already imported (same account and
// fingerprint) count as duplicates, so re-importing a file or an overlapping period adds only
// what is new. A file already imported byte for byte is recognised by its SHA-256.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bank/parse.hpp"
#include "db/pool.hpp"
#include "shared/audit.hpp"

namespace vertice::banking {

// CSV profiles from configuration ([bank.csv_profiles.NAME], docs/operations.md), tried before
// the built-in ones.
struct Profiles {
  std::vector<bank::CsvProfile> user;
};

struct ImportRequest {
  std::string file_name;
  std::string bytes;
  bank::Format format = bank::Format::kAuto;
  std::string profile;                  // CSV profile name; empty: detect
  std::optional<int64_t> account_id;    // the account every statement belongs to; empty: detect
  std::string balance_override_reason;  // non-empty: store statements whose balances do not add up
};

struct StatementReport {
  std::string bank_statement_ref;
  std::string account;  // as the file writes it
  std::optional<int64_t> account_id;
  std::optional<int64_t> statement_id;
  std::string from_date, to_date;
  std::string currency;
  std::optional<std::string> opening_balance, closing_balance;
  int lines = 0, new_lines = 0, duplicate_lines = 0, rejected_lines = 0;
  std::vector<bank::SkippedLine> skipped;
  bool balance_overridden = false;
  std::optional<Error> error;  // rejected statement: why
};

enum class FileStatus { kImported, kDuplicateFile, kPartial, kRejected };
std::string_view FileStatusName(FileStatus s);

struct FileReport {
  std::string file_name;
  std::string format, variant;
  std::string sha256;
  FileStatus status = FileStatus::kRejected;
  std::optional<int64_t> file_id;
  std::optional<Error> error;  // the whole file was refused (unreadable, unknown account, …)
  std::vector<StatementReport> statements;
  int new_lines = 0, duplicate_lines = 0, rejected_lines = 0;
};
boost::json::object FileReportJson(const FileReport& r);

class StatementImporter {
 public:
  // source: api, cli or demo. user_profiles: CSV profiles from configuration, tried before the
  // built-in ones and selectable by name.
  StatementImporter(db::Pool& pool, const db::TenantScope& scope, const shared::Actor& actor, std::string source,
                    std::vector<bank::CsvProfile> user_profiles = {});

  // Errors only for what is not about the file (database down, unknown account id, unknown
  // profile name); everything about the file is in the report.
  db::Task<Result<FileReport>> Import(ImportRequest request);

  // Parses without storing (the CLI's --dry-run, benchmarks).
  Result<bank::ParsedFile> Parse(const ImportRequest& request) const;

 private:
  Result<const bank::CsvProfile*> Profile(const std::string& name) const;

  db::Pool& pool_;
  db::TenantScope scope_;
  shared::Actor actor_;
  std::string source_;
  std::vector<bank::CsvProfile> profiles_;  // user profiles then built-ins
};

// Movement fingerprints for one account's movements, in file order: SHA-256 of booking date,
// amount, bank reference and the sequence among lines with the same three in this file.
std::vector<std::string> Fingerprints(const std::vector<const bank::Movement*>& movements);

// "NL77INGB0574908765EUR", "NL34 RABO 0142 6233 93 EUR" → comparable account keys.
std::string NormalizeAccount(std::string_view account);

}  // namespace vertice::banking
