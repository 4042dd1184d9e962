// The matcher's evidence and decisions on small hand-made cases: names without legal forms,
// reference tokens within one edit, exact and FX amounts, combinations, ambiguity refused,
// lines that settle no invoice classified by rules; and its arithmetic alone: the wire-fee grid
// with its IVA, the bounded subset search, the weights taken from the options.
#include "reconciliation/matcher.hpp"

#include <gtest/gtest.h>

#include "reconciliation/text_match.hpp"

namespace vertice::reconciliation {
namespace {

Money M(const char* s) { return *Money::Parse(s); }

TEST(TextMatchTest, NamesLoseTheirLegalFormAndAccents) {
  EXPECT_EQ(NameCore("Distribuidora Anáhuac, S.A. de C.V."), (std::vector<std::string>{"DISTRIBUIDORA", "ANAHUAC"}));
  EXPECT_EQ(NameCore("TIENDAS QUERETARO S.A.P.I. DE C.V."), (std::vector<std::string>{"TIENDAS", "QUERETARO"}));
  EXPECT_EQ(NameCore("Farmacias Regiomontana S. de R.L. de C.V"),
            (std::vector<std::string>{"FARMACIAS", "REGIOMONTANA"}));
  EXPECT_EQ(NameCore("Lucía Martínez García"), (std::vector<std::string>{"LUCIA", "MARTINEZ", "GARCIA"}));
}

TEST(TextMatchTest, NameIndexFindsVariantsAbbreviationsAndCuts) {
  NameIndex idx;
  idx.Add("DISTRIBUIDORA QUERETARO SA DE CV", 1);
  idx.Add("TIENDAS QUERETARO S.A.P.I. DE C.V.", 2);
  idx.Add("FACTORAJE FINANCIERO SANTA FE SA DE CV", 3);
  auto find = [&](const char* text) { return idx.Find(Tokens(Normalize(text))); };
  EXPECT_EQ(find("SPEI ENVIADO BANREGIO DISTR QUERETARO S.A.P.I. DE C.V. PAGO A7658"), std::vector<int64_t>{1});
  EXPECT_EQ(find("SPEI RECIBIDOBANORTE/8247086356 TIENDAS QUERETARO SA DE CV"), std::vector<int64_t>{2});
  EXPECT_EQ(find("DEPOSITO SPEI BANREGIO FACTORAJE FINANCIERO SANTA F"), std::vector<int64_t>{3});
  EXPECT_TRUE(find("DEPOSITO EN EFECTIVO").empty());
  EXPECT_TRUE(find("TIENDAS MORELOS").empty());
}

TEST(TextMatchTest, ReferenceTokensAndOneEdit) {
  auto t = ReferenceTokens("CONCEPTO: FACT A-2961 PAGO 8DACB6A2A99C FOLIO 3O45");
  auto has = [&](const char* x) { return std::find(t.begin(), t.end(), x) != t.end(); };
  EXPECT_TRUE(has("A2961"));
  EXPECT_TRUE(has("2961"));
  EXPECT_TRUE(has("8DACB6A2A99C"));
  EXPECT_TRUE(has("3045"));                     // O typed for 0
  EXPECT_TRUE(WithinOneEdit("319", "3319"));    // a dropped digit
  EXPECT_TRUE(WithinOneEdit("3391", "3319"));   // transposed
  EXPECT_TRUE(WithinOneEdit("33199", "3319"));  // an added digit
  EXPECT_TRUE(WithinOneEdit("3318", "3319"));   // a changed digit
  EXPECT_FALSE(WithinOneEdit("3300", "3319"));  // two edits
  EXPECT_TRUE(WithinOneEdit("ABCD", "ABDC"));
  EXPECT_FALSE(WithinOneEdit("ABCD", "BADC"));
}

Document Invoice(int64_t id, const char* folio, const char* total, const char* rfc, const char* name,
                 const char* date = "2024-03-01") {
  Document d;
  d.id = id;
  d.uuid = "AAAAAAAA-0000-4000-8000-" + std::string(12 - std::to_string(id).size(), '0') + std::to_string(id);
  d.serie = "A";
  d.folio = folio;
  d.date = date;
  d.counterparty_rfc = rfc;
  d.counterparty_name = name;
  d.metodo_pago = "PUE";
  d.total = d.open = M(total);
  return d;
}

BankLine Deposit(int64_t id, const char* amount, const char* text, const char* date = "2024-03-05") {
  return {id, date, M(amount), text, "", "", ""};
}

TEST(MatcherTest, ExactAmountAndThePayersNameSettleAutomatically) {
  Matcher m({Invoice(1, "100", "11600.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
             Invoice(2, "101", "5800.00", "FRO010101AAA", "FARMACIAS EL ROBLE SA DE CV")},
            {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "11600.00", "SPEI RECIBIDOBANORTE/8247086356 TIENDAS QUERETARO S.A. DE C.V. PAGO")});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_TRUE(d[0].automatic) << d[0].score;
  ASSERT_EQ(d[0].lines.size(), 1u);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "11600.00");
  EXPECT_TRUE(m.OpenOf(1).IsZero());
}

TEST(MatcherTest, TwoOpenInvoicesOfTheSameAmountAndNoReferenceAreOnlySuggested) {
  Matcher m({Invoice(1, "100", "5000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV", "2024-02-01"),
             Invoice(2, "101", "5000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV", "2024-02-02")},
            {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "5000.00", "SPEI RECIBIDO TIENDAS QUERETARO PAGO")});
  EXPECT_FALSE(d[0].automatic);
  // With the folio in the text, it is clear.
  Matcher m2({Invoice(1, "100", "5000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV", "2024-02-01"),
              Invoice(2, "101", "5000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV", "2024-02-02")},
             {}, {}, {}, {});
  auto d2 = m2.Run({Deposit(10, "5000.00", "SPEI RECIBIDO TIENDAS QUERETARO PAGO FACT A-101")});
  EXPECT_TRUE(d2[0].automatic);
  EXPECT_EQ(d2[0].lines[0].document_id, 2);
}

