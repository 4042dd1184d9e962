#include "banking/statement_importer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "banking/queries.hpp"
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

Error Refusal(std::string code, std::string message) {
  return Error{ErrorKind::kBusinessRule, std::move(code), std::move(message), {}, {}};
}

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

Result<const BankAccount*> ResolveAccount(std::span<const BankAccount> accounts, const BankAccount* named,
                                          const bank::Statement& statement) {
  auto unknown = [&] {
    return std::unexpected(
        Refusal("bank.unknown_account",
                statement.account.empty()
                    ? std::string("El archivo no identifica la cuenta; indique a qué cuenta bancaria pertenece.")
                    : "La cuenta " + statement.account +
                          " no está registrada en la empresa; regístrela (CLABE o número) o indique la cuenta."));
  };
  const std::string key = NormalizeAccount(statement.account);
  if (key.empty()) {
    // The file does not say: the named account, else the company's only one.
    if (named) return named;
    if (accounts.size() == 1) return &accounts.front();
    return unknown();
  }
  std::vector<const BankAccount*> found;
  for (const auto& a : accounts) {
    for (const std::string& id : {a.clabe, NormalizeAccount(a.number)}) {
      if (id.empty()) continue;
      if (key == id || key == id + statement.currency || key == id + a.currency) {
        found.push_back(&a);
        break;
      }
    }
  }
  if (named) {
    if (std::ranges::find(found, named) != found.end()) return named;
    return std::unexpected(Refusal("bank.account_mismatch", "El estado es de la cuenta " + statement.account +
                                                                ", no de la cuenta «" + named->name + "»."));
  }
  if (found.size() > 1)
    return std::unexpected(Refusal("bank.ambiguous_account", "La cuenta " + statement.account +
                                                                 " coincide con varias cuentas de la empresa; "
                                                                 "indique a cuál pertenece el estado."));
  if (found.empty()) return unknown();
  return found.front();
}

Result<StatementRows> StatementPayload(const bank::Statement& s, const BankAccount& account,
                                       std::span<const bank::Movement* const> earlier, std::string_view override_reason,
                                       const shared::Actor& actor) {
  const std::string currency = s.currency.empty() ? account.currency : s.currency;
  if (currency != account.currency)
    return std::unexpected(Refusal("bank.currency_mismatch", "El estado está en " + currency + " y la cuenta «" +
                                                                 account.name + "» en " + account.currency + "."));
  // Figures or text the database would refuse: this statement is refused, the others are stored.
  VERTICE_TRY(bank::CheckStorable(s));
  StatementRows rows;
  if (auto check = bank::CheckBalances(s); !check) {
    if (override_reason.empty()) return std::unexpected(check.error());
    rows.balance_mismatch = check.error();
  }
  std::vector<const bank::Movement*> all(earlier.begin(), earlier.end());
  for (const auto& m : s.movements) all.push_back(&m);
  const auto prints = Fingerprints(all);
  for (size_t i = 0; i < s.movements.size(); ++i) {
    const auto& m = s.movements[i];
    rows.movements.push_back(
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
                     {"fingerprint", prints[earlier.size() + i]}});
  }
  auto money = [](const std::optional<bank::Money>& m) {
    return m ? json::value(m->ToString()) : json::value(nullptr);
  };
  auto date = [](const std::string& d) { return d.empty() ? json::value(nullptr) : json::value(d); };
  rows.statement = json::object{{"bank_statement_ref", s.statement_id},
                                {"from_date", date(s.from_date)},
                                {"to_date", date(s.to_date)},
                                {"currency", currency},
                                {"opening_balance", money(s.opening_balance)},
                                {"closing_balance", money(s.closing_balance)},
                                {"skipped_lines", static_cast<int>(s.skipped.size())},
                                {"balance_mismatch", rows.balance_mismatch.has_value()}};
  if (rows.balance_mismatch) {
    rows.statement["override_reason"] = override_reason;
    rows.statement["override_by"] = actor.type + ":" + actor.id;
  }
  return rows;
}

