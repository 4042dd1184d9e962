// Bank accounts and statement import through the real server and PostgreSQL: CLABE validation,
// every format, balances checked (and an override on record), malformed files refused with
// nothing stored, re-imports and overlapping periods deduplicated line by line, movements with
// filters and keyset pages, and tenant isolation.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
const fs::path kFixtures = fs::path(VERTICE_FIXTURES_DIR) / "bank";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class BankApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    cfo_ = SignIn("cfo@acme.mx");
  }
  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& company = "acme") {
    auto c = Client();
    return c.Send(method, path, body, cfo_.Bearer(company));
  }
  std::string CreateAccount(const json::object& body) {
    auto r = Call("POST", "/api/v1/bank/accounts", json::serialize(body));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(ParseJson(r.body).at("account_id").as_string());
  }
  int64_t Count(const std::string& sql, const std::vector<std::string>& params = {}) {
    return std::stoll(SqlValue(db_->OwnerUrl(), sql, params));
  }
  Session cfo_;
};

TEST_F(BankApiTest, AccountsNeedAValidClabeAndTakeTheBankFromIt) {
  auto bad = Call("POST", "/api/v1/bank/accounts", R"({"name": "Operativa", "clabe": "012180001234567890"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("clabe"), std::string::npos);
  auto id = CreateAccount({{"name", "Operativa BBVA"}, {"clabe", "012180001234567899"}});
  auto list = ParseJson(Call("GET", "/api/v1/bank/accounts").body).at("items").as_array();
  bool found = false;
  for (const auto& a : list)
    if (a.at("account_id").as_string() == id) {
      found = true;
      EXPECT_EQ(a.at("bank").as_string(), "BBVA México");
      EXPECT_EQ(a.at("currency").as_string(), "MXN");
    }
  EXPECT_TRUE(found);
  auto again = Call("POST", "/api/v1/bank/accounts", R"({"name": "Otra", "clabe": "012180001234567899"})");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(ErrorCode(again), "bank.account_exists");
  // The number is a key of its own (another unique index), with the same answer.
  CreateAccount({{"name", "Por número"}, {"bank", "Banorte"}, {"account_number", "0123 4567"}});
  auto same_number =
      Call("POST", "/api/v1/bank/accounts", R"({"name": "Otra", "bank": "Banorte", "account_number": "0123 4567"})");
  EXPECT_EQ(same_number.status, 409) << same_number.body;
  EXPECT_EQ(ErrorCode(same_number), "bank.account_exists");
  // A cashier cannot register accounts.
  auto cashier = SignIn("cajero@acme.mx");
  auto c = Client();
  EXPECT_EQ(
      c.Send("POST", "/api/v1/bank/accounts", R"({"name": "X", "clabe": "002180001234567896"})", cashier.Bearer("acme"))
          .status,
      403);
}

TEST_F(BankApiTest, Mt940WithSeveralStatementsIsImportedOnceAndAReimportAddsNothing) {
  CreateAccount(
      {{"name", "Rabo EUR"}, {"bank", "Rabobank"}, {"account_number", "NL34RABO0142623393"}, {"currency", "EUR"}});
  auto bytes = ReadFile(kFixtures / "mt940_oca_rabo.swi");
  auto r = Call("POST", "/api/v1/bank/statements?file_name=rabo.swi", bytes);
  ASSERT_EQ(r.status, 201) << r.body;
  auto file = ParseJson(r.body).at("files").at(0).as_object();
  EXPECT_EQ(file.at("status").as_string(), "imported");
  EXPECT_EQ(file.at("format").as_string(), "mt940");
  EXPECT_EQ(file.at("statements").as_array().size(), 4u);
  EXPECT_EQ(file.at("new").to_number<int64_t>(), 2);
  auto again = Call("POST", "/api/v1/bank/statements", bytes);
  ASSERT_EQ(again.status, 200) << again.body;
  auto dup = ParseJson(again.body).at("files").at(0).as_object();
  EXPECT_EQ(dup.at("status").as_string(), "duplicate_file");
  EXPECT_EQ(dup.at("new").to_number<int64_t>(), 0);
  EXPECT_EQ(dup.at("duplicate").to_number<int64_t>(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM bank_movements m JOIN bank_accounts a USING (account_id) "
                  "WHERE a.account_number = 'NL34RABO0142623393'"),
            2);
}

TEST_F(BankApiTest, ABalanceMismatchIsRefusedWithTheFiguresUnlessOverriddenOnRecord) {
  CreateAccount(
      {{"name", "ABN EUR"}, {"bank", "ABN AMRO"}, {"account_number", "NL77ABNA0574908765"}, {"currency", "EUR"}});
  auto bytes = ReadFile(kFixtures / "camt053_oca_test.xml");
  auto refused = Call("POST", "/api/v1/bank/statements", bytes);
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(ErrorCode(refused), "bank.balance_mismatch");
  EXPECT_NE(refused.body.find("15555.28"), std::string::npos) << refused.body;
  EXPECT_EQ(Count("SELECT count(*) FROM bank_statement_files WHERE format = 'camt053'"), 0);
  auto overridden = Call(
      "POST", "/api/v1/bank/statements?override_balance_reason=Saldo%20inicial%20corregido%20por%20el%20banco", bytes);
  ASSERT_EQ(overridden.status, 201) << overridden.body;
  auto st = ParseJson(overridden.body).at("files").at(0).at("statements").at(0).as_object();
  EXPECT_TRUE(st.at("balance_overridden").as_bool());
  EXPECT_EQ(st.at("new").to_number<int64_t>(), 3);
  EXPECT_EQ(
      Count("SELECT count(*) FROM bank_statements WHERE balance_mismatch AND override_reason LIKE 'Saldo inicial%'"),
      1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'bank.statement_balance_overridden'"), 1);
}

TEST_F(BankApiTest, MalformedFilesAreRefusedWithAClearErrorAndNothingStored) {
  CreateAccount({{"name", "ING EUR"}, {"bank", "ING"}, {"account_number", "NL77INGB0574908765"}, {"currency", "EUR"}});
  const auto before = Count("SELECT count(*) FROM bank_movements");
  auto camt = ReadFile(kFixtures / "camt053_oca_txdtls.xml");
  auto truncated = Call("POST", "/api/v1/bank/statements", camt.substr(0, camt.size() / 2));
  EXPECT_EQ(truncated.status, 400) << truncated.body;
  EXPECT_EQ(ErrorCode(truncated), "bank.camt_malformed");
  auto ofx = Call("POST", "/api/v1/bank/statements", ReadFile(kFixtures / "ofx_oca_wrong.ofx"));
  EXPECT_EQ(ofx.status, 400) << ofx.body;
  auto notification = Call("POST", "/api/v1/bank/statements", ReadFile(kFixtures / "camt054_oca_test.xml"));
  EXPECT_EQ(ErrorCode(notification), "bank.camt054_not_a_statement");
  auto unknown = Call("POST", "/api/v1/bank/statements", "%PDF-1.4 not a statement\n");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  // Latin-1 bytes with a UTF-8-only profile.
  auto latin = Call("POST", "/api/v1/bank/statements?profile=generic",
                    "id,date,description,reference,amount,balance\na,2024-01-02,DEP\xD3SITO,,1.00,\n");
  EXPECT_EQ(ErrorCode(latin), "bank.wrong_encoding");
  // A statement for an account the company does not have.
  auto stranger = Call("POST", "/api/v1/bank/statements", ReadFile(kFixtures / "mt940_jejik_generic.sta"));
  EXPECT_EQ(stranger.status, 422) << stranger.body;
  EXPECT_EQ(ErrorCode(stranger), "bank.unknown_account");
  EXPECT_EQ(Count("SELECT count(*) FROM bank_movements"), before);
  EXPECT_EQ(Count("SELECT count(*) FROM bank_statement_files WHERE company_id = 'acme' AND format <> 'mt940' "
                  "AND format <> 'camt053'"),
            0);
}

// The Swiss CAMT.053 fixture with a second, booked entry of `amount` CHF after the first.
std::string CamtWithExtraEntry(const std::string& amount) {
  auto camt = ReadFile(kFixtures / "camt053_oca_txdtls.xml");
  auto end = camt.find("</Ntry>") + std::string("</Ntry>").size();
  return camt.substr(0, end) + R"(
      <Ntry>
        <NtryRef>ZERO-1</NtryRef>
        <Amt Ccy="CHF">)" +
         amount + R"(</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2017-03-23</Dt></BookgDt>
        <AcctSvcrRef>ZERO-ENTRY-1</AcctSvcrRef>
        <AddtlNtryInf>Comision cancelada</AddtlNtryInf>
      </Ntry>)" +
         camt.substr(end);
}

