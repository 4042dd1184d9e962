// One company moved or restored without touching the others, with the built binary as an operator
// runs it: `vertice company export` of the demo's acme (POS sales, consignments, CFDI, a bank
// statement and reconciliation decisions), restored over itself with --replace, moved into a fresh
// database, and refused — changing nothing — on another schema version, an edited or truncated
// file, and an existing company without --replace. Rows are compared by per-table checksums this
// test computes itself (not the module's), and the API must answer the same after the restore.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/digest.hpp"
#include "db/pool.hpp"
#include "reconciliation/decisions.hpp"
#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `vertice <args>` as the operator runs it against `db` (owner URL as the admin URL), bounded.
CliResult Vertice(const TestDatabase& db, const std::vector<std::string>& args, const std::string& stdin_file = "") {
  const char* bin = std::getenv("VERTICE_BIN");
  if (bin == nullptr) return {127, "VERTICE_BIN is not set"};
  std::string cmd = "DATABASE_URL=" + Quote(db.AppUrl()) + " VERTICE_ADMIN_DATABASE_URL=" + Quote(db.OwnerUrl()) +
                    " timeout 300 " + Quote(bin);
  for (const auto& a : args) cmd += " " + Quote(a);
  if (!stdin_file.empty()) cmd += " < " + Quote(stdin_file);
  cmd += " 2>&1";
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

void WriteLines(const fs::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::binary);
  for (const auto& l : lines) out << l << "\n";
}

// The lines with a last line whose digest matches them again (an edit made to look untouched).
std::vector<std::string> Resealed(std::vector<std::string> lines) {
  lines.pop_back();
  std::string body;
  for (const auto& l : lines) body += l + "\n";
  lines.push_back("{\"end\":{\"rows\":" + std::to_string(lines.size() - 1) + ",\"sha256\":\"" + Sha256Hex(body) +
                  "\"}}");
  return lines;
}

// Every table with a company_id column → "rows:md5 of its rows sorted" for `company`, computed
// independently of the module (text of the whole row). `skip` leaves tables out.
using Fingerprint = std::map<std::string, std::string>;
Fingerprint CompanyFingerprint(const std::string& url, const std::string& company, std::vector<std::string> skip = {}) {
  // The refresh queue and change feed: the server's scheduler works them off at any time. The
  // rollups' rows too (its housekeeping folds and merges deltas without changing a sum): their
  // content is checked as sums (RollupFingerprint).
  skip.insert(skip.end(),
              {"mv_refresh_triggers", "universal_changes", "universal_daily_totals", "universal_monthly_totals"});
  Fingerprint f;
  auto tables = Sql(url,
                    "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = "
                    "'company_id' WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1");
  for (const auto& row : tables) {
    const std::string& t = row[0];
    if (std::find(skip.begin(), skip.end(), t) != skip.end()) continue;
    f[t] = SqlValue(url,
                    "SELECT count(*) || ':' || md5(COALESCE(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM " +
                        t + " x WHERE x.company_id = $1",
                    {company});
  }
  return f;
}

// The unified view and daily totals of a company: what the reports read, rebuilt on import.
std::string UnifiedFingerprint(const std::string& url, const std::string& company) {
  return SqlValue(
      url,
      "SELECT count(*) || ':' || md5(COALESCE(string_agg(u::text, E'\\n' ORDER BY u::text), '')) FROM "
      "(SELECT company_id, tenant_id, transaction_type, source_table, source_id, fecha, monto_total, moneda, "
      "status, vertical FROM universal_transactions_mv WHERE company_id = $1) u",
      {company});
}