ImportPlan PlanImport(const bank::ParsedFile& file, std::span<const BankAccount> accounts, const BankAccount* named,
                      std::string_view override_reason, const shared::Actor& actor) {
  ImportPlan plan;
  // Fingerprints per account across the whole file (statements of one file may share a day).
  std::map<int64_t, std::vector<const bank::Movement*>> by_account;
  for (const auto& s : file.statements) {
    StatementReport sr;
    sr.bank_statement_ref = s.statement_id;
    sr.account = s.account;
    sr.from_date = s.from_date;
    sr.to_date = s.to_date;
    sr.lines = static_cast<int>(s.movements.size());
    sr.skipped = s.skipped;
    if (s.opening_balance) sr.opening_balance = s.opening_balance->ToString();
    if (s.closing_balance) sr.closing_balance = s.closing_balance->ToString();
    auto rows = [&]() -> Result<StatementRows> {
      VERTICE_ASSIGN_OR_RETURN(const BankAccount* account, ResolveAccount(accounts, named, s));
      sr.account_id = account->id;
      sr.currency = s.currency.empty() ? account->currency : s.currency;
      return StatementPayload(s, *account, by_account[account->id], override_reason, actor);
    }();
    if (!rows) {
      sr.error = rows.error();
      sr.rejected_lines = sr.lines + static_cast<int>(s.skipped.size());
    } else {
      auto& earlier = by_account[*sr.account_id];
      for (const auto& m : s.movements) earlier.push_back(&m);
      sr.balance_overridden = rows->balance_mismatch.has_value();
      sr.rejected_lines = static_cast<int>(s.skipped.size());
      plan.to_store.push_back({plan.statements.size(), *sr.account_id, std::move(*rows)});
    }
    plan.statements.push_back(std::move(sr));
  }
  return plan;
}

namespace {

// What the import reads before deciding: the file if already imported, and the accounts.
struct Known {
  std::optional<int64_t> file_id;
  std::vector<BankAccount> accounts;
};

db::Task<Result<Known>> ReadKnown(db::Pool& pool, const db::TenantScope& scope, std::string sha256) {
  co_return co_await pool.InTransaction(scope, [&](db::Transaction& tx) -> db::Task<Result<Known>> {
    Known known;
    VERTICE_CO_ASSIGN_OR_RETURN(auto file, co_await tx.Query(sql::kFileBySha, db::P(sha256)));
    if (!file.Empty()) {
      known.file_id = file.Int(0, "file_id");
      co_return known;
    }
    VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kImportAccounts));
    for (int i = 0; i < rows.Size(); ++i)
      known.accounts.push_back({rows.Int(i, "account_id"), rows.Str(i, "clabe"), rows.Str(i, "number"),
                                rows.Str(i, "currency"), rows.Str(i, "name")});
    co_return known;
  });
}

// A file imported before: nothing to do, and every line is a duplicate.
void ReportDuplicateFile(const bank::ParsedFile& parsed, int64_t file_id, FileReport& report) {
  report.status = FileStatus::kDuplicateFile;
  report.file_id = file_id;
  for (const auto& s : parsed.statements) {
    StatementReport sr;
    sr.bank_statement_ref = s.statement_id;
    sr.account = s.account;
    sr.lines = static_cast<int>(s.movements.size());
    sr.duplicate_lines = sr.lines;
    report.duplicate_lines += sr.lines;
    report.statements.push_back(std::move(sr));
  }
}

// What the database answered for one stored statement.
struct Stored {
  int64_t statement_id = 0;
  int new_lines = 0, duplicate_lines = 0;
};

