// Every statement fixture (tests/fixtures/bank/MANIFEST.md) parsed with its movement count and
// balances; malformed files refused with a clear error; the CSV profile mechanism.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <numeric>
#include <sstream>

#include "bank/parse.hpp"

namespace vertice::bank {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(VERTICE_FIXTURES_DIR) + "/bank/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t MovementCount(const ParsedFile& f) {
  size_t n = 0;
  for (const auto& s : f.statements) n += s.movements.size() + s.skipped.size();
  return n;
}

std::string Opt(const std::optional<Money>& m) { return m ? m->ToString() : "none"; }

struct Expected {
  std::string file;
  Format format;
  size_t statements;
  size_t movements;
  std::string opening;   // first statement's
  std::string closing;   // last statement's
  bool balanced = true;  // some third-party fixtures do not add up: the check must say so
};

class FixtureTest : public ::testing::TestWithParam<Expected> {};

TEST_P(FixtureTest, ParsesCountsAndBalances) {
  const auto& e = GetParam();
  auto bytes = Fixture(e.file);
  ASSERT_FALSE(bytes.empty()) << e.file;
  EXPECT_EQ(DetectFormat(bytes), e.format) << e.file;
  ParseOptions opts;
  auto parsed = ParseStatementFile(bytes, opts);
  ASSERT_TRUE(parsed) << e.file << ": " << parsed.error().message;
  EXPECT_EQ(parsed->format, e.format);
  EXPECT_EQ(parsed->statements.size(), e.statements) << e.file;
  EXPECT_EQ(MovementCount(*parsed), e.movements) << e.file;
  EXPECT_EQ(Opt(parsed->statements.front().opening_balance), e.opening) << e.file;
  EXPECT_EQ(Opt(parsed->statements.back().closing_balance), e.closing) << e.file;
  bool all_balanced = true;
  for (const auto& s : parsed->statements) {
    all_balanced = all_balanced && CheckBalances(s).has_value();
    for (const auto& m : s.movements) {
      EXPECT_EQ(m.booking_date.size(), 10u) << e.file << " line " << m.line;
      EXPECT_FALSE(m.amount.IsZero()) << e.file << " line " << m.line;
    }
  }
  EXPECT_EQ(all_balanced, e.balanced) << e.file;
}