// The daily and monthly totals of a company as the reports read them: sums per group, whatever
// deltas they are still made of.
std::string RollupFingerprint(const std::string& url, const std::string& company) {
  return SqlValue(
      url,
      "SELECT md5(COALESCE(string_agg(d::text, E'\\n' ORDER BY d::text), '')) FROM ("
      "SELECT 'd', fecha, transaction_type, vertical, source_table, status, sum(total), sum(count) "
      "FROM universal_daily_totals WHERE company_id = $1 GROUP BY 2, 3, 4, 5, 6 HAVING sum(count) <> 0 OR sum(total) "
      "<> 0 "
      "UNION ALL SELECT 'm', month, transaction_type, vertical, source_table, status, sum(t), sum(n) FROM ("
      "SELECT month, transaction_type, vertical, source_table, status, total AS t, count AS n "
      "FROM universal_monthly_totals WHERE company_id = $1 UNION ALL "
      "SELECT date_trunc('month', fecha)::date, transaction_type, vertical, source_table, status, total, count "
      "FROM universal_daily_totals WHERE company_id = $1 AND NOT folded) m "
      "GROUP BY 2, 3, 4, 5, 6 HAVING sum(n) <> 0 OR sum(t) <> 0) d",
      {company});
}

template <typename R, typename Fn>
R WithPool(const std::string& url, Fn fn) {
  return db::RunSync<R>([&](boost::asio::any_io_executor ex) -> db::Task<R> {
    db::PoolOptions options;
    options.conninfo = url;
    options.max_size = 2;
    options.prepared_statements = false;
    db::Pool pool(ex, options);
    co_return co_await fn(pool);
  });
}