// One planned statement with its movements, and the audit of a balance overridden. The references
// are the caller's locals, alive until this returns.
db::Task<Result<Stored>> StoreStatement(db::Transaction& tx, const std::string& file_id, const PlannedStatement& p,
                                        const std::string& override_reason, const shared::Actor& actor) {
  const std::string account = std::to_string(p.account_id);
  const std::string statement_json = json::serialize(p.rows.statement);
  const std::string movements_json = json::serialize(p.rows.movements);
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto row, co_await tx.Query(sql::kStoreStatement, db::P(account, file_id, statement_json, movements_json)));
  Stored s{row.Int(0, "statement_id"), static_cast<int>(row.Int(0, "new_lines")),
           static_cast<int>(row.Int(0, "duplicate_lines"))};
  if (p.rows.balance_mismatch) {
    json::object after{{"statement_id", s.statement_id},
                       {"reason", override_reason},
                       {"figures", ErrorJson(*p.rows.balance_mismatch)}};
    const std::string id = std::to_string(s.statement_id);
    const std::string after_json = json::serialize(after);
    const std::string before_json;
    VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor, "bank.statement_balance_overridden", "bank_statement", id,
                                                before_json, after_json));
  }
  co_return s;
}

}  // namespace

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

  // Read, then decide without the database.
  VERTICE_CO_ASSIGN_OR_RETURN(auto known, co_await ReadKnown(pool_, scope_, report.sha256));
  if (known.file_id) {
    ReportDuplicateFile(*parsed, *known.file_id, report);
    co_return report;
  }
  const BankAccount* named = nullptr;
  if (request.account_id) {
    for (const auto& a : known.accounts)
      if (a.id == *request.account_id) named = &a;
    if (!named) co_return Fail(ErrorKind::kNotFound, "bank.account_not_found", "La cuenta bancaria no existe.");
  }
  ImportPlan plan = PlanImport(*parsed, known.accounts, named, request.balance_override_reason, actor_);
  report.statements = std::move(plan.statements);
  for (const auto& s : report.statements) report.rejected_lines += s.rejected_lines;
  if (plan.to_store.empty()) {
    // Nothing to store, so nothing is written: the same file can be imported once fixed.
    report.status = FileStatus::kRejected;
    // Every statement refused: the first one's reason is the file's.
    if (!report.statements.empty()) report.error = report.statements.front().error;
    co_return report;
  }

  // Write: the file, its statements with their movements, the overrides' audit, the totals.
  const ImportRequest& req = request;
  int64_t file_id = 0;
  std::vector<Stored> stored;
  auto written = co_await pool_.InTransaction(scope_, [&](db::Transaction& tx) -> db::Task<Status> {
    stored.clear();
    const std::string size = std::to_string(req.bytes.size());
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto file_row, co_await tx.Query(sql::kInsertFile, db::P(report.sha256, report.file_name, size, report.format,
                                                                 report.variant, source_, actor_.type, actor_.id)));
    file_id = file_row.Int(0, "file_id");
    const std::string file = std::to_string(file_id);
    int new_lines = 0, duplicate_lines = 0;
    for (const auto& p : plan.to_store) {
      VERTICE_CO_ASSIGN_OR_RETURN(auto s, co_await StoreStatement(tx, file, p, req.balance_override_reason, actor_));
      new_lines += s.new_lines;
      duplicate_lines += s.duplicate_lines;
      stored.push_back(s);
    }
    const std::string statements = std::to_string(stored.size());
    const std::string new_text = std::to_string(new_lines);
    const std::string duplicate_text = std::to_string(duplicate_lines);
    const std::string rejected_text = std::to_string(report.rejected_lines);
    VERTICE_CO_TRY(
        co_await tx.Query(sql::kFileTotals, db::P(file, statements, new_text, duplicate_text, rejected_text)));
    co_return Status{};
  });
  if (!written) co_return std::unexpected(written.error());

  report.file_id = file_id;
  for (size_t i = 0; i < stored.size(); ++i) {
    auto& sr = report.statements[plan.to_store[i].report];
    sr.statement_id = stored[i].statement_id;
    sr.new_lines = stored[i].new_lines;
    sr.duplicate_lines = stored[i].duplicate_lines;
    report.new_lines += sr.new_lines;
    report.duplicate_lines += sr.duplicate_lines;
  }
  report.status = plan.to_store.size() == report.statements.size() ? FileStatus::kImported : FileStatus::kPartial;
  co_return report;
}

}  // namespace vertice::banking
