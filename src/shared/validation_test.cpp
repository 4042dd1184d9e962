#include "shared/validation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "shared/tax.hpp"

namespace vertice::shared {

TEST(ValidationTest, RfcCheckDigitsOfRealTaxpayersVerify) {
  // Emisores and receptores of real and SAT test CFDI in shared/fixtures/cfdi.
  for (const char* rfc : {"ACO560518KW7", "ACR9904159R0", "AEL820331SD7", "CACS7509034B1", "CTO021007DZ8",
                          "EKU9003173C9", "GNP9211244P0", "H&E951128469", "XIA190128J61", "GODE561231GR8"}) {
    EXPECT_EQ(CheckRfc(rfc), RfcStatus::kValid) << rfc;
  }
  EXPECT_EQ(RfcCheckDigit("EKU9003173C"), '9');
  EXPECT_EQ(RfcCheckDigit("CACS7509034B"), '1');
}

TEST(ValidationTest, RfcWithAWrongDigitIsReportedSoCallersCanWarn) {
  EXPECT_EQ(CheckRfc("AAA010101AAA"), RfcStatus::kDigitMismatch);  // SAT's test RFC
  EXPECT_EQ(CheckRfc("EKU9003173C8"), RfcStatus::kDigitMismatch);
}

TEST(ValidationTest, GenericAndMalformedRfcs) {
  EXPECT_EQ(CheckRfc("XAXX010101000"), RfcStatus::kValid);
  EXPECT_EQ(CheckRfc("XEXX010101000"), RfcStatus::kValid);
  EXPECT_EQ(CheckRfc("EKU9013173C9"), RfcStatus::kInvalid);  // month 13
  EXPECT_EQ(CheckRfc("EKU9002303C9"), RfcStatus::kInvalid);  // 30 February
  EXPECT_EQ(CheckRfc("eku9003173c9"), RfcStatus::kInvalid);
  EXPECT_EQ(CheckRfc("EKU9003173C"), RfcStatus::kInvalid);
  EXPECT_EQ(CheckRfc("EKU-9003173C9"), RfcStatus::kInvalid);
  EXPECT_NE(CheckRfc("ÑAN920101AB3"), RfcStatus::kInvalid);  // Ñ is a letter of RFCs
}

TEST(ValidationTest, ClabeCheckDigitAndBank) {
  EXPECT_TRUE(IsValidClabe("002010077777777771"));
  EXPECT_TRUE(IsValidClabe("012180001234567899"));
  EXPECT_FALSE(IsValidClabe("012180001234567890"));  // wrong check digit
  EXPECT_FALSE(IsValidClabe("01218000123456789"));   // 17 digits
  EXPECT_FALSE(IsValidClabe("01218000123456789X"));
  EXPECT_EQ(ClabeBankName("012180001234567899"), "BBVA México");
  EXPECT_FALSE(ClabeBankName("999180001234567897"));
}

TEST(ValidationTest, IdentifiersCodesAndDates) {
  EXPECT_TRUE(IsValidCfdiUuid("5FB2822E-396D-4725-8521-CDC4BDD20CCF"));
  EXPECT_FALSE(IsValidCfdiUuid("5FB2822E396D47258521CDC4BDD20CCF"));
  EXPECT_TRUE(IsIso4217("MXN"));
  EXPECT_TRUE(IsIso4217("USD"));
  EXPECT_FALSE(IsIso4217("mxn"));
  EXPECT_FALSE(IsIso4217("PESOS"));
  EXPECT_TRUE(IsValidPostalCode("06600"));
  EXPECT_FALSE(IsValidPostalCode("00999"));
  EXPECT_FALSE(IsValidPostalCode("6600"));
  EXPECT_TRUE(IsIsoDate("2024-02-29"));
  EXPECT_FALSE(IsIsoDate("2023-02-29"));
  EXPECT_FALSE(IsIsoDate("2026-13-01"));
  EXPECT_FALSE(IsIsoDate("27/11/2026"));
  EXPECT_TRUE(IsIsoTimestamp("2026-11-27T14:30:00Z"));
  EXPECT_TRUE(IsIsoTimestamp("2026-11-27T14:30:00.123-06:00"));
  EXPECT_FALSE(IsIsoTimestamp("2026-11-27T14:30:00"));  // no zone: ambiguous
  EXPECT_FALSE(IsIsoTimestamp("2026-11-27 14:30:00Z"));
  EXPECT_FALSE(IsIsoTimestamp("2026-11-27T25:00:00Z"));
}

// The seed's case 2: if validate_positive_amount starts accepting negatives, this fails.
TEST(ValidationTest, PositiveAmountRejectsNegativeAndZero) {
  EXPECT_FALSE(IsPositiveAmount(*Money::Parse("-1000.00")));
  EXPECT_FALSE(IsPositiveAmount(*Money::Parse("-0.01")));
  EXPECT_FALSE(IsPositiveAmount(*Money::Parse("0.00")));
  EXPECT_TRUE(IsPositiveAmount(*Money::Parse("0.01")));
  EXPECT_TRUE(IsNonNegativeAmount(*Money::Parse("0.00")));
  EXPECT_FALSE(IsNonNegativeAmount(*Money::Parse("-0.01")));
}

TEST(ValidationTest, MoneyFieldsCollectEveryProblem) {
  FieldErrors errors;
  EXPECT_FALSE(MoneyField(errors, "monto", std::string("-5.00"), true));
  EXPECT_FALSE(MoneyField(errors, "anticipo", std::string("1,000"), false));
  EXPECT_EQ(MoneyField(errors, "propina", std::string("10.5"), false)->ToString(), "10.50");
  EXPECT_FALSE(MoneyField(errors, "nada", std::nullopt, true));
  auto st = errors.ToStatus();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::kInvalidInput);
  const auto details = boost::json::serialize(st.error().details);
  EXPECT_NE(details.find("\"monto\""), std::string::npos);
  EXPECT_NE(details.find("\"anticipo\""), std::string::npos);
  EXPECT_EQ(details.find("propina"), std::string::npos);
}