class CompanyTransferTest : public ApiTest {
 protected:
  // The demo (acme: CPG and CFDI; globex: services), then for acme a bank account, a statement
  // paying three of its invoices, a reconciliation run and a person's decision.
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    dir_ = fs::temp_directory_path() / ("vertice-company-transfer-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto ok = [](const std::vector<std::string>& args) {
      auto r = Vertice(*db_, args);
      if (r.exit_code != 0) throw std::runtime_error(args[0] + " " + args[1] + ": " + r.output);
    };
    ok({"demo", "load", "--force"});
    ok({"bank", "account", "create", "--company", "acme", "--clabe", "072180001234567897", "--name", "Banorte"});
    const std::string account =
        SqlValue(db_->OwnerUrl(), "SELECT account_id FROM bank_accounts WHERE company_id = 'acme'");
    auto invoices =
        Sql(db_->OwnerUrl(),
            "SELECT to_char(fecha, 'YYYY-MM-DD'), total::numeric(18,2)::text, serie || folio, receptor_nombre "
            "FROM sat_invoices WHERE company_id = 'acme' AND tipo = 'I' AND direction = 'issued' AND "
            "moneda = 'MXN' ORDER BY invoice_id LIMIT 3");
    std::string csv = "id,date,description,reference,amount,balance\n";
    int i = 0;
    for (const auto& inv : invoices)
      csv += "m" + std::to_string(++i) + "," + inv[0] + ",SPEI RECIBIDO " + inv[3] + " FACTURA " + inv[2] + "," +
             inv[2] + "," + inv[1] + ",\n";
    csv += "m9," + invoices.at(0)[0] + ",COMISION SPEI,,-5.80,\n";
    std::ofstream(dir_ / "statement.csv") << csv;
    ok({"import", "statement", "--company", "acme", "--account", account, (dir_ / "statement.csv").string()});
    ok({"recon", "run", "--company", "acme"});
    // A person's decision on the first match still open (or else on an auto-accepted one: undo).
    const std::string open =
        SqlValue(db_->OwnerUrl(),
                 "SELECT COALESCE(min(match_id)::text, '') FROM reconciliation_matches WHERE company_id "
                 "= 'acme' AND state = 'proposed'");
    const std::string accepted =
        SqlValue(db_->OwnerUrl(),
                 "SELECT COALESCE(min(match_id)::text, '') FROM reconciliation_matches WHERE company_id "
                 "= 'acme' AND state = 'accepted'");
    auto decided = WithPool<Result<std::string>>(db_->AppUrl(), [&](db::Pool& pool) -> db::Task<Result<std::string>> {
      db::TenantScope scope;
      scope.tenant_id = "demo";
      scope.company_id = "acme";
      reconciliation::Decider who;
      who.actor = {.type = "user", .id = UserId("cfo@acme.mx"), .tenant_id = "demo", .company_id = "acme"};
      who.name = "cfo@acme.mx";
      who.role = "cfo";
      co_return co_await pool.InTransaction(scope, [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
        if (!open.empty()) co_return co_await reconciliation::Reject(tx, who, open);
        co_return co_await reconciliation::Undo(tx, who, accepted);
      });
    });
    if (!decided) throw std::runtime_error("decision: " + decided.error().message + " " + decided.error().internal);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    StopStack();
  }

  static int64_t Count(const TestDatabase& db, const std::string& sql) {
    return std::stoll(SqlValue(db.OwnerUrl(), sql));
  }

  // The acme rows the restore must bring back exactly (the audit log only grows: checked apart).
  static Fingerprint Acme(const TestDatabase& db) {
    return CompanyFingerprint(db.OwnerUrl(), "acme",
                              {"audit_log", "universal_transactions_mv", "universal_daily_totals", "universal_changes",
                               "mv_refresh_triggers"});
  }
  static std::string Export(const fs::path& to) {
    auto r = Vertice(*db_, {"company", "export", "--company", "acme", "--out", to.string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }

  static inline fs::path dir_;
};

TEST_F(CompanyTransferTest, TheDemoCompanyHasEveryKindOfRow) {
  for (const char* table : {"cpg_sales", "cpg_consignments", "sat_invoices", "bank_movements", "reconciliation_matches",
                            "reconciliation_events", "memberships", "api_keys"}) {
    if (std::string(table) == "api_keys") continue;  // the demo has none; the move test creates one
    EXPECT_GT(Count(*db_, std::string("SELECT count(*) FROM ") + table + " WHERE company_id = 'acme'"), 0) << table;
  }
  EXPECT_GT(Count(*db_, "SELECT count(*) FROM reconciliation_events WHERE company_id = 'acme' AND actor LIKE '%cfo%'"),
            0);
}

TEST_F(CompanyTransferTest, ARestoreOverTheCompanyBringsBackEveryRowAndTouchesNoOtherCompany) {
  auto s = SignIn("cfo@acme.mx");
  auto c = Client();
  const auto api = [&](const std::string& path) { return c.Send("GET", path, "", s.Bearer("acme")); };
  const std::string transactions = "/api/v1/transactions?limit=50&type=pos_sale";
  const std::string summary = "/api/v1/invoices/summary";
  const auto list_before = api(transactions), summary_before = api(summary);
  ASSERT_EQ(list_before.status, 200) << list_before.body;
  ASSERT_EQ(summary_before.status, 200) << summary_before.body;

  const auto acme_before = Acme(*db_);
  const auto unified_before = UnifiedFingerprint(db_->OwnerUrl(), "acme");
  const auto rollups_before = RollupFingerprint(db_->OwnerUrl(), "acme");
  const auto globex_rollups_before = RollupFingerprint(db_->OwnerUrl(), "globex");
  const auto globex_before = CompanyFingerprint(db_->OwnerUrl(), "globex");
  const int64_t audit_before = Count(*db_, "SELECT count(*) FROM audit_log WHERE company_id = 'acme'");

  const fs::path file = dir_ / "acme.company.jsonl";
  const auto out = Export(file);
  EXPECT_NE(out.find("company acme exported to"), std::string::npos) << out;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "the file holds password and API key hashes: owner-only";
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));
  EXPECT_EQ(ReadAll(file).find("token_hash"), std::string::npos) << "sessions never travel";

  // Damage after the export: a sale cancelled, a movement's decision and a product gone.
  Sql(db_->OwnerUrl(), "UPDATE cpg_products SET name = 'cambiado' WHERE company_id = 'acme'");
  Sql(db_->OwnerUrl(), "DELETE FROM reconciliation_aliases WHERE company_id = 'acme'");
  Sql(db_->OwnerUrl(),
      "DELETE FROM cpg_sale_lines WHERE sale_id = (SELECT min(sale_id) FROM cpg_sales WHERE company_id = 'acme')");
  ASSERT_NE(Acme(*db_), acme_before);

  auto restored = Vertice(*db_, {"company", "import", "--file", file.string(), "--replace"});
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("company acme replaced"), std::string::npos) << restored.output;
  EXPECT_NE(restored.output.find("refresh"), std::string::npos) << "the unified view is rebuilt: " << restored.output;

  EXPECT_EQ(Acme(*db_), acme_before);
  EXPECT_EQ(UnifiedFingerprint(db_->OwnerUrl(), "acme"), unified_before);
  EXPECT_EQ(RollupFingerprint(db_->OwnerUrl(), "acme"), rollups_before);
  EXPECT_EQ(RollupFingerprint(db_->OwnerUrl(), "globex"), globex_rollups_before);
  EXPECT_EQ(CompanyFingerprint(db_->OwnerUrl(), "globex"), globex_before);
  EXPECT_EQ(Count(*db_, "SELECT count(*) FROM audit_log WHERE company_id = 'acme'"), audit_before + 1)
      << "the audit log keeps every row and records the import";
  EXPECT_EQ(Count(*db_, "SELECT count(*) FROM audit_log WHERE company_id = 'acme' AND action = 'company.imported'"), 1);

  // The API answers as before (the server's caches follow the changes by NOTIFY: a few tries).
  HttpResponse list_after, summary_after;
  for (int i = 0; i < 50; ++i) {
    list_after = api(transactions);
    summary_after = api(summary);
    if (list_after.body == list_before.body && summary_after.body == summary_before.body) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(list_after.status, 200);
  EXPECT_EQ(list_after.body, list_before.body);
  EXPECT_EQ(summary_after.body, summary_before.body);
}