TEST_F(BankApiTest, ACamtEntryTheDatabaseWouldRefuseIsNamedAndTheRestIsStored) {
  CreateAccount({{"name", "PostFinance CHF"},
                 {"bank", "PostFinance"},
                 {"account_number", "CH1111000000123456789"},
                 {"currency", "CHF"}});
  auto r = Call("POST", "/api/v1/bank/statements", CamtWithExtraEntry("0.00"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto st = ParseJson(r.body).at("files").at(0).at("statements").at(0).as_object();
  EXPECT_EQ(st.at("status").as_string(), "imported");
  EXPECT_EQ(st.at("new").to_number<int64_t>(), 1);
  EXPECT_EQ(st.at("rejected").to_number<int64_t>(), 1);
  ASSERT_EQ(st.at("skipped").as_array().size(), 1u) << r.body;
  EXPECT_EQ(st.at("skipped").at(0).at("line").to_number<int64_t>(), 2);
  EXPECT_EQ(st.at("skipped").at(0).at("reason").as_string(), "importe cero");
  EXPECT_EQ(Count("SELECT count(*) FROM bank_movements m JOIN bank_accounts a USING (account_id) "
                  "WHERE a.account_number = 'CH1111000000123456789'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM bank_movements WHERE bank_reference = 'ZERO-ENTRY-1'"), 0);
}

TEST_F(BankApiTest, AmountsBeyondWhatTheDatabaseHoldsAreRefusedNamingTheFigure) {
  CreateAccount({{"name", "PostFinance CHF 2"},
                 {"bank", "PostFinance"},
                 {"account_number", "CH3333000000123456789"},
                 {"currency", "CHF"}});
  auto camt = CamtWithExtraEntry("10000000000000000.00");
  for (std::string iban = "CH1111000000123456789"; camt.find(iban) != std::string::npos;)
    camt.replace(camt.find(iban), iban.size(), "CH3333000000123456789");
  const auto before = Count("SELECT count(*) FROM bank_movements");
  // The entry is out of range: skipped and named, the rest stored.
  auto line = Call("POST", "/api/v1/bank/statements", camt);
  ASSERT_EQ(line.status, 201) << line.body;
  auto st = ParseJson(line.body).at("files").at(0).at("statements").at(0).as_object();
  ASSERT_EQ(st.at("skipped").as_array().size(), 1u) << line.body;
  EXPECT_NE(std::string(st.at("skipped").at(0).at("reason").as_string()).find("fuera de rango"), std::string::npos);
  // An opening balance out of range refuses the statement with the field, and stores nothing.
  auto balance = CamtWithExtraEntry("1.00");
  balance.replace(balance.find("75960.15"), 8, "50000000000000000.00");
  balance.replace(balance.find("CH1111000000123456789"), 21, "CH3333000000123456789");
  auto refused = Call("POST", "/api/v1/bank/statements", balance);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(ErrorCode(refused), "bank.statement_out_of_range");
  EXPECT_NE(refused.body.find("opening_balance"), std::string::npos) << refused.body;
  EXPECT_EQ(Count("SELECT count(*) FROM bank_movements"), before + 1);
}

TEST_F(BankApiTest, AReportQuotingAFilesBytesIsStillUtf8Json) {
  auto camt = CamtWithExtraEntry("1.00");
  camt.replace(camt.find("<Id>20170323123456789012345</Id>"), 32, "<Id>ESTADO-\xFF\xC0</Id>");
  camt.replace(camt.find("CH1111000000123456789"), 21, "CH9999000000123456789");
  auto r = Call("POST", "/api/v1/bank/statements", camt);  // no such account: refused, quoting the file
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NO_THROW(ParseJson(r.body)) << r.body;
  EXPECT_EQ(ErrorCode(r), "bank.unknown_account");
}

TEST_F(BankApiTest, OverlappingPeriodsAddOnlyTheNewLinesAndMovementsPageByKeyset) {
  auto account = CreateAccount({{"name", "Banorte"}, {"clabe", "072180001234567897"}});
  std::string header = "id,date,description,reference,amount,balance\n";
  // January 2–10, then 8–15: the 8th–10th are in both files.
  std::string first = header, second = header;
  long balance = 0;
  std::vector<std::string> lines;
  for (int d = 2; d <= 15; ++d) {
    long cents = 10000 + d * 137;
    balance += cents;
    std::string line = "m" + std::to_string(d) + ",2024-01-" + (d < 10 ? "0" : "") + std::to_string(d) +
                       ",SPEI RECIBIDO CLIENTE " + std::to_string(d) + ",," + std::to_string(cents / 100) + "." +
                       (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100) + "," +
                       std::to_string(balance / 100) + "." + (balance % 100 < 10 ? "0" : "") +
                       std::to_string(balance % 100) + "\n";
    if (d <= 10) first += line;
    if (d >= 8) second += line;
  }
  auto a = Call("POST", "/api/v1/bank/statements?account_id=" + account, first);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(ParseJson(a.body).at("summary").at("new").to_number<int64_t>(), 9);
  auto b = Call("POST", "/api/v1/bank/statements?account_id=" + account, second);
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(ParseJson(b.body).at("summary").at("new").to_number<int64_t>(), 5);
  EXPECT_EQ(ParseJson(b.body).at("summary").at("duplicate").to_number<int64_t>(), 3);
  // 14 movements, newest first, five per page.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    auto r =
        Call("GET", "/api/v1/bank/movements?limit=5&account_id=" + account + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = ParseJson(r.body).as_object();
    for (const auto& m : j.at("items").as_array()) seen.push_back(std::string(m.at("bank_reference").as_string()));
    if (j.at("next_after").is_null()) break;
    after = std::string(j.at("next_after").as_string());
  }
  ASSERT_EQ(seen.size(), 14u);
  EXPECT_EQ(seen.front(), "m15");
  EXPECT_EQ(seen.back(), "m2");
  auto filtered = ParseJson(Call("GET", "/api/v1/bank/movements?from=2024-01-05&to=2024-01-06&q=CLIENTE").body);
  EXPECT_EQ(filtered.at("items").as_array().size(), 2u);
  auto bad = Call("GET", "/api/v1/bank/movements?status=pagado");
  EXPECT_EQ(bad.status, 400);

  // Statements page too: the account's two, newest first, one per page.
  std::vector<std::string> statements;
  after.clear();
  for (int page = 0; page < 3; ++page) {
    auto r =
        Call("GET", "/api/v1/bank/statements?limit=1&account_id=" + account + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = ParseJson(r.body).as_object();
    ASSERT_LE(j.at("items").as_array().size(), 1u);
    for (const auto& st : j.at("items").as_array())
      statements.push_back(std::string(st.at("statement_id").as_string()));
    if (j.at("next_after").is_null()) break;
    after = std::string(j.at("next_after").as_string());
  }
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_GT(std::stoll(statements[0]), std::stoll(statements[1]));
  EXPECT_EQ(Call("GET", "/api/v1/bank/statements?after=x").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/bank/statements?limit=201").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/bank/statements?estado=1").status, 400);
}

TEST_F(BankApiTest, MovementsAreCashFlowsInTheUnifiedViewNotRevenue) {
  auto account = CreateAccount({{"name", "HSBC"}, {"clabe", "021180001234567893"}});
  const auto revenue = SqlValue(db_->OwnerUrl(), "SELECT get_company_total_revenue('acme')");
  const auto dashboard = [&] { return ParseJson(Call("GET", "/api/v1/dashboard").body).at("revenue").at("year"); };
  const auto year_before = dashboard();
  auto r = Call("POST", "/api/v1/bank/statements?account_id=" + account,
                "id,date,description,reference,amount,balance\n"
                "h1,2026-01-05,DEPOSITO,,5000.00,\nh2,2026-01-06,COMISION,,-200.00,\n");
  ASSERT_EQ(r.status, 201) << r.body;
  // In the view, in the same transaction as the import, as cash in and out.
  auto rows = Sql(db_->OwnerUrl(),
                  "SELECT transaction_type, monto_total::text, vertical FROM universal_transactions_mv v JOIN "
                  "bank_movements m ON v.source_table = 'bank_movements' AND v.source_id = m.movement_id::text "
                  "WHERE m.bank_reference IN ('h1', 'h2') ORDER BY m.bank_reference");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"bank_deposit", "5000.00", "bank"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"bank_withdrawal", "-200.00", "bank"}));
  // Not revenue: neither the seed's total nor the dashboard moves.
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT get_company_total_revenue('acme')"), revenue);
  EXPECT_EQ(dashboard(), year_before);
  // Nor the revenue report, whether it reads monthly totals (whole months) or events (any days).
  for (const char* range : {"from=2026-01-01&to=2026-01-31", "from=2026-01-02&to=2026-01-07"}) {
    auto report = Call("GET", std::string("/api/v1/reports/revenue?group_by=transaction_type&") + range);
    ASSERT_EQ(report.status, 200) << report.body;
    EXPECT_EQ(report.body.find("bank_"), std::string::npos) << range << " " << report.body;
  }
}

