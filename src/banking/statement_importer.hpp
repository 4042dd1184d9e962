// Imports bank statement files into a company: parse (bank/), find each statement's account
// (named, or by the CLABE / IBAN / number the file carries), check balances, then store each
// statement atomically with its new movements — lines already imported (same account and
// fingerprint) count as duplicates, so re-importing a file or an overlapping period adds only
// what is new. A file already imported byte for byte is recognised by its SHA-256.
//
// Import runs in three steps: a short read (is the file known, the company's accounts), a pure
// plan (ResolveAccount and StatementPayload per statement, PlanImport over the file) and, only
// when the plan stores something, one write transaction.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// What a request's files add up to (the API's summary, the CLI's last line).
struct ImportTotals {
  int new_lines = 0, duplicate_lines = 0, rejected_lines = 0, rejected_files = 0;
  void Add(const FileReport& r) {
    new_lines += r.new_lines;
    duplicate_lines += r.duplicate_lines;
    rejected_lines += r.rejected_lines;
    if (r.status == FileStatus::kRejected) ++rejected_files;
  }
};

// A company's bank account, as statements are matched against it.
struct BankAccount {
  int64_t id = 0;
  std::string clabe, number, currency, name;  // clabe, number: empty when not registered
};

// The account a statement belongs to: the one the caller named (refused when the statement says
// another account), else the one whose CLABE or number the statement carries, else the company's
// only account. Refused (kBusinessRule) when none fits or the statement's account matches several.
Result<const BankAccount*> ResolveAccount(std::span<const BankAccount> accounts, const BankAccount* named,
                                          const bank::Statement& statement);

// What bank_store_statement stores for one statement: the statement and its movements (with
// their fingerprints) as its two JSON parameters.
struct StatementRows {
  boost::json::object statement;
  boost::json::array movements;
  std::optional<Error> balance_mismatch;  // stored although its balances do not add up: the figures
};

// The rows to store for a statement of `account`, or why it is refused: another currency than the
// account's, figures or text the database would refuse, balances that do not add up (unless
// override_reason says why to store it anyway). earlier: the account's movements already planned
// from the same file, which the fingerprints count.
Result<StatementRows> StatementPayload(const bank::Statement& statement, const BankAccount& account,
                                       std::span<const bank::Movement* const> earlier, std::string_view override_reason,
                                       const shared::Actor& actor);

// Every decision about a parsed file that needs no database beyond its accounts: each statement's
// report (complete for refused ones) and, for those to store, what to store.
struct PlannedStatement {
  size_t report = 0;  // index into ImportPlan::statements
  int64_t account_id = 0;
  StatementRows rows;
};
struct ImportPlan {
  std::vector<StatementReport> statements;  // in file order
  std::vector<PlannedStatement> to_store;
};
ImportPlan PlanImport(const bank::ParsedFile& file, std::span<const BankAccount> accounts, const BankAccount* named,
                      std::string_view override_reason, const shared::Actor& actor);

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