TEST(MatcherTest, OneDepositForSeveralInvoicesWithACreditNoteNetted) {
  auto nc = Invoice(4, "NC9", "500.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV");
  nc.tipo = 'E';
  Matcher m({Invoice(1, "100", "1000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
             Invoice(2, "101", "2000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"),
             Invoice(3, "102", "4000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV"), nc},
            {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "2500.00", "SPEI RECIBIDO TIENDAS QUERETARO PAGO FACTURAS A-100 A-101")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  ASSERT_EQ(d[0].lines.size(), 3u);
  Money sum;
  for (const auto& l : d[0].lines) sum = *sum.Add(l.amount);
  EXPECT_EQ(sum.ToString(), "2500.00");
  EXPECT_TRUE(d[0].automatic) << d[0].score;
}

TEST(MatcherTest, AUsdInvoicePaidInPesosIsSuggestedUnlessAComplementStatesThePesos) {
  auto usd = Invoice(1, "200", "1000.00", "IMP010101AAA", "IMPORTADORA DEL PACIFICO SA DE CV");
  usd.currency = "USD";
  // Within the bank's spread of the day's rate: the right invoice, but a deducted wire fee could
  // hide in the difference (1,000.00 USD converts to any multiple of 10 centavos at some
  // four-decimal rate, so every fee of the grid explains it), so a person confirms the pesos: the
  // explanation whose rate is nearest the FIX is proposed (16,900 + 150 + 24 IVA at 17.0740).
  Matcher m({usd}, {}, {{"2024-03-04", 17.05}}, {}, {});
  auto d = m.Run({Deposit(10, "16900.00", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO A200")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].doc_amount.ToString(), "1000.00");
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "17074.00");
  EXPECT_EQ(d[0].bank_fee.ToString(), "-150.00");
  EXPECT_FALSE(d[0].automatic);
  // The payment complement says 17,074.00 were applied: a 150.00 fee plus IVA was deducted.
  Matcher m2({usd}, {{1, "2024-03-05", M("17074.00")}}, {{"2024-03-04", 17.05}}, {}, {});
  auto d2 = m2.Run({Deposit(10, "16900.00", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO A200")});
  ASSERT_EQ(d2[0].kind, Decision::Kind::kMatch);
  EXPECT_TRUE(d2[0].automatic);
  EXPECT_EQ(d2[0].lines[0].amount.ToString(), "17074.00");
  EXPECT_EQ(d2[0].bank_fee.ToString(), "-150.00");
  EXPECT_EQ(d2[0].bank_fee_iva.ToString(), "-24.00");
}

TEST(MatcherTest, ASmallUsdPaymentNetOfAWireFeeIsStillSuggested) {
  auto usd = Invoice(1, "200", "100.00", "IMP010101AAA", "IMPORTADORA DEL PACIFICO SA DE CV");
  usd.currency = "USD";
  // 100 USD at 17.05 is 1,705.00; the bank paid 1,514.00 after its fee and IVA: 11 % short,
  // outside any exchange spread unless the fee is added back.
  Matcher m({usd}, {}, {{"2024-03-04", 17.05}}, {}, {});
  auto d = m.Run({Deposit(10, "1514.00", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO A200")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].document_id, 1);
  EXPECT_FALSE(d[0].automatic);  // which fee exactly, only a complement can say
  EXPECT_TRUE(d[0].bank_fee.IsNegative());
  EXPECT_TRUE(d[0].bank_fee_iva.IsNegative());
}

TEST(MatcherTest, LinesThatSettleNoInvoiceAreClassifiedAndAnAdvanceIsNotAPayment) {
  Matcher m({Invoice(1, "100", "11600.00", "FLE010101AAA", "FARMACIAS LA ESPERANZA SA DE CV")}, {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "11600.00", "TRANSF INTERBANCARIA SPEI FARMACIAS LA ESPERANZA CONCEPTO: ANTICIPO"),
                  {11, "2024-03-06", M("-6.00"), "COMISION TRANSFERENCIA SPEI", "", "", ""},
                  {12, "2024-03-06", M("-0.96"), "IVA COMISION TRANSFERENCIA SPEI", "", "", ""}});
  EXPECT_EQ(d[0].kind, Decision::Kind::kCategory);
  EXPECT_EQ(d[0].category, "advance_no_invoice");
  EXPECT_EQ(d[1].category, "bank_fee");
  EXPECT_EQ(d[2].category, "bank_fee_iva");
  EXPECT_FALSE(m.OpenOf(1).IsZero());
}

// A bank fee whose reference ends in "1" is not credit note 1 refunded: a one- or two-character
// folio is in too many references to count as evidence, so the fee is classified.
TEST(MatcherTest, AOneCharacterFolioInAReferenceIsNoEvidence) {
  Document nc = Invoice(1, "1", "250.00", "WAL9709244W4", "NUEVA WAL MART DE MEXICO");
  nc.serie = "NC";
  nc.tipo = 'E';
  Matcher m({nc}, {}, {}, {}, {});
  auto d = m.Run({{10, "2024-03-06", M("-250.00"), "COMISION MANEJO DE CUENTA", "C1", "", ""}});
  EXPECT_EQ(d[0].kind, Decision::Kind::kCategory);
  EXPECT_EQ(d[0].category, "bank_fee");
}

TEST(MatcherTest, InstallmentsConsumeTheInvoiceInOrder) {
  Matcher m({Invoice(1, "100", "3000.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV")}, {}, {}, {}, {});
  auto d = m.Run({Deposit(10, "1000.00", "SPEI RECIBIDO TIENDAS QUERETARO PAGO A-100", "2024-03-05"),
                  Deposit(11, "2000.00", "SPEI RECIBIDO TIENDAS QUERETARO PAGO A-100", "2024-04-05")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "1000.00");
  ASSERT_EQ(d[1].kind, Decision::Kind::kMatch);
  EXPECT_EQ(d[1].lines[0].amount.ToString(), "2000.00");
  EXPECT_TRUE(d[1].automatic);
}

// The grid the fee search uses, the one fee grid: 100 to 500 pesos in 50-peso steps (450
// included), each with its IVA at 16 % to the cent.
TEST(WireFeeTest, TheGridRunsFrom100To500PesosEachWithItsSixteenPercentIva) {
  const auto& fees = WireFees();
  ASSERT_EQ(fees.size(), 9u);
  EXPECT_EQ(fees.front().fee.ToString(), "100.00");
  EXPECT_EQ(fees.front().iva.ToString(), "16.00");
  EXPECT_EQ(fees[7].fee.ToString(), "450.00");
  EXPECT_EQ(fees[7].iva.ToString(), "72.00");
  EXPECT_EQ(fees.back().fee.ToString(), "500.00");
  EXPECT_EQ(fees.back().Deducted().ToString(), "580.00");
  for (size_t k = 1; k < fees.size(); ++k) EXPECT_EQ(fees[k].fee.Units() - fees[k - 1].fee.Units(), 5000);
}

TEST(WireFeeTest, TheSmallestFeeThatBringsAPaymentWithinTheSpreadIsTheOneAddedBack) {
  // 1,705.00 expected; 1,500.00 paid is 12 % short: 100 + 16 brings it to −5.2 %, outside
  // [−4.5 %, +2.5 %]; 150 + 24 brings it to −1.8 %.
  auto fee = FeeWithinSpread(150000, 170500, -0.045, 0.025);
  ASSERT_TRUE(fee.has_value());
  EXPECT_EQ(fee->fee.ToString(), "150.00");
  EXPECT_EQ(fee->iva.ToString(), "24.00");
  // 1,000.00 paid: even 500 + 80 leaves it 7.3 % short — not a fee, another amount.
  EXPECT_FALSE(FeeWithinSpread(100000, 170500, -0.045, 0.025).has_value());
}

TEST(SubsetSearchTest, FindsTheItemsThatAddUpWithACreditNoteNegative) {
  // Invoices of 1,000, 2,000 and 4,000 and a credit note of 500: 2,500 is the first, second and note.
  auto found = SubsetsSumming({100000, 200000, 400000, -50000}, 250000, 7, 400000);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], (std::vector<size_t>{0, 1, 3}));
}

TEST(SubsetSearchTest, OneItemIsNoCombinationAndTheSearchStopsAtThreeSubsets) {
  EXPECT_TRUE(SubsetsSumming({250000, 100000}, 250000, 7, 400000).empty());
  // Ten pairs of five equal items sum to 2: three are enough to call the sum ambiguous.
  EXPECT_EQ(SubsetsSumming({1, 1, 1, 1, 1}, 2, 7, 400000).size(), 3u);
}

TEST(SubsetSearchTest, SubsetsLargerThanTheLimitOrPastTheBudgetAreNotTried) {
  EXPECT_TRUE(SubsetsSumming({1, 1, 1, 1}, 4, 3, 400000).empty());
  EXPECT_EQ(SubsetsSumming({1, 1, 1, 1}, 4, 4, 400000).size(), 1u);
  // A budget of one step visits only the empty subset.
  EXPECT_TRUE(SubsetsSumming({1, 1, 1, 1}, 2, 7, 1).empty());
  EXPECT_EQ(SubsetsSumming({1, 1, 1, 1}, 2, 7, 4).size(), 1u);
}

TEST(MatcherTest, TheScoreWeightsComeFromTheOptions) {
  auto run = [](MatcherOptions options) {
    Matcher m({Invoice(1, "100", "11600.00", "TQU010101AAA", "TIENDAS QUERETARO SA DE CV")}, {}, {}, {}, {}, options);
    return m.Run({Deposit(10, "11600.00", "SPEI RECIBIDO TIENDAS QUERETARO PAGO")})[0];
  };
  auto d = run({});
  EXPECT_TRUE(d.automatic);
  EXPECT_DOUBLE_EQ(d.score, 4 + 3 + 0.5);  // exact amount, payer recognised, paid on terms
  MatcherOptions unsure;
  unsure.weights.payer_recognised = 0;
  EXPECT_FALSE(run(unsure).automatic);  // the exact amount alone (4.5) is only a suggestion
}

TEST(MatcherTest, AComplementFindsAWireFeeOf450Pesos) {
  auto usd = Invoice(1, "200", "1000.00", "IMP010101AAA", "IMPORTADORA DEL PACIFICO SA DE CV");
  usd.currency = "USD";
  // 16,900.00 deposited; the complement says 17,422.00: 450.00 + 72.00 IVA deducted.
  Matcher m({usd}, {{1, "2024-03-05", M("17422.00")}}, {{"2024-03-04", 17.05}}, {}, {});
  auto d = m.Run({Deposit(10, "16900.00", "SPEI RECIBIDO IMPORTADORA DEL PACIFICO PAGO A200")});
  ASSERT_EQ(d[0].kind, Decision::Kind::kMatch);
  EXPECT_TRUE(d[0].automatic);
  EXPECT_EQ(d[0].lines[0].amount.ToString(), "17422.00");
  EXPECT_EQ(d[0].bank_fee.ToString(), "-450.00");
  EXPECT_EQ(d[0].bank_fee_iva.ToString(), "-72.00");
}

}  // namespace
}  // namespace vertice::reconciliation