INSTANTIATE_TEST_SUITE_P(
    Manifest, FixtureTest,
    ::testing::Values(Expected{"camt053_oca_test.xml", Format::kCamt053, 1, 3, "15568.27", "15121.12", false},
                      Expected{"camt053_oca_txdtls.xml", Format::kCamt053, 1, 1, "75960.15", "79443.15"},
                      Expected{"mt940_oca_ing.940", Format::kMt940, 1, 8, "662.23", "564.35"},
                      Expected{"mt940_oca_rabo.swi", Format::kMt940, 4, 2, "4433.52", "4798.91"},
                      Expected{"mt940_oca_sns.940", Format::kMt940, 3, 8, "3026.96", "none"},
                      Expected{"mt940_jejik_abnamro.sta", Format::kMt940, 2, 10, "3236.28", "1849.75", false},
                      Expected{"mt940_jejik_ing.sta", Format::kMt940, 1, 7, "0.00", "3.47", false},
                      Expected{"mt940_jejik_generic.sta", Format::kMt940, 2, 2, "100.00", "80.00"},
                      Expected{"mt940_cmxl.sta", Format::kMt940, 3, 16, "84349.74", "50040.00"},
                      Expected{"mt940_selfprovided_february_30.sta", Format::kMt940, 1, 1, "1200.00", "1194.00"},
                      Expected{"ofx_oca_test.ofx", Format::kOfx, 2, 4, "none", "-562.00"},
                      Expected{"ofx_ofxparse_bank_medium.ofx", Format::kOfx, 1, 3, "none", "382.34"},
                      Expected{"ofx_ofxparse_checking.ofx", Format::kOfx, 1, 3, "none", "100.99"},
                      Expected{"ofx_ofxparse_suncorp.ofx", Format::kOfx, 1, 1, "none", "1234.12"},
                      Expected{"ofx_ofxparse_v102_empty_tags.ofx", Format::kOfx, 1, 1, "none", "none"},
                      Expected{"csv_oca_sample_statement_en.csv", Format::kCsv, 1, 2, "none", "none"},
                      Expected{"csv_oca_balance.csv", Format::kCsv, 1, 2, "10.00", "1510.00"},
                      Expected{"csv_oca_debit_credit.csv", Format::kCsv, 1, 2, "10.00", "1510.00"},
                      Expected{"csv_oca_original_currency.csv", Format::kCsv, 1, 1, "none", "none"}),
    [](const ::testing::TestParamInfo<Expected>& param_info) {
      std::string n = param_info.param.file;
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

TEST(CamtTest, ReadsAmountsSignsReferencesAndParties) {
  auto parsed = ParseCamt(Fixture("camt053_oca_test.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& s = parsed->statements.front();
  EXPECT_EQ(s.statement_id, "1234Test/1");
  EXPECT_EQ(s.account, "NL77ABNA0574908765");
  EXPECT_EQ(s.currency, "EUR");
  EXPECT_EQ(s.from_date, "2014-01-05");
  EXPECT_EQ(s.movements.front().amount.ToString(), "-754.25");
  EXPECT_EQ(s.movements.front().booking_date, "2014-01-05");
  EXPECT_EQ(parsed->variant, "camt.053.001.02");
}

TEST(CamtTest, RefusesCamt054WithAClearMessage) {
  auto parsed = ParseStatementFile(Fixture("camt054_oca_test.xml"), {});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.camt054_not_a_statement");
}

TEST(CamtTest, TruncatedFileIsRefused) {
  auto bytes = Fixture("camt053_oca_test.xml");
  auto parsed = ParseStatementFile(bytes.substr(0, bytes.size() / 2), {});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.camt_malformed");
}

TEST(CamtTest, WrongClosingBalanceFailsTheBalanceCheckWithTheFigures) {
  auto bytes = Fixture("camt053_oca_test.xml");
  auto at = bytes.find("15121.12");
  bytes.replace(at, 8, "15121.13");
  auto parsed = ParseCamt(bytes);
  ASSERT_TRUE(parsed);
  auto check = CheckBalances(parsed->statements.front());
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, "bank.balance_mismatch");
  // The fixture itself does not add up (15568.27 − 12.99 ≠ 15121.12); the figures say so.
  EXPECT_NE(check.error().message.find("15555.28"), std::string::npos) << check.error().message;
  EXPECT_EQ(check.error().details.at("closing_balance").as_string(), "15121.13");
}

// Every format refuses the lines the database would refuse the same way: skipped, with why.
TEST(LineCheckTest, EveryFormatSkipsWhatTheDatabaseWouldRefuseNamingTheLine) {
  Movement ok;
  ok.booking_date = "2024-01-02";
  ok.amount = *Money::Parse("10.00");
  EXPECT_FALSE(LineProblem(ok));
  auto with = [&](auto change) {
    Movement m = ok;
    change(m);
    return LineProblem(m).value_or("");
  };
  EXPECT_EQ(with([](Movement& m) { m.amount = Money{}; }), "importe cero");
  EXPECT_NE(with([](Movement& m) { m.amount = *Money::Parse("10000000000000000.00"); }).find("fuera de rango"),
            std::string::npos);
  EXPECT_NE(with([](Movement& m) { m.booking_date = "0000-01-01"; }), "");
  EXPECT_NE(with([](Movement& m) { m.value_date = "2024-02-30"; }), "");
  EXPECT_NE(with([](Movement& m) { m.description = "a\xFF"; }), "");
  EXPECT_NE(with([](Movement& m) { m.reference = std::string("a\0b", 3); }), "");

  // CAMT.053 had no check of its own: a 0.00 entry reached the database (SQLSTATE 23514).
  auto camt = Fixture("camt053_oca_test.xml");
  const std::string entry_amount = "<Amt Ccy=\"EUR\">754.25</Amt>";
  auto at = camt.find(entry_amount);
  ASSERT_NE(at, std::string::npos);
  camt.replace(at, entry_amount.size(), "<Amt Ccy=\"EUR\">0.00</Amt>");
  auto parsed = ParseStatementFile(camt, {});
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& s = parsed->statements.front();
  ASSERT_EQ(s.skipped.size(), 1u);
  EXPECT_EQ(s.skipped.front().line, 1);
  EXPECT_EQ(s.skipped.front().reason, "importe cero");
  EXPECT_EQ(s.movements.size(), 2u);
  for (const auto& m : s.movements) EXPECT_FALSE(m.amount.IsZero());
}

TEST(LineCheckTest, StatementFiguresBeyondTheColumnsAreRefused) {
  Statement s;
  Movement m;
  m.booking_date = "2024-01-02";
  m.amount = *Money::Parse("9999999999999999.99");
  s.movements = {m, m};
  EXPECT_EQ(CheckStorable(s).error().code, "bank.statement_out_of_range");  // the total
  s.movements = {m};
  EXPECT_TRUE(CheckStorable(s));
  s.opening_balance = *Money::Parse("-10000000000000000.00");
  EXPECT_NE(boost::json::serialize(CheckStorable(s).error().details).find("opening_balance"), std::string::npos);
}

TEST(Mt940Test, ReadsStructuredDetailsReversalsAndImpossibleDates) {
  auto ing = ParseMt940(Fixture("mt940_oca_ing.940"));
  ASSERT_TRUE(ing) << ing.error().message;
  const auto& first = ing->statements.front().movements.front();
  EXPECT_EQ(first.amount.ToString(), "1.56");
  EXPECT_EQ(first.booking_date, "2014-02-20");
  EXPECT_EQ(first.reference, "EV12341REP1231456T1234");
  EXPECT_EQ(ing->statements.front().account, "NL77INGB0574908765EUR");
  auto feb = ParseMt940(Fixture("mt940_selfprovided_february_30.sta"));
  ASSERT_TRUE(feb);
  const auto& m = feb->statements.front().movements.front();
  EXPECT_EQ(m.value_date, "2016-02-29");  // 30 February, clamped
  EXPECT_EQ(m.booking_date, "2016-03-01");
  EXPECT_EQ(m.amount.ToString(), "-6.00");  // "DR": debit with funds code R
  auto cmxl = ParseMt940(Fixture("mt940_cmxl.sta"));
  ASSERT_TRUE(cmxl);
  EXPECT_EQ(cmxl->statements.front().currency, "DEM");
  EXPECT_EQ(cmxl->statements.back().currency, "PLN");
}

TEST(Mt940Test, TruncatedStatementIsRefused) {
  auto bytes = Fixture("mt940_jejik_generic.sta");
  auto parsed = ParseMt940(bytes.substr(0, bytes.find(":62F:")));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.mt940_malformed");
}

TEST(OfxTest, SgmlAndXmlReadTheSame) {
  auto sgml = ParseOfx(Fixture("ofx_ofxparse_checking.ofx"));
  ASSERT_TRUE(sgml) << sgml.error().message;
  EXPECT_EQ(sgml->variant, "OFX 1.x (SGML)");
  EXPECT_EQ(sgml->statements.front().currency, "USD");
  auto xml = ParseOfx(Fixture("ofx_oca_test.ofx"));
  ASSERT_TRUE(xml);
  EXPECT_EQ(xml->variant, "OFX 2.x (XML)");
  EXPECT_EQ(xml->statements.front().movements.front().bank_reference, "219378");
  EXPECT_EQ(xml->statements.front().movements.front().counterparty_name, "Agrolait");
  EXPECT_EQ(xml->statements.front().movements.front().amount.ToString(), "-80.00");
}

TEST(OfxTest, BrokenFileIsRefused) {
  auto parsed = ParseStatementFile(Fixture("ofx_oca_wrong.ofx"), {});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.ofx_malformed");
}

TEST(CsvTest, ReconDevGenericProfile) {
  std::string csv =
      "id,date,description,reference,amount,balance\n"
      "c1-20240102-00001,2024-01-02,\"DEPOSITO VENTAS TPV AFIL 8438875\",,32317.47,807048.93\n"
      "c1-20240102-00002,2024-01-02,\"DOMICILIACION SEGURO, FLOTILLA\",,-6351.26,800697.67\n"
      "c1-20240103-00003,2024-01-03,\"SPEI RECIBIDO\",7654224,362386.86,1163084.53\n";
  auto parsed = ParseStatementFile(csv, {});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->variant, "generic");
  const auto& s = parsed->statements.front();
  ASSERT_EQ(s.movements.size(), 3u);
  EXPECT_EQ(s.opening_balance->ToString(), "774731.46");
  EXPECT_EQ(s.closing_balance->ToString(), "1163084.53");
  EXPECT_EQ(s.movements[1].description, "DOMICILIACION SEGURO, FLOTILLA");
  EXPECT_EQ(s.movements[2].reference, "7654224");
  EXPECT_EQ(s.movements[2].bank_reference, "c1-20240103-00003");
  EXPECT_EQ(s.from_date, "2024-01-02");
  EXPECT_EQ(s.to_date, "2024-01-03");
}

TEST(CsvTest, BbvaLatin1NewestFirstWithCargoAbono) {
  // BBVA México's web export: Latin-1, dd/mm/yyyy, newest first, cargo negative.
  std::string csv =
      "FECHA,DESCRIPCI\xD3N,CARGO,ABONO,SALDO\n"
      "03/01/2024,PAGO CUENTA DE TERCERO / 0041782016 BNET 0113831760 COMPA\xD1\xCD\x41,\"-2,500.00\",,\"7,500.00\"\n"
      "02/01/2024,SPEI RECIBIDO BANORTE,,\"10,000.00\",\"10,000.00\"\n";
  auto parsed = ParseStatementFile(csv, {});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->variant, "bbva-mx");
  const auto& s = parsed->statements.front();
  EXPECT_EQ(s.movements[0].amount.ToString(), "-2500.00");
  EXPECT_EQ(s.movements[0].booking_date, "2024-01-03");
  EXPECT_NE(s.movements[0].description.find("COMPAÑÍA"), std::string::npos) << s.movements[0].description;
  EXPECT_EQ(s.opening_balance->ToString(), "0.00");
  EXPECT_EQ(s.closing_balance->ToString(), "7500.00");
}

TEST(CsvTest, RunningBalanceThatDoesNotAddUpIsRefusedWithTheLine) {
  std::string csv =
      "id,date,description,reference,amount,balance\n"
      "a,2024-01-02,X,,100.00,100.00\n"
      "b,2024-01-03,Y,,50.00,149.00\n";
  auto parsed = ParseStatementFile(csv, {});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.balance_mismatch");
  EXPECT_NE(parsed.error().message.find("Línea 3"), std::string::npos) << parsed.error().message;
}

TEST(CsvTest, BadLinesRejectTheWholeFileListingEachLine) {
  std::string csv =
      "id,date,description,reference,amount,balance\n"
      "a,2024-02-30,X,,100.00,\n"
      "b,2024-01-03,Y,,12.345,\n"
      "c,2024-01-03,Z,,abc,\n";
  auto parsed = ParseStatementFile(csv, {});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("Línea 2"), std::string::npos) << parsed.error().message;
  const auto details = boost::json::serialize(parsed.error().details);
  EXPECT_NE(details.find("Línea 3"), std::string::npos);
  EXPECT_NE(details.find("Línea 4"), std::string::npos);
}