TEST_F(CompanyTransferTest, ACompanyMovesIntoAFreshDatabaseWithItsTenantAndUsers) {
  Vertice(*db_, {"apikey", "create", "--company", "acme", "--name", "Caja", "--role", "cashier"});
  const fs::path file = dir_ / "move.company.jsonl";
  Export(file);
  const auto acme_a = Acme(*db_);

  auto b = TestDatabase::Create();
  auto moved = Vertice(*b, {"company", "import", "--file", "-"}, file.string());
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find("tenant demo created"), std::string::npos) << moved.output;
  EXPECT_EQ(Acme(*b), acme_a);
  EXPECT_EQ(UnifiedFingerprint(b->OwnerUrl(), "acme"), UnifiedFingerprint(db_->OwnerUrl(), "acme"));
  EXPECT_EQ(Count(*b, "SELECT count(*) FROM companies WHERE company_id <> 'acme'"), 0) << "only acme moved";
  EXPECT_EQ(Count(*b, "SELECT count(*) FROM users WHERE email = 'cfo@globex.mx'"), 0) << "only acme's people moved";
  EXPECT_EQ(SqlValue(b->OwnerUrl(), "SELECT password_hash FROM users WHERE email = 'cfo@acme.mx'"),
            SqlValue(db_->OwnerUrl(), "SELECT password_hash FROM users WHERE email = 'cfo@acme.mx'"));
  EXPECT_EQ(Count(*b, "SELECT count(*) FROM sessions"), 0);

  // New rows in B get ids past the ones that came in.
  auto account = Vertice(
      *b, {"bank", "account", "create", "--company", "acme", "--clabe", "002180700000000011", "--name", "Banamex"});
  EXPECT_EQ(account.exit_code, 0) << account.output;
  auto more = Vertice(*b, {"recon", "run", "--company", "acme"});
  EXPECT_EQ(more.exit_code, 0) << more.output;

  // Moving it again, into a database that already has it, needs --replace; and ids another
  // company holds there are refused.
  auto again = Vertice(*b, {"company", "import", "--file", file.string()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("--replace"), std::string::npos) << again.output;
}

