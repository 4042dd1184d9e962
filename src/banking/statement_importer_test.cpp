// The importer's decisions without a database: which account a statement belongs to, what is
// stored for it and why a statement is refused, and the plan over a whole file.
#include "banking/statement_importer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vertice::banking {
namespace {

namespace json = boost::json;

bank::Money M(std::string_view text) { return *bank::Money::Parse(text); }

bank::Movement Line(std::string date, std::string_view amount, std::string bank_reference, int line) {
  bank::Movement m;
  m.booking_date = std::move(date);
  m.amount = M(amount);
  m.bank_reference = std::move(bank_reference);
  m.description = "SPEI";
  m.line = line;
  return m;
}

bank::Statement Statement(std::string account, std::string currency = "MXN") {
  bank::Statement s;
  s.statement_id = "EC-1";
  s.account = std::move(account);
  s.currency = std::move(currency);
  s.from_date = "2026-03-01";
  s.to_date = "2026-03-31";
  s.opening_balance = M("100.00");
  s.closing_balance = M("150.50");
  s.movements = {Line("2026-03-02", "75.50", "R1", 2), Line("2026-03-03", "-25.00", "R2", 3)};
  return s;
}

const std::vector<BankAccount> kAccounts = {
    {1, "012180001234567891", "", "MXN", "BBVA operativa"},
    {2, "", "NL77 INGB 0574 9087 65", "EUR", "ING euros"},
};

const shared::Actor kActor{"user", "u-7", "t1", "c1", "req-1"};

TEST(ResolveAccountTest, FindsTheAccountByTheClabeTheStatementCarries) {
  auto a = ResolveAccount(kAccounts, nullptr, Statement("0121 8000 1234 5678 91"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ((*a)->id, 1);
}

TEST(ResolveAccountTest, FindsAnIbanWrittenWithItsCurrencyAppended) {
  auto a = ResolveAccount(kAccounts, nullptr, Statement("NL77INGB0574908765EUR", "EUR"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ((*a)->id, 2);
}

TEST(ResolveAccountTest, AStatementThatNamesNoAccountGoesToTheNamedOneOrTheOnlyOne) {
  auto named = ResolveAccount(kAccounts, &kAccounts[1], Statement(""));
  ASSERT_TRUE(named);
  EXPECT_EQ((*named)->id, 2);
  const std::vector<BankAccount> one = {kAccounts[0]};
  auto only = ResolveAccount(one, nullptr, Statement(""));
  ASSERT_TRUE(only);
  EXPECT_EQ((*only)->id, 1);
}

TEST(ResolveAccountTest, AStatementThatNamesNoAccountAmongSeveralIsRefused) {
  auto a = ResolveAccount(kAccounts, nullptr, Statement(""));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::kBusinessRule);
  EXPECT_EQ(a.error().code, "bank.unknown_account");
  EXPECT_NE(a.error().message.find("no identifica la cuenta"), std::string::npos);
}

TEST(ResolveAccountTest, AnUnregisteredAccountIsRefusedNamingIt) {
  auto a = ResolveAccount(kAccounts, nullptr, Statement("999999999999999999"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, "bank.unknown_account");
  EXPECT_NE(a.error().message.find("999999999999999999"), std::string::npos);
}

TEST(ResolveAccountTest, AStatementOfAnotherAccountThanTheNamedOneIsRefused) {
  auto a = ResolveAccount(kAccounts, &kAccounts[0], Statement("NL77INGB0574908765", "EUR"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, "bank.account_mismatch");
  EXPECT_NE(a.error().message.find("BBVA operativa"), std::string::npos);
}

TEST(ResolveAccountTest, AnAccountMatchingSeveralIsRefusedUnlessOneIsNamed) {
  // The CLABE of one account registered as the number of another.
  const std::vector<BankAccount> both = {kAccounts[0], {3, "", "012180001234567891", "MXN", "BBVA nómina"}};
  auto a = ResolveAccount(both, nullptr, Statement("012180001234567891"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::kBusinessRule);
  EXPECT_EQ(a.error().code, "bank.ambiguous_account");
  auto named = ResolveAccount(both, &both[1], Statement("012180001234567891"));
  ASSERT_TRUE(named);
  EXPECT_EQ((*named)->id, 3);
}

TEST(StatementPayloadTest, TheRowsCarryTheStatementAndEachMovementWithItsFingerprint) {
  const auto s = Statement("012180001234567891");
  auto rows = StatementPayload(s, kAccounts[0], {}, "", kActor);
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->statement.at("bank_statement_ref"), "EC-1");
  EXPECT_EQ(rows->statement.at("currency"), "MXN");
  EXPECT_EQ(rows->statement.at("opening_balance"), "100.00");
  EXPECT_EQ(rows->statement.at("closing_balance"), "150.50");
  EXPECT_EQ(rows->statement.at("balance_mismatch"), false);
  EXPECT_FALSE(rows->statement.contains("override_reason"));
  ASSERT_EQ(rows->movements.size(), 2u);
  const auto& first = rows->movements[0].as_object();
  EXPECT_EQ(first.at("amount"), "75.50");
  EXPECT_TRUE(first.at("value_date").is_null());
  EXPECT_EQ(first.at("line"), 2);
  const std::vector<const bank::Movement*> mine = {&s.movements[0], &s.movements[1]};
  EXPECT_EQ(first.at("fingerprint"), json::value(Fingerprints(mine)[0]));
  EXPECT_FALSE(rows->balance_mismatch);
}

TEST(StatementPayloadTest, FingerprintsCountTheSameLineInAnEarlierStatementOfTheFile) {
  const auto a = Statement("012180001234567891");
  auto b = a;
  const std::vector<const bank::Movement*> earlier = {&a.movements[0], &a.movements[1]};
  auto alone = StatementPayload(b, kAccounts[0], {}, "", kActor);
  auto after = StatementPayload(b, kAccounts[0], earlier, "", kActor);
  ASSERT_TRUE(alone && after);
  EXPECT_NE(alone->movements[0].at("fingerprint"), after->movements[0].at("fingerprint"));
}

TEST(StatementPayloadTest, AStatementWithoutCurrencyTakesTheAccountsAndAnotherIsRefused) {
  auto silent = StatementPayload(Statement("x", ""), kAccounts[0], {}, "", kActor);
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->statement.at("currency"), "MXN");
  auto other = StatementPayload(Statement("x", "USD"), kAccounts[0], {}, "", kActor);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "bank.currency_mismatch");
}

TEST(StatementPayloadTest, BalancesThatDoNotAddUpAreRefusedUnlessOverriddenWithAReason) {
  auto s = Statement("x");
  s.closing_balance = M("999.00");
  auto refused = StatementPayload(s, kAccounts[0], {}, "", kActor);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "bank.balance_mismatch");
  auto overridden = StatementPayload(s, kAccounts[0], {}, "el banco corrigió el saldo", kActor);
  ASSERT_TRUE(overridden);
  ASSERT_TRUE(overridden->balance_mismatch);
  EXPECT_EQ(overridden->balance_mismatch->code, "bank.balance_mismatch");
  EXPECT_EQ(overridden->statement.at("balance_mismatch"), true);
  EXPECT_EQ(overridden->statement.at("override_reason"), "el banco corrigió el saldo");
  EXPECT_EQ(overridden->statement.at("override_by"), "user:u-7");
}

TEST(StatementPayloadTest, FiguresTheDatabaseWouldRefuseAreRefused) {
  auto s = Statement("x");
  s.from_date = "2026-02-30";
  auto rows = StatementPayload(s, kAccounts[0], {}, "", kActor);
  ASSERT_FALSE(rows);
}

TEST(PlanImportTest, RefusedStatementsAreReportedAndTheOthersPlanned) {
  bank::ParsedFile file;
  file.statements = {Statement("012180001234567891"), Statement("999999999999999999"),
                     Statement("NL77INGB0574908765", "USD")};
  file.statements[0].skipped = {{9, "importe cero"}};
  auto plan = PlanImport(file, kAccounts, nullptr, "", kActor);
  ASSERT_EQ(plan.statements.size(), 3u);
  ASSERT_EQ(plan.to_store.size(), 1u);
  EXPECT_EQ(plan.to_store[0].report, 0u);
  EXPECT_EQ(plan.to_store[0].account_id, 1);
  EXPECT_FALSE(plan.statements[0].error);
  EXPECT_EQ(plan.statements[0].account_id, 1);
  EXPECT_EQ(plan.statements[0].rejected_lines, 1);  // the skipped line
  ASSERT_TRUE(plan.statements[1].error);
  EXPECT_EQ(plan.statements[1].error->code, "bank.unknown_account");
  EXPECT_FALSE(plan.statements[1].account_id);
  EXPECT_EQ(plan.statements[1].rejected_lines, 2);
  ASSERT_TRUE(plan.statements[2].error);
  EXPECT_EQ(plan.statements[2].error->code, "bank.currency_mismatch");
  EXPECT_EQ(plan.statements[2].account_id, 2);  // found, then refused
  EXPECT_EQ(plan.statements[2].currency, "USD");
}

TEST(PlanImportTest, TwoStatementsOfOneAccountInOneFileGetDistinctFingerprints) {
  bank::ParsedFile file;
  file.statements = {Statement("012180001234567891"), Statement("012180001234567891")};
  auto plan = PlanImport(file, kAccounts, nullptr, "", kActor);
  ASSERT_EQ(plan.to_store.size(), 2u);
  EXPECT_NE(plan.to_store[0].rows.movements[0].at("fingerprint"), plan.to_store[1].rows.movements[0].at("fingerprint"));
}

TEST(PlanImportTest, AFileWhoseEveryStatementIsRefusedPlansNothing) {
  bank::ParsedFile file;
  file.statements = {Statement("999999999999999999")};
  auto plan = PlanImport(file, kAccounts, nullptr, "", kActor);
  EXPECT_TRUE(plan.to_store.empty());
  ASSERT_EQ(plan.statements.size(), 1u);
  EXPECT_TRUE(plan.statements[0].error);
}

}  // namespace
}  // namespace vertice::banking