TEST(CsvTest, UserProfileWithSkippedRowsSemicolonsAndDecimalComma) {
  CsvProfile p;
  p.name = "banco-ejemplo";
  p.skip_rows = 2;
  p.delimiter = ';';
  p.encoding = CsvEncoding::kUtf8;
  p.date_format = "%d.%m.%Y";
  p.decimal_separator = ',';
  p.thousands_separator = '.';
  p.date = {"Buchung"};
  p.amount = {"#3"};
  p.description = {"Text"};
  std::string csv =
      "Kontoauszug 42\n"
      "IBAN DE00\n"
      "Buchung;Text;Betrag\n"
      "31.01.2024;Miete;-1.234,56\n";
  ParseOptions opts;
  opts.format = Format::kCsv;
  opts.profile = &p;
  auto parsed = ParseStatementFile(csv, opts);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& m = parsed->statements.front().movements.front();
  EXPECT_EQ(m.amount.ToString(), "-1234.56");
  EXPECT_EQ(m.booking_date, "2024-01-31");
  EXPECT_EQ(m.line, 4);
}

TEST(CsvTest, WrongEncodingForAUtf8ProfileIsRefused) {
  CsvProfile p = BuiltinCsvProfiles().front();  // generic: UTF-8
  std::string csv = "id,date,description,reference,amount,balance\na,2024-01-02,DEP\xD3SITO,,1.00,\n";
  ParseOptions opts;
  opts.profile = &p;
  opts.format = Format::kCsv;
  auto parsed = ParseStatementFile(csv, opts);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.wrong_encoding");
}

