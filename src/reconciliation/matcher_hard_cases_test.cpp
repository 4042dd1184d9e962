// The matcher's hard cases (issue 21): a USD invoice paid in pesos at the day's rate, with or
// without a wire fee the bank deducted; a credit note netted inside a payment; a third party
// paying with the invoice's folio; installments. Each case is matched with the reasons shown to
// the user, and a near miss of each is not settled automatically.
#include <gtest/gtest.h>

#include "reconciliation/matcher.hpp"

namespace vertice::reconciliation {
namespace {

Money M(const char* s) { return *Money::Parse(s); }

Document Invoice(int64_t id, const char* folio, const char* total, const char* rfc, const char* name,
                 const char* date = "2024-03-01") {
  Document d;
  d.id = id;
  d.uuid = "BBBBBBBB-0000-4000-8000-" + std::string(12 - std::to_string(id).size(), '0') + std::to_string(id);
  d.serie = "A";
  d.folio = folio;
  d.date = date;
  d.counterparty_rfc = rfc;
  d.counterparty_name = name;
  d.metodo_pago = "PPD";
  d.total = d.open = M(total);
  return d;
}

Document Usd(int64_t id, const char* folio, const char* total) {
  auto d = Invoice(id, folio, total, "IMP010101AAA", "IMPORTADORA DEL PACIFICO SA DE CV");
  d.currency = "USD";
  return d;
}

Document CreditNote(int64_t id, const char* folio, const char* total, const Document& credited) {
  auto d = Invoice(id, folio, total, credited.counterparty_rfc.c_str(), credited.counterparty_name.c_str());
  d.serie = "NC";
  d.tipo = 'E';
  d.related_uuids = {credited.uuid};
  return d;
}

BankLine Deposit(int64_t id, const char* amount, const char* text, const char* date = "2024-03-05") {
  return {id, date, M(amount), text, "", "", ""};
}

const std::vector<FxPoint> kFix = {{"2024-03-04", 17.60}};

// ---- USD invoices paid in pesos, and the wire fee the payer's bank deducted.

TEST(FxRateTest, APesoAmountIsAFourDecimalRateConversionOrNot) {
  EXPECT_EQ(FourDecimalRate(5714773, M("3236.75"))->ToString(), "17.6559");
  EXPECT_FALSE(FourDecimalRate(5714774, M("3236.75")));  // 32 centavos per rate step: no rate gives it
  // Every fee of the grid (and none) is tried; only 250 + 40 IVA makes 37,157.19 a conversion of
  // 2,134.57 USD at a four-decimal rate within the band.
  auto fits = ExplainFx(3715719, M("2134.57"), 17.60, -0.045, 0.025);
  ASSERT_EQ(fits.size(), 1u);
  ASSERT_TRUE(fits[0].fee);
  EXPECT_EQ(fits[0].fee->fee.ToString(), "250.00");
  EXPECT_EQ(fits[0].fee->iva.ToString(), "40.00");
  EXPECT_EQ(fits[0].rate.ToString(), "17.5432");
}

TEST(MatcherHardCasesTest, AUsdInvoicePaidInPesosAtTheDaysRateSettlesWithTheRateShown) {
  Matcher m({Usd(1, "3775", "21015.37")}, {}, kFix, {}, {});
  auto d = m.Run({Deposit(10, "368027.46", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO FAC 3775")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  // One explanation, the rate 17.5123 and no fee; a rate step moves the pesos by 2.10, so
  // another fee fitting by chance would be rare: automatic.
  EXPECT_TRUE(d[0].automatic) << d[0].score;
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "368027.46");
  EXPECT_EQ(d[0].lines[0].doc_amount.ToString(), "21015.37");
  EXPECT_TRUE(d[0].bank_fee.IsZero());
  ASSERT_TRUE(d[0].HasReason("fx_rate"));
  for (const auto& r : d[0].reasons)
    if (r.code == "fx_rate") {
      EXPECT_NE(r.text.find("17.5123"), std::string::npos) << r.text;
    }
  EXPECT_TRUE(m.OpenOf(1).IsZero());
  // A smaller invoice, one explanation too (17.6559, no fee), but a rate step is 32 centavos:
  // a fee fitting by chance is no longer rare, so the pesos are proposed.
  Matcher m2({Usd(1, "3775", "3236.75")}, {}, kFix, {}, {});
  auto d2 = m2.Run({Deposit(10, "57147.73", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO FAC 3775")});
  ASSERT_EQ(d2[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d2[0].lines[0].amount.ToString(), "57147.73");
  EXPECT_FALSE(d2[0].automatic);
}

TEST(MatcherHardCasesTest, ARateOutsideTheSpreadBandIsNoMatch) {
  // 3,236.75 USD at 19.3600 (10 % over the day's 17.60): no bank converts at that rate.
  Matcher m({Usd(1, "3775", "3236.75")}, {}, kFix, {}, {});
  auto d = m.Run({Deposit(10, "62663.48", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO")});
  EXPECT_FALSE(d[0].kind == Decision::Kind::kMatch && d[0].automatic);
  EXPECT_FALSE(d[0].HasReason("fx_rate"));
}

TEST(MatcherHardCasesTest, ADepositShortByAWireFeeAndItsIvaIsProposedWithTheFee) {
  Matcher m({Usd(1, "2965", "2134.57")}, {}, kFix, {}, {});
  auto d = m.Run({Deposit(10, "37157.19", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO FACT A2965")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "37447.19");  // the pesos applied: deposit + fee + IVA
  EXPECT_EQ(d[0].bank_fee.ToString(), "-250.00");
  EXPECT_EQ(d[0].bank_fee_iva.ToString(), "-40.00");
  EXPECT_TRUE(d[0].HasReason("fee_deducted"));
  // A fee found by arithmetic alone is a proposal: a person confirms it.
  EXPECT_FALSE(d[0].automatic);
}

TEST(MatcherHardCasesTest, AShortfallNoFeeExplainsIsNotSettledAutomatically) {
  // 37,447.19 − 77.78: no fee of the grid with its IVA makes it a four-decimal rate's conversion.
  Matcher m({Usd(1, "2965", "2134.57")}, {}, kFix, {}, {});
  auto d = m.Run({Deposit(10, "37369.41", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO FACT A2965")});
  EXPECT_FALSE(d[0].automatic);
  EXPECT_FALSE(d[0].HasReason("fee_deducted"));
}

TEST(MatcherHardCasesTest, AUsdInstallmentStatedByItsComplementSettlesThatPart) {
  // Parcialidad 1 of 3: the complement says 1,000.00 USD, 17,600.00 pesos, paid that day.
  Matcher m({Usd(1, "4388", "3000.00")}, {{1, "2024-03-05", M("17600.00"), M("1000.00")}}, kFix, {}, {});
  auto d = m.Run({Deposit(10, "17600.00", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_TRUE(d[0].automatic) << d[0].score;
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "17600.00");
  EXPECT_EQ(d[0].lines[0].doc_amount.ToString(), "1000.00");
  EXPECT_TRUE(d[0].HasReason("installment_complement"));
  EXPECT_EQ(m.OpenOf(1).ToString(), "2000.00");
  // The complement states 17,774.00: the payer's bank deducted 150.00 + 24.00 IVA on the way.
  Matcher m2({Usd(1, "4388", "3000.00")}, {{1, "2024-03-05", M("17774.00"), M("1000.00")}}, kFix, {}, {});
  auto d2 = m2.Run({Deposit(10, "17600.00", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO")});
  ASSERT_EQ(d2[0].kind, Decision::Kind::kMatch);
  EXPECT_TRUE(d2[0].automatic) << d2[0].score;
  EXPECT_EQ(d2[0].lines[0].amount.ToString(), "17774.00");
  EXPECT_EQ(d2[0].bank_fee.ToString(), "-150.00");
  EXPECT_EQ(d2[0].bank_fee_iva.ToString(), "-24.00");
  EXPECT_TRUE(d2[0].HasReason("fee_deducted"));
}

// ---- A credit note netted inside the payment.

TEST(MatcherHardCasesTest, AUsdInvoiceNetOfItsUsdCreditNoteIsConvertedAtOneRate) {
  auto inv = Usd(1, "3735", "858.93");
  auto note = CreditNote(2, "5259", "42.95", inv);
  note.currency = "USD";
  // 858.93 and 42.95 USD at 16.1518: 13,873.35 − 693.72 = 13,179.63 pesos.
  const std::vector<FxPoint> fix = {{"2024-03-04", 16.20}};
  Matcher m({inv, note}, {}, fix, {}, {});
  auto d = m.Run({Deposit(10, "13179.63", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO FACT A3735")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  ASSERT_EQ(d[0].lines.size(), 2u);
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "13873.35");
  EXPECT_EQ(d[0].lines[0].doc_amount.ToString(), "858.93");
  EXPECT_EQ(d[0].lines[1].amount.ToString(), "-693.72");
  EXPECT_EQ(d[0].lines[1].doc_amount.ToString(), "-42.95");
  EXPECT_TRUE(d[0].HasReason("credit_note_related"));
  EXPECT_TRUE(d[0].HasReason("fx_rate"));
  EXPECT_FALSE(d[0].automatic);  // the rate from arithmetic alone: a suggestion
}

// ---- A credit note netted inside the payment.

TEST(MatcherHardCasesTest, AnInvoiceNetOfItsRelatedCreditNoteSettlesWithoutNameOrReference) {
  auto inv = Invoice(1, "100", "10000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV");
  auto other = Invoice(2, "101", "7300.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV");
  auto note = CreditNote(3, "9", "1160.00", inv);
  Matcher m({inv, other, note}, {}, {}, {}, {});
  // The bank shows the payer's account only: nothing but the amount, 10,000 − 1,160.
  auto d = m.Run({Deposit(10, "8840.00", "SPEI RECIBIDO PAGO PROVEEDOR")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  ASSERT_EQ(d[0].lines.size(), 2u);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "10000.00");
  EXPECT_EQ(d[0].lines[1].document_id, 3);
  EXPECT_EQ(d[0].lines[1].amount.ToString(), "-1160.00");
  EXPECT_TRUE(d[0].HasReason("credit_note_netted"));
  EXPECT_TRUE(d[0].HasReason("credit_note_related"));
  EXPECT_FALSE(d[0].automatic);  // the amount alone: a suggestion
  // With the payer's name, automatic.
  Matcher m2({inv, other, note}, {}, {}, {}, {});
  auto d2 = m2.Run({Deposit(10, "8840.00", "SPEI RECIBIDO TIENDAS QUERETARO SA DE CV PAGO")});
  EXPECT_TRUE(d2[0].automatic) << d2[0].score;
  EXPECT_TRUE(m2.OpenOf(1).IsZero());
  EXPECT_TRUE(m2.OpenOf(3).IsZero());
  EXPECT_FALSE(m2.OpenOf(2).IsZero());
}

TEST(MatcherHardCasesTest, ACreditNoteRelatedToAnotherInvoiceIsNotNettedAutomatically) {
  auto a = Invoice(1, "100", "10000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV");
  auto b = Invoice(2, "101", "7300.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV");
  auto note_of_b = CreditNote(3, "9", "1160.00", b);
  Matcher m({a, b, note_of_b}, {}, {}, {}, {});
  // 10,000 − 1,160 adds up, but the note discounts invoice 101, not 100.
  auto d = m.Run({Deposit(10, "8840.00", "SPEI RECIBIDO TIENDAS QUERETARO SA DE CV PAGO")});
  EXPECT_FALSE(d[0].automatic) << d[0].score;
  if (d[0].kind == Decision::Kind::kMatch) {
    EXPECT_TRUE(d[0].HasReason("credit_note_other_invoice"));
  }
  EXPECT_FALSE(m.OpenOf(1).IsZero());
}

// ---- A third party (a factoring company) pays in its own name.

TEST(MatcherHardCasesTest, AThirdPartyPayingWithTheFolioIsMatchedByTheReference) {
  Matcher m({Invoice(1, "3535", "376396.96", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
             Invoice(2, "3536", "12000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV")},
            {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "376396.96", "SPEI RECIBIDO FACTORAJE FINANCIERO SAN ANGEL SA DE CV FACTURA A3535")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_TRUE(d[0].automatic) << d[0].score;
  EXPECT_TRUE(d[0].HasReason("third_party_reference"));
}

TEST(MatcherHardCasesTest, AThirdPartysMistypedFolioCountsAmongInvoicesOfTheExactAmount) {
  Matcher m({Invoice(1, "3535", "376396.96", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
             Invoice(2, "3553", "12000.00", "FRO010101AAA", "FARMACIAS EL ROBLE SA DE CV")},
            {}, {}, {}, {});
  // "A3553" is one transposition from 3535 (and is exactly another customer's folio of another amount).
  auto d = m.Run({Deposit(10, "376396.96", "SPEI RECIBIDO FACTORAJE FINANCIERO SAN ANGEL SA DE CV FACTURA A3553")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_TRUE(d[0].HasReason("reference_one_edit"));
  EXPECT_TRUE(d[0].HasReason("third_party_reference"));
}

TEST(MatcherHardCasesTest, AThirdPartysMistypedFolioWithAnotherAmountIsNotSettled) {
  Matcher m({Invoice(1, "3535", "376396.96", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV")}, {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "150000.00", "SPEI RECIBIDO FACTORAJE FINANCIERO SAN ANGEL SA DE CV FACTURA A3553")});
  EXPECT_FALSE(d[0].automatic);
  EXPECT_TRUE(m.OpenOf(1) == M("376396.96"));
}

// ---- Installments.

TEST(InstallmentShareTest, EqualPartsAndWholePercentagesOfTheTotal) {
  EXPECT_EQ(InstallmentShare(1000000, 3000000).value_or(""), "1/3");
  EXPECT_EQ(InstallmentShare(333333, 1000000).value_or(""), "1/3");  // rounded to the cent
  EXPECT_EQ(InstallmentShare(900000, 3000000).value_or(""), "30 %");
  EXPECT_FALSE(InstallmentShare(912345, 3000000));
  EXPECT_FALSE(InstallmentShare(3000000, 3000000));  // the whole invoice is no installment
}

TEST(MatcherHardCasesTest, AnInstallmentPointsAtTheInvoiceItIsAShareOf) {
  auto docs = std::vector<Document>{Invoice(1, "100", "30000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
                                    Invoice(2, "101", "47123.45", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV")};
  Matcher m(docs, {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "9000.00", "SPEI RECIBIDO TIENDAS QUERETARO SA DE CV PAGO")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_TRUE(d[0].HasReason("installment"));
  EXPECT_FALSE(d[0].automatic);  // a share and a name: a suggestion
  // The payment complement's parcialidad (ImpPagado 9,000.00 on that day) settles it.
  Matcher m2(docs, {{1, "2024-03-06", M("9000.00")}}, {}, {}, {});
  auto d2 = m2.Run({Deposit(10, "9000.00", "SPEI RECIBIDO TIENDAS QUERETARO SA DE CV PAGO")});
  EXPECT_TRUE(d2[0].automatic) << d2[0].score;
  EXPECT_TRUE(d2[0].HasReason("installment_complement"));
  EXPECT_EQ(m2.OpenOf(1).ToString(), "21000.00");
}

TEST(MatcherHardCasesTest, APartialPaymentOfNoAgreedShareWithoutReferenceIsNotSettled) {
  Matcher m({Invoice(1, "100", "30000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
             Invoice(2, "101", "47123.45", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV")},
            {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "9123.45", "SPEI RECIBIDO TIENDAS QUERETARO SA DE CV PAGO")});
  EXPECT_FALSE(d[0].automatic);
  EXPECT_FALSE(d[0].HasReason("installment"));
}

}  // namespace
}  // namespace vertice::reconciliation