TEST_F(BankApiTest, AnotherCompanySeesNoneOfItAndGets404ForItsIds) {
  auto account = CreateAccount({{"name", "Santander"}, {"clabe", "014180001234567897"}});
  auto r = Call("POST", "/api/v1/bank/statements?account_id=" + account,
                "id,date,description,reference,amount,balance\nz1,2024-03-01,DEPOSITO,,500.00,500.00\n");
  ASSERT_EQ(r.status, 201) << r.body;
  auto movement = SqlValue(db_->OwnerUrl(), "SELECT movement_id FROM bank_movements WHERE bank_reference = 'z1'");
  EXPECT_EQ(Call("GET", "/api/v1/bank/movements/" + movement).status, 200);
  auto globex = SignIn("cfo@globex.mx");
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/api/v1/bank/movements/" + movement, "", globex.Bearer("globex")).status, 404);
  auto list = c.Send("GET", "/api/v1/bank/movements", "", globex.Bearer("globex"));
  EXPECT_EQ(ParseJson(list.body).at("items").as_array().size(), 0u);
  EXPECT_EQ(
      ParseJson(c.Send("GET", "/api/v1/bank/accounts", "", globex.Bearer("globex")).body).at("items").as_array().size(),
      0u);
  // Importing into acme's account id from globex: that account does not exist there.
  auto into = c.Send("POST", "/api/v1/bank/statements?account_id=" + account,
                     "id,date,description,reference,amount,balance\nz2,2024-03-02,X,,1.00,\n", globex.Bearer("globex"));
  EXPECT_EQ(into.status, 404) << into.body;
}

}  // namespace
}  // namespace vertice::testing