TEST_F(CompanyTransferTest, ImportIsRefusedAndChangesNothingOnAnotherSchemaOrAnEditedFile) {
  const fs::path file = dir_ / "refuse.company.jsonl";
  Export(file);
  const auto lines = Lines(ReadAll(file));
  ASSERT_GT(lines.size(), 100u);

  const auto acme_before = CompanyFingerprint(db_->OwnerUrl(), "acme");
  const auto globex_before = CompanyFingerprint(db_->OwnerUrl(), "globex");
  const auto unchanged = [&](const std::string& why) {
    EXPECT_EQ(CompanyFingerprint(db_->OwnerUrl(), "acme"), acme_before) << why;
    EXPECT_EQ(CompanyFingerprint(db_->OwnerUrl(), "globex"), globex_before) << why;
  };
  auto refused = [&](const fs::path& f, bool replace, const std::string& expected) {
    std::vector<std::string> args{"company", "import", "--file", f.string()};
    if (replace) args.push_back("--replace");
    auto r = Vertice(*db_, args);
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("nothing was changed"), std::string::npos) << r.output;
    unchanged(f.filename().string());
  };

  refused(file, false, "already exists; give --replace");

  // One product renamed in the file: its SHA-256 no longer matches.
  auto edited = lines;
  for (size_t i = 1; i + 1 < edited.size(); ++i) {
    auto at = edited[i].find("\"name\": \"");
    if (edited[i].starts_with("{\"table\":\"cpg_products\"") && at != std::string::npos) {
      edited[i].insert(at + 9, "X");
      break;
    }
  }
  ASSERT_NE(edited, lines);
  WriteLines(dir_ / "edited.jsonl", edited);
  refused(dir_ / "edited.jsonl", true, "SHA-256 does not match");

  // The same edit with the last line's digest recomputed: the table's checksum catches it.
  WriteLines(dir_ / "resealed.jsonl", Resealed(edited));
  refused(dir_ / "resealed.jsonl", true, "table cpg_products");

  // Cut short: no last line.
  WriteLines(dir_ / "truncated.jsonl", std::vector<std::string>(lines.begin(), lines.begin() + lines.size() / 2));
  refused(dir_ / "truncated.jsonl", true, "truncated");

  // A row of another company slipped in.
  auto foreign = lines;
  foreign.insert(foreign.begin() + 1,
                 "{\"table\":\"companies\",\"row\":{\"company_id\":\"globex\",\"tenant_id\":\"demo\"}}");
  WriteLines(dir_ / "foreign.jsonl", Resealed(foreign));
  refused(dir_ / "foreign.jsonl", true, "not company acme's");

  // A database whose own company already holds ids the file keeps (its audit rows here).
  auto busy = TestDatabase::Create();
  ASSERT_EQ(Vertice(*busy, {"tenant", "create", "--id", "otro", "--name", "Otro"}).exit_code, 0);
  ASSERT_EQ(Vertice(*busy, {"company", "create", "--tenant", "otro", "--id", "otra", "--name", "Otra SA de CV", "--rfc",
                            "AAA010101AAA"})
                .exit_code,
            0);
  auto clash = Vertice(*busy, {"company", "import", "--file", file.string()});
  EXPECT_NE(clash.exit_code, 0);
  EXPECT_NE(clash.output.find("ids are kept"), std::string::npos) << clash.output;
  EXPECT_EQ(SqlValue(busy->OwnerUrl(), "SELECT string_agg(company_id, ',') FROM companies"), "otra");
  EXPECT_EQ(SqlValue(busy->OwnerUrl(), "SELECT count(*) FROM tenants"), "1");

  // A database at another migration version (cpg one step down) refuses the file.
  auto older = TestDatabase::Create();
  auto down = Vertice(*older, {"migrate", "down", "--component", "cpg", "--to", "1"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  auto r = Vertice(*older, {"company", "import", "--file", file.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("migrations"), std::string::npos) << r.output;
  EXPECT_EQ(SqlValue(older->OwnerUrl(), "SELECT count(*) FROM companies"), "0");
  EXPECT_EQ(SqlValue(older->OwnerUrl(), "SELECT count(*) FROM tenants"), "0") << "not even the tenant";
}

}  // namespace
}  // namespace vertice::testing
