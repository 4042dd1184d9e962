#include "banking/statement_importer.hpp"

#include <boost/json.hpp>
#include <map>

#include "core/digest.hpp"
#include "core/text.hpp"

namespace vertice::banking {

namespace json = boost::json;

namespace {

json::value ErrorJson(const Error& e) {
  json::object o{{"code", e.code}, {"message", e.message}};
  if (!e.details.empty()) o["details"] = e.details;
  return o;
}

json::value OptText(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

struct Account {
  int64_t id = 0;
  std::string clabe, number, currency, name;
};

}  // namespace

std::string_view FileStatusName(FileStatus s) {
  switch (s) {
    case FileStatus::kImported:
      return "imported";
    case FileStatus::kDuplicateFile:
      return "duplicate_file";
    case FileStatus::kPartial:
      return "partial";
    case FileStatus::kRejected:
      return "rejected";
  }
  return "rejected";
}

json::object FileReportJson(const FileReport& r) {
  json::array statements;
  for (const auto& s : r.statements) {
    json::array skipped;
    for (const auto& k : s.skipped) skipped.push_back(json::object{{"line", k.line}, {"reason", k.reason}});
    json::object o{
        {"bank_statement_ref", s.bank_statement_ref},
        {"account", s.account},
        {"account_id", s.account_id ? json::value(std::to_string(*s.account_id)) : json::value(nullptr)},
        {"statement_id", s.statement_id ? json::value(std::to_string(*s.statement_id)) : json::value(nullptr)},
        {"status", s.error ? "rejected" : "imported"},
        {"from", s.from_date},
        {"to", s.to_date},
        {"currency", s.currency},
        {"opening_balance", OptText(s.opening_balance)},
        {"closing_balance", OptText(s.closing_balance)},
        {"lines", s.lines},
        {"new", s.new_lines},
        {"duplicate", s.duplicate_lines},
        {"rejected", s.rejected_lines},
        {"skipped", skipped},
        {"balance_overridden", s.balance_overridden}};
    if (s.error) o["error"] = ErrorJson(*s.error);
    statements.push_back(std::move(o));
  }
  json::object o{{"file", r.file_name},
                 {"status", FileStatusName(r.status)},
                 {"format", r.format},
                 {"variant", r.variant},
                 {"sha256", r.sha256},
                 {"file_id", r.file_id ? json::value(std::to_string(*r.file_id)) : json::value(nullptr)},
                 {"new", r.new_lines},
                 {"duplicate", r.duplicate_lines},
                 {"rejected", r.rejected_lines},
                 {"statements", statements}};
  if (r.error) o["error"] = ErrorJson(*r.error);
  return o;
}

std::string NormalizeAccount(std::string_view account) {
  std::string out;
  for (char c : account)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::vector<std::string> Fingerprints(const std::vector<const bank::Movement*>& movements) {
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  out.reserve(movements.size());
  for (const auto* m : movements) {
    std::string key = m->booking_date + '\x1f' + m->amount.ToString() + '\x1f' + m->bank_reference;
    int seq = ++seen[key];
    out.push_back(Sha256Hex(key + '\x1f' + std::to_string(seq)));
  }
  return out;
}

StatementImporter::StatementImporter(db::Pool& pool, const db::TenantScope& scope, const shared::Actor& actor,
                                     std::string source, std::vector<bank::CsvProfile> user_profiles)
    : pool_(pool), scope_(scope), actor_(actor), source_(std::move(source)), profiles_(std::move(user_profiles)) {
  for (const auto& p : bank::BuiltinCsvProfiles()) profiles_.push_back(p);
}

Result<const bank::CsvProfile*> StatementImporter::Profile(const std::string& name) const {
  if (name.empty()) return nullptr;
  for (const auto& p : profiles_)
    if (p.name == name) return &p;
  std::string names;
  for (const auto& p : profiles_) names += (names.empty() ? "" : ", ") + p.name;
  return Fail(ErrorKind::kInvalidInput, "bank.unknown_profile",
              "El perfil CSV «" + name + "» no existe. Perfiles disponibles: " + names + ".");
}

Result<bank::ParsedFile> StatementImporter::Parse(const ImportRequest& request) const {
  VERTICE_ASSIGN_OR_RETURN(auto profile, Profile(request.profile));
  bank::ParseOptions opts;
  opts.format = request.format;
  if (profile && opts.format == bank::Format::kAuto) opts.format = bank::Format::kCsv;
  opts.profile = profile;
  opts.csv_candidates = profiles_;
  return bank::ParseStatementFile(request.bytes, opts);
}

db::Task<Result<FileReport>> StatementImporter::Import(ImportRequest request) {
  FileReport report;
  // A file name from a file system (the CLI) may be Latin-1: stored as text, it must be UTF-8.
  report.file_name = IsValidUtf8(request.file_name) ? request.file_name : Latin1ToUtf8(request.file_name);
  std::erase(report.file_name, '\0');
  report.sha256 = Sha256Hex(request.bytes);
  if (auto p = Profile(request.profile); !p) co_return std::unexpected(p.error());
  auto parsed = Parse(request);
  if (!parsed) {
    report.error = parsed.error();
    co_return report;
  }
  report.format = std::string(bank::FormatName(parsed->format));
  report.variant = IsStorableText(parsed->variant) ? parsed->variant : std::string{};
  const ImportRequest& req = request;
  auto stored = co_await pool_.InTransaction(scope_, [&](db::Transaction& tx) -> db::Task<Status> {
    report.statements.clear();
    report.new_lines = report.duplicate_lines = report.rejected_lines = 0;
    // A file already imported: nothing to do, and every line is a duplicate.
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto existing,
        co_await tx.Query("SELECT file_id FROM bank_statement_files WHERE tenant_id = vertice_current_tenant() "
                          "AND company_id = vertice_current_company() AND sha256 = $1",
                          db::P(report.sha256)));
    if (!existing.Empty()) {
      report.status = FileStatus::kDuplicateFile;
      report.file_id = existing.Int(0, "file_id");
      for (const auto& s : parsed->statements) {
        StatementReport sr;
        sr.bank_statement_ref = s.statement_id;
        sr.account = s.account;
        sr.lines = static_cast<int>(s.movements.size());
        sr.duplicate_lines = sr.lines;
        report.duplicate_lines += sr.lines;
        report.statements.push_back(std::move(sr));
      }
      co_return Status{};
    }
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto accounts_rows,
        co_await tx.Query("SELECT account_id, COALESCE(clabe, '') AS clabe, COALESCE(account_number, '') AS number, "
                          "currency, name FROM bank_accounts WHERE tenant_id = vertice_current_tenant() "
                          "AND company_id = vertice_current_company() ORDER BY account_id"));
    std::vector<Account> accounts;
    for (int i = 0; i < accounts_rows.Size(); ++i)
      accounts.push_back({accounts_rows.Int(i, "account_id"), accounts_rows.Str(i, "clabe"),
                          accounts_rows.Str(i, "number"), accounts_rows.Str(i, "currency"),
                          accounts_rows.Str(i, "name")});
    const Account* named = nullptr;
    if (req.account_id) {
      for (const auto& a : accounts)
        if (a.id == *req.account_id) named = &a;
      if (!named) co_return Fail(ErrorKind::kNotFound, "bank.account_not_found", "La cuenta bancaria no existe.");
    }
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto file_row,
        co_await tx.Query("INSERT INTO bank_statement_files (tenant_id, company_id, sha256, file_name, size_bytes, "
                          "format, variant, source, actor_type, actor_id) VALUES (vertice_current_tenant(), "
                          "vertice_current_company(), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING file_id",
                          db::P(report.sha256, report.file_name, std::to_string(req.bytes.size()), report.format,
                                report.variant, source_, actor_.type, actor_.id)));
    report.file_id = file_row.Int(0, "file_id");
    // Fingerprints per account across the whole file (statements of one file may share a day).
    std::map<int64_t, std::vector<const bank::Movement*>> by_account;
    int stored_statements = 0;
    for (const auto& s : parsed->statements) {
      StatementReport sr;
      sr.bank_statement_ref = s.statement_id;
      sr.account = s.account;
      sr.from_date = s.from_date;
      sr.to_date = s.to_date;
      sr.lines = static_cast<int>(s.movements.size());
      sr.skipped = s.skipped;
      if (s.opening_balance) sr.opening_balance = s.opening_balance->ToString();
      if (s.closing_balance) sr.closing_balance = s.closing_balance->ToString();
      auto reject = [&](Error e) {
        sr.error = std::move(e);
        sr.rejected_lines = sr.lines + static_cast<int>(s.skipped.size());
        report.rejected_lines += sr.rejected_lines;
        report.statements.push_back(std::move(sr));
      };
      // The account: named by the caller, else found by what the file says, else the only one.
      const Account* account = named;
      std::string key = NormalizeAccount(s.account);
      if (!key.empty()) {
        const Account* found = nullptr;
        for (const auto& a : accounts) {
          for (const std::string& id : {a.clabe, NormalizeAccount(a.number)}) {
            if (id.empty()) continue;
            if (key == id || key == id + s.currency || key == id + a.currency) found = &a;
          }
        }
        if (named && found != named) {
          reject(Error{ErrorKind::kBusinessRule,
                       "bank.account_mismatch",
                       "El estado es de la cuenta " + s.account + ", no de la cuenta «" + named->name + "».",
                       {},
                       {}});
          continue;
        }
        account = found;
      } else if (!account && accounts.size() == 1) {
        account = &accounts.front();
      }
      if (!account) {
        reject(Error{ErrorKind::kBusinessRule,
                     "bank.unknown_account",
                     s.account.empty()
                         ? std::string("El archivo no identifica la cuenta; indique a qué cuenta bancaria pertenece.")
                         : "La cuenta " + s.account +
                               " no está registrada en la empresa; regístrela (CLABE o número) o indique la cuenta.",
                     {},
                     {}});
        continue;
      }
      sr.account_id = account->id;
      sr.currency = s.currency.empty() ? account->currency : s.currency;
      if (sr.currency != account->currency) {
        reject(Error{
            ErrorKind::kBusinessRule,
            "bank.currency_mismatch",
            "El estado está en " + sr.currency + " y la cuenta «" + account->name + "» en " + account->currency + ".",
            {},
            {}});
        continue;
      }
      // Figures or text the database would refuse: this statement is refused, the others are stored.
      if (auto storable = bank::CheckStorable(s); !storable) {
        reject(storable.error());
        continue;
      }
      bool mismatch = false;
      if (auto check = bank::CheckBalances(s); !check) {
        if (req.balance_override_reason.empty()) {
          reject(check.error());
          continue;
        }
        mismatch = true;
        sr.balance_overridden = true;
      }
      auto& prior = by_account[account->id];
      size_t first = prior.size();
      for (const auto& m : s.movements) prior.push_back(&m);
      auto prints = Fingerprints(prior);
      json::array movements;
      for (size_t i = 0; i < s.movements.size(); ++i) {
        const auto& m = s.movements[i];
        movements.push_back(
            json::object{{"booking_date", m.booking_date},
                         {"value_date", m.value_date.empty() ? json::value(nullptr) : json::value(m.value_date)},
                         {"amount", m.amount.ToString()},
                         {"description", m.description},
                         {"reference", m.reference},
                         {"bank_reference", m.bank_reference},
                         {"counterparty_name", m.counterparty_name},
                         {"counterparty_account", m.counterparty_account},
                         {"transaction_code", m.transaction_code},
                         {"line", m.line},
                         {"fingerprint", prints[first + i]}});
      }
      json::object st{{"bank_statement_ref", s.statement_id},
                      {"from_date", sr.from_date.empty() ? json::value(nullptr) : json::value(sr.from_date)},
                      {"to_date", sr.to_date.empty() ? json::value(nullptr) : json::value(sr.to_date)},
                      {"currency", sr.currency},
                      {"opening_balance", OptText(sr.opening_balance)},
                      {"closing_balance", OptText(sr.closing_balance)},
                      {"skipped_lines", static_cast<int>(s.skipped.size())},
                      {"balance_mismatch", mismatch}};
      if (mismatch) {
        st["override_reason"] = req.balance_override_reason;
        st["override_by"] = actor_.type + ":" + actor_.id;
      }
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto row, co_await tx.Query("SELECT statement_id, new_lines, duplicate_lines FROM bank_store_statement("
                                      "$1, $2, $3::jsonb, $4::jsonb)",
                                      db::P(std::to_string(account->id), std::to_string(*report.file_id),
                                            json::serialize(st), json::serialize(movements))));
      sr.statement_id = row.Int(0, "statement_id");
      sr.new_lines = static_cast<int>(row.Int(0, "new_lines"));
      sr.duplicate_lines = static_cast<int>(row.Int(0, "duplicate_lines"));
      sr.rejected_lines = static_cast<int>(s.skipped.size());
      report.new_lines += sr.new_lines;
      report.duplicate_lines += sr.duplicate_lines;
      report.rejected_lines += sr.rejected_lines;
      if (mismatch) {
        json::object after{{"statement_id", *sr.statement_id}, {"reason", req.balance_override_reason}};
        if (auto detail = bank::CheckBalances(s); !detail) after["figures"] = ErrorJson(detail.error());
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor_, "bank.statement_balance_overridden", "bank_statement",
                                                    std::to_string(*sr.statement_id), {}, json::serialize(after)));
      }
      ++stored_statements;
      report.statements.push_back(std::move(sr));
    }
    report.status = stored_statements == 0                                            ? FileStatus::kRejected
                    : stored_statements == static_cast<int>(report.statements.size()) ? FileStatus::kImported
                                                                                      : FileStatus::kPartial;
    if (stored_statements == 0) {
      // Nothing stored: roll the file row back too, so the same file can be imported once fixed.
      co_return Fail(ErrorKind::kBusinessRule, "bank.nothing_imported", "rollback");
    }
    VERTICE_CO_TRY(co_await tx.Query(
        "UPDATE bank_statement_files SET statements = $2, new_lines = $3, duplicate_lines = $4, rejected_lines = $5 "
        "WHERE file_id = $1",
        db::P(std::to_string(*report.file_id), std::to_string(stored_statements), std::to_string(report.new_lines),
              std::to_string(report.duplicate_lines), std::to_string(report.rejected_lines))));
    co_return Status{};
  });
  if (!stored) {
    if (stored.error().code == "bank.nothing_imported") {
      report.file_id.reset();
      for (auto& s : report.statements) s.statement_id.reset();
      // Every statement refused: the first one's reason is the file's.
      if (!report.statements.empty()) report.error = report.statements.front().error;
      co_return report;
    }
    co_return std::unexpected(stored.error());
  }
  co_return report;
}

}  // namespace vertice::banking