namespace vertice::testing {
namespace {

// Reconciliation over HTTP: a run settles the clear movement and suggests the ambiguous one;
// reject, manual (amounts must add up), undo of one match, a later run leaves people's decisions
// alone; another company gets 404s.
class ReconciliationApiTest : public BankApiTest {
 protected:
  void Invoice(const std::string& uuid, const std::string& folio, const std::string& total, const std::string& rfc,
               const std::string& name) {
    Sql(db_->OwnerUrl(),
        "INSERT INTO sat_invoices (tenant_id, company_id, uuid, sha256, version, serie, folio, fecha, tipo, direction, "
        "emisor_rfc, receptor_rfc, counterparty_rfc, counterparty_name, subtotal, total, moneda, total_mxn, "
        "metodo_pago, status, xml) VALUES ('demo', 'acme', $1::text, encode(sha256(convert_to($1::text, 'UTF8')), "
        "'hex'), '4.0', 'F', $2, "
        "'2024-05-02', 'I', 'issued', 'ADI920101AB3', $3, $3, $4, $5::numeric, $5::numeric, 'MXN', $5::numeric, "
        "'PUE', 'vigente', '\\x00'::bytea)",
        {uuid, folio, rfc, name, total});
  }
};

TEST_F(ReconciliationApiTest, RunRejectManualUndoAndIsolation) {
  auto account = CreateAccount({{"name", "Conciliación"}, {"clabe", "002180001234567896"}});
  Invoice("11111111-1111-4111-8111-111111111111", "501", "11600.00", "TQU010101AB1", "TIENDAS QUERETARO SA DE CV");
  Invoice("22222222-2222-4222-8222-222222222222", "502", "5800.00", "FRO010101AB2", "FARMACIAS EL ROBLE SA DE CV");
  Invoice("33333333-3333-4333-8333-333333333333", "503", "5800.00", "FRO010101AB2", "FARMACIAS EL ROBLE SA DE CV");
  auto imported = Call("POST", "/api/v1/bank/statements?account_id=" + account,
                       "id,date,description,reference,amount,balance\n"
                       "r1,2024-05-06,SPEI RECIBIDO TIENDAS QUERETARO S.A. DE C.V. PAGO FACT F-501,,11600.00,\n"
                       "r2,2024-05-07,SPEI RECIBIDO FARMACIAS EL ROBLE PAGO,,5800.00,\n"
                       "r3,2024-05-08,COMISION TRANSFERENCIA SPEI,,-6.00,\n"
                       "r4,2024-05-09,DEPOSITO CLIENTE,,1000.00,\n");
  ASSERT_EQ(imported.status, 201) << imported.body;
  auto run = Call("POST", "/api/v1/reconciliation/run", "{\"account_id\": \"" + account + "\"}");
  ASSERT_EQ(run.status, 200) << run.body;
  auto report = ParseJson(run.body).as_object();
  EXPECT_EQ(report.at("auto_matched").to_number<int64_t>(), 1);
  EXPECT_EQ(report.at("suggested").to_number<int64_t>(), 1);   // two invoices of 5,800.00 from the same customer
  EXPECT_EQ(report.at("classified").to_number<int64_t>(), 1);  // the fee
  auto movement = [&](const std::string& ref) {
    return SqlValue(db_->OwnerUrl(), "SELECT movement_id FROM bank_movements WHERE bank_reference = $1", {ref});
  };
  auto status = [&](const std::string& ref) {
    return SqlValue(db_->OwnerUrl(), "SELECT status FROM bank_movements WHERE bank_reference = $1", {ref});
  };
  EXPECT_EQ(status("r1"), "reconciled");
  EXPECT_EQ(status("r3"), "ignored");
  EXPECT_EQ(status("r2"), "unreconciled");

  // The suggestion, with its score and reasons; rejected, it is not proposed again.
  auto suggestions = ParseJson(Call("GET", "/api/v1/reconciliation/suggestions").body).at("items").as_array();
  ASSERT_EQ(suggestions.size(), 1u);
  const auto& s = suggestions[0].as_object();
  EXPECT_FALSE(s.at("reasons").as_array().empty());
  EXPECT_EQ(s.at("movement").at("movement_id").as_string(), movement("r2"));
  const std::string suggestion = std::string(s.at("match_id").as_string());
  const std::string proposed_uuid = std::string(s.at("documents").at(0).at("uuid").as_string());
  EXPECT_EQ(Call("POST", "/api/v1/reconciliation/matches/" + suggestion + "/reject").status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/reconciliation/matches/" + suggestion + "/accept").status, 409);
  ASSERT_EQ(Call("POST", "/api/v1/reconciliation/run", "").status, 200);
  const auto after_reject = ParseJson(Call("GET", "/api/v1/reconciliation/suggestions").body);
  for (const auto& again : after_reject.at("items").as_array()) {
    if (again.at("movement").at("movement_id").as_string() == movement("r2")) {
      EXPECT_NE(again.at("documents").at(0).at("uuid").as_string(), proposed_uuid);
    }
  }

  // Manual: the amounts must add up to the movement.
  auto wrong = Call("POST", "/api/v1/reconciliation/manual",
                    "{\"movement_id\": \"" + movement("r2") +
                        "\", \"lines\": [{\"invoice_id\": \"33333333-3333-4333-8333-333333333333\", \"amount\": "
                        "\"5000.00\"}]}");
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(ErrorCode(wrong), "reconciliation.amounts_do_not_add_up");
  // Fees and amounts beyond NUMERIC(18,2) are refused naming the field, before anything is read.
  for (const std::string& extra : {std::string("\"bank_fee\": \"10000000000000000.00\""),
                                   std::string("\"bank_fee_iva\": \"92233720368547758.07\"")}) {
    auto huge = Call("POST", "/api/v1/reconciliation/manual",
                     "{\"movement_id\": \"" + movement("r2") + "\", " + extra +
                         ", \"lines\": [{\"invoice_id\": \"33333333-3333-4333-8333-333333333333\", \"amount\": "
                         "\"5800.00\"}]}");
    EXPECT_EQ(huge.status, 400) << huge.body;
    EXPECT_NE(huge.body.find(extra.substr(1, extra.find('"', 1) - 1)), std::string::npos) << huge.body;
  }
  auto huge_line = Call("POST", "/api/v1/reconciliation/manual",
                        "{\"movement_id\": \"" + movement("r2") +
                            "\", \"lines\": [{\"invoice_id\": \"33333333-3333-4333-8333-333333333333\", "
                            "\"amount\": \"-10000000000000000.00\"}]}");
  EXPECT_EQ(huge_line.status, 400) << huge_line.body;
  EXPECT_NE(huge_line.body.find("lines[0].amount"), std::string::npos) << huge_line.body;
  auto manual = Call("POST", "/api/v1/reconciliation/manual",
                     "{\"movement_id\": \"" + movement("r2") +
                         "\", \"lines\": [{\"invoice_id\": \"33333333-3333-4333-8333-333333333333\", \"amount\": "
                         "\"5800.00\"}]}");
  ASSERT_EQ(manual.status, 201) << manual.body;
  const std::string manual_id = std::string(ParseJson(manual.body).at("match_id").as_string());
  EXPECT_EQ(status("r2"), "reconciled");

  // Undo the automatic match: only it; the manual one and its movement stay.
  const std::string auto_id = SqlValue(db_->OwnerUrl(),
                                       "SELECT match_id FROM reconciliation_matches WHERE origin = 'auto' AND state = "
                                       "'accepted' AND movement_id = $1::bigint",
                                       {movement("r1")});
  EXPECT_EQ(Call("POST", "/api/v1/reconciliation/matches/" + auto_id + "/undo").status, 200);
  EXPECT_EQ(status("r1"), "unreconciled");
  EXPECT_EQ(status("r2"), "reconciled");
  // A later run may settle r1 again, never touches the manual match.
  ASSERT_EQ(Call("POST", "/api/v1/reconciliation/run", "").status, 200);
  EXPECT_EQ(
      SqlValue(db_->OwnerUrl(), "SELECT state FROM reconciliation_matches WHERE match_id = $1::bigint", {manual_id}),
      "accepted");
  EXPECT_EQ(Count("SELECT count(*) FROM reconciliation_events WHERE match_id = " + manual_id), 1);

  auto summary = ParseJson(Call("GET", "/api/v1/reconciliation/summary?account_id=" + account).body).as_object();
  EXPECT_EQ(summary.at("movements").to_number<int64_t>(), 4);
  EXPECT_EQ(summary.at("unreconciled_amount").as_string(), "1000.00");  // r4 only

  // The invoice shows what the bank settled: the manual match's 5,800.00.
  auto invoice = ParseJson(Call("GET", "/api/v1/invoices/33333333-3333-4333-8333-333333333333").body);
  EXPECT_EQ(invoice.at("bank").at("settled").as_string(), "5800.00") << json::serialize(invoice.at("bank"));

  // A rule the company adds classifies what no built-in rule knows.
  auto bad_rule =
      Call("POST", "/api/v1/reconciliation/rules", R"({"pattern": "DEPOSITO CLIENTE", "category": "Otros"})");
  EXPECT_EQ(bad_rule.status, 400) << bad_rule.body;
  auto rule = Call("POST", "/api/v1/reconciliation/rules",
                   R"({"pattern": "DEPOSITO CLIENTE", "direction": "in", "category": "otros_ingresos"})");
  ASSERT_EQ(rule.status, 201) << rule.body;
  ASSERT_EQ(Call("POST", "/api/v1/reconciliation/run", "").status, 200);
  EXPECT_EQ(status("r4"), "ignored");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT category FROM bank_movements WHERE bank_reference = 'r4'"),
            "otros_ingresos");
  auto rules = ParseJson(Call("GET", "/api/v1/reconciliation/rules").body).at("items").as_array();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(Call("DELETE", "/api/v1/reconciliation/rules/" + std::string(rules[0].at("rule_id").as_string())).status,
            204);

  // Another company: 404 on the match and the movement, an empty list of suggestions.
  auto globex = SignIn("cfo@globex.mx");
  auto c = Client();
  EXPECT_EQ(c.Send("POST", "/api/v1/reconciliation/matches/" + manual_id + "/undo", "", globex.Bearer("globex")).status,
            404);
  EXPECT_EQ(c.Send("GET", "/api/v1/bank/movements/" + movement("r2"), "", globex.Bearer("globex")).status, 404);
  auto theirs = c.Send("GET", "/api/v1/reconciliation/suggestions", "", globex.Bearer("globex"));
  EXPECT_EQ(ParseJson(theirs.body).at("items").as_array().size(), 0u);
  auto manual_there =
      c.Send("POST", "/api/v1/reconciliation/manual",
             "{\"movement_id\": \"" + movement("r4") + "\", \"category\": \"otros\"}", globex.Bearer("globex"));
  EXPECT_EQ(manual_there.status, 404) << manual_there.body;
}

}  // namespace
}  // namespace vertice::testing