TEST(TaxTest, IvaPerLineThenSummed) {
  // Three lines of 0.53: IVA 0.0848 → 0.08 each, so 0.24 — not round(1.59 × 0.16) = 0.25.
  std::vector<InvoiceLine> lines(
      3, InvoiceLine{*Money::Parse("0.53"), {}, {{"002", TaxFactor::kTasa, TaxRates::Iva16()}}});
  auto t = *ComputeTotals(lines);
  EXPECT_EQ(t.subtotal.ToString(), "1.59");
  EXPECT_EQ(t.transferred.ToString(), "0.24");
  EXPECT_EQ(t.total.ToString(), "1.83");
}

TEST(TaxTest, ServicesWithIsrAndIvaWithholdings) {
  // Honorarios: 10,000 + IVA 16 % − ISR 10 % − IVA retenido 10.6667 %.
  InvoiceLine line{*Money::Parse("10000.00"),
                   {},
                   {{"002", TaxFactor::kTasa, TaxRates::Iva16()},
                    {"001", TaxFactor::kTasa, TaxRates::IsrRetention10(), true},
                    {"002", TaxFactor::kTasa, TaxRates::IvaRetentionTwoThirds(), true}}};
  auto t = *ComputeTotals({line});
  EXPECT_EQ(t.transferred.ToString(), "1600.00");
  EXPECT_EQ(t.withheld.ToString(), "2066.67");
  EXPECT_EQ(t.total.ToString(), "9533.33");
}

TEST(TaxTest, DiscountsExentoAndZeroRate) {
  InvoiceLine discounted{
      *Money::Parse("1000.00"), *Money::Parse("100.00"), {{"002", TaxFactor::kTasa, TaxRates::Iva8()}}};
  InvoiceLine exento{*Money::Parse("500.00"), {}, {{"002", TaxFactor::kExento, Rate{}}}};
  InvoiceLine zero{*Money::Parse("200.00"), {}, {{"002", TaxFactor::kTasa, TaxRates::Iva0()}}};
  auto t = *ComputeTotals({discounted, exento, zero});
  EXPECT_EQ(t.subtotal.ToString(), "1700.00");
  EXPECT_EQ(t.discount.ToString(), "100.00");
  EXPECT_EQ(t.transferred.ToString(), "72.00");
  EXPECT_EQ(t.total.ToString(), "1672.00");
}

}  // namespace vertice::shared

namespace vertice::shared {

TEST(ValidationTest, CheckDigitTableCoversAmpersandAndEnye) {
  EXPECT_EQ(CheckRfc("H&E951128469"), RfcStatus::kValid);
  auto digit = RfcCheckDigit("ÑAN920101AB");
  ASSERT_TRUE(digit);
  EXPECT_EQ(CheckRfc(std::string("ÑAN920101AB") + *digit), RfcStatus::kValid);
  EXPECT_FALSE(RfcCheckDigit("EKU900317"));  // too short to have a digit
}

TEST(ValidationTest, FieldErrorsAreEscapedJson) {
  FieldErrors errors;
  errors.Add("nota\"\n", "invalid_field", "tiene \"comillas\"");
  auto st = errors.ToStatus();
  ASSERT_FALSE(st);
  const auto details = boost::json::serialize(st.error().details);
  EXPECT_NE(details.find(R"("field":"nota\"\n")"), std::string::npos) << details;
  EXPECT_TRUE(FieldErrors{}.ToStatus());
}

}  // namespace vertice::shared