TEST(CsvTest, UnknownLayoutNamesTheProfiles) {
  auto parsed = ParseStatementFile("foo,bar\n1,2\n", {});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "bank.unknown_csv_layout");
  EXPECT_NE(parsed.error().message.find("bbva-mx"), std::string::npos);
}

TEST(AmountTest, NationalFormats) {
  EXPECT_EQ(ParseAmount("1,525.00", '.', ',')->ToString(), "1525.00");
  EXPECT_EQ(ParseAmount("-1.234,56", ',', '.')->ToString(), "-1234.56");
  EXPECT_EQ(ParseAmount("9,", ',', 0)->ToString(), "9.00");
  EXPECT_EQ(ParseAmount("000000004433,52", ',', 0)->ToString(), "4433.52");
  EXPECT_EQ(ParseAmount("(33.50)", '.', ',')->ToString(), "-33.50");
  EXPECT_EQ(ParseAmount("33.50-", '.', ',')->ToString(), "-33.50");
  EXPECT_EQ(ParseAmount("$ 1,000", '.', ',')->ToString(), "1000.00");
  EXPECT_EQ(ParseAmount("12.5000", '.', 0)->ToString(), "12.50");
  EXPECT_FALSE(ParseAmount("12.345", '.', 0));
  EXPECT_FALSE(ParseAmount("1e3", '.', 0));
  EXPECT_FALSE(ParseAmount("", '.', 0));
  EXPECT_FALSE(ParseAmount("1.000,00", '.', ','));
}

TEST(DateTest, Patterns) {
  EXPECT_EQ(*ParseDate("02/01/2024", "%d/%m/%Y"), "2024-01-02");
  EXPECT_EQ(*ParseDate("12/15/2018", "%m/%d/%Y"), "2018-12-15");
  EXPECT_EQ(*ParseDate("05-ENE-2024", "%d-%b-%Y"), "2024-01-05");
  EXPECT_EQ(*ParseDate("2024-01-05T10:00:00", "%Y-%m-%d"), "2024-01-05");
  EXPECT_FALSE(ParseDate("2023-02-29", "%Y-%m-%d"));
  EXPECT_FALSE(ParseDate("15/12/2018", "%m/%d/%Y"));
}

}  // namespace
}  // namespace vertice::bank
