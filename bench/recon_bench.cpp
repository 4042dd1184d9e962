// Statement parsing throughput (lines per second, one core) for CSV, CAMT.053 and MT940, and the
// matcher over 100,000 movements against 100,000 open documents (issue 7's speed targets:
// ≥ 50,000 lines/s; ≤ 10 s). Synthetic data in the shape of recon-dev: 2,000 customers with
// legal-form names, folios and UUIDs; deposits naming their payer, some with references, some
// paying several invoices, some noise.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <random>

#include "bank/parse.hpp"
#include "reconciliation/matcher.hpp"

namespace {

using vertice::shared::Money;

std::string Csv(int lines) {
  std::string out = "id,date,description,reference,amount,balance\n";
  long balance = 100000000;
  for (int i = 0; i < lines; ++i) {
    long cents = 10000 + (i * 7919) % 9000000;
    if (i % 3 == 0) cents = -cents / 3;
    balance += cents;
    out += fmt::format(
        "c1-{:05},2024-{:02}-{:02},\"SPEI RECIBIDOBBVA/{:010} CLIENTE {} SA DE CV PAGO FACT "
        "A-{}\",{},{}.{:02},{}.{:02}\n",
        i, 1 + i % 12, 1 + i % 28, 1000000000L + i, i % 2000, 1000 + i % 5000, 1000000 + i, cents / 100,
        std::abs(cents % 100), balance / 100, std::abs(balance % 100));
  }
  return out;
}

std::string Camt(int entries) {
  std::string out =
      "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>"
      "<Stmt><Id>S1</Id><Acct><Id><Othr><Id>012180001234567899</Id></Othr></Id><Ccy>MXN</Ccy></Acct>";
  for (int i = 0; i < entries; ++i)
    out += fmt::format(
        "<Ntry><NtryRef>m{}</NtryRef><Amt Ccy=\"MXN\">{}.{:02}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts>BOOK</Sts>"
        "<BookgDt><Dt>2024-{:02}-{:02}</Dt></BookgDt><AcctSvcrRef>m{}</AcctSvcrRef><NtryDtls><TxDtls><Refs>"
        "<EndToEndId>{}</EndToEndId></Refs><RltdPties><Dbtr><Nm>CLIENTE {} SA DE CV</Nm></Dbtr></RltdPties>"
        "<RmtInf><Ustrd>PAGO FACT A-{}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
        i, 100 + i % 90000, i % 100, i % 3 ? "CRDT" : "DBIT", 1 + i % 12, 1 + i % 28, i, 1000000 + i, i % 2000,
        1000 + i % 5000);
  out += "</Stmt></BkToCstmrStmt></Document>";
  return out;
}

std::string Mt940(int entries) {
  std::string out = ":20:STMT\n:25:NL77INGB0574908765\n:28C:1/1\n:60F:C240101EUR0,00\n";
  long total = 0;
  for (int i = 0; i < entries; ++i) {
    long cents = 100 + (i * 7919) % 900000;
    total += cents;
    out += fmt::format(
        ":61:2401{:02}01{:02}C{},{:02}NTRFNONREF//B{}\n:86:/EREF/E{}//NAME/CLIENTE {}/REMI/USTD//FACT A-{}/\n",
        1 + i % 28, 1 + i % 28, cents / 100, cents % 100, i, i, i % 2000, 1000 + i % 5000);
  }
  out += fmt::format(":62F:C240131EUR{},{:02}\n-\n", total / 100, total % 100);
  return out;
}

template <typename F>
void Parse(benchmark::State& state, const std::string& bytes, int lines, F parse) {
  for (auto _ : state) {
    auto parsed = parse(bytes);
    if (!parsed) state.SkipWithError(parsed.error().message.c_str());
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations() * lines);  // items/s = lines per second
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

void BM_ParseCsv(benchmark::State& state) {
  static const std::string bytes = Csv(100000);
  Parse(state, bytes, 100000, [](const std::string& b) { return vertice::bank::ParseStatementFile(b, {}); });
}
BENCHMARK(BM_ParseCsv)->Unit(benchmark::kMillisecond);

void BM_ParseCamt053(benchmark::State& state) {
  static const std::string bytes = Camt(50000);
  Parse(state, bytes, 50000, [](const std::string& b) { return vertice::bank::ParseCamt(b); });
}
BENCHMARK(BM_ParseCamt053)->Unit(benchmark::kMillisecond);

void BM_ParseMt940(benchmark::State& state) {
  static const std::string bytes = Mt940(50000);
  Parse(state, bytes, 50000, [](const std::string& b) { return vertice::bank::ParseMt940(b); });
}
BENCHMARK(BM_ParseMt940)->Unit(benchmark::kMillisecond);

void BM_Match100kMovementsAgainst100kDocuments(benchmark::State& state) {
  using namespace vertice::reconciliation;
  constexpr int kDocs = 100000, kCustomers = 2000;
  static const char* kForms[] = {"SA DE CV", "S.A. DE C.V.", "SAPI DE CV", "S DE RL DE CV", "SC"};
  static const char* kWords[] = {"TIENDAS",   "DISTRIBUIDORA", "FARMACIAS", "CONSULTORIA", "IMPORTADORA",
                                 "LOGISTICA", "SUMINISTROS",   "OPERADORA", "PRODUCTOS",   "SERVICIOS"};
  static const char* kPlaces[] = {"QUERETARO", "ANAHUAC",    "MORELOS",      "SANTA FE",  "EL ROBLE",     "MAYA",
                                  "SONORENSE", "PENINSULAR", "DEL PACIFICO", "LOS ALTOS", "REGIOMONTANA", "MIXTECA"};
  std::mt19937 rng(7);
  std::vector<std::string> names(kCustomers);
  for (int c = 0; c < kCustomers; ++c)
    names[c] = fmt::format("{} {} {} {}", kWords[c % 10], kPlaces[(c / 10) % 12], c / 120, kForms[c % 5]);
  std::vector<Document> docs(kDocs);
  for (int i = 0; i < kDocs; ++i) {
    auto& d = docs[i];
    d.id = i + 1;
    d.uuid = fmt::format("{:08X}-0000-4000-8000-{:012X}", static_cast<unsigned>(rng()), i);
    d.serie = "A";
    d.folio = std::to_string(10000 + i);
    d.date = fmt::format("2024-{:02}-{:02}", 1 + (i * 12 / kDocs), 1 + i % 28);
    d.counterparty_rfc = fmt::format("CLI{:06}AAA", i % kCustomers);
    d.counterparty_name = names[i % kCustomers];
    d.metodo_pago = i % 2 ? "PPD" : "PUE";
    d.total = d.open = Money::FromUnits(100000 + static_cast<int64_t>(rng() % 50000000));
  }
  std::vector<BankLine> lines;
  for (int i = 0; i < kDocs; ++i) {
    const auto& d = docs[(i * 7) % kDocs];
    BankLine m;
    m.id = i + 1;
    m.date = fmt::format("2025-{:02}-{:02}", 1 + i % 2, 1 + i % 28);
    if (i % 10 == 9) {
      m.amount = Money::FromUnits(-static_cast<int64_t>(rng() % 1000000));
      m.description = "PAGO DE NOMINA " + std::to_string(i);
    } else {
      m.amount = d.total;
      m.description = fmt::format("SPEI RECIBIDOBANORTE/{:010} {} PAGO{}", 1000000000L + i % kCustomers,
                                  names[(d.id - 1) % kCustomers], i % 3 ? " FACT A-" + d.folio : "");
      m.reference = std::to_string(1000000 + i);
    }
    lines.push_back(std::move(m));
  }
  for (auto _ : state) {
    Matcher matcher(docs, {}, {}, {}, {});
    auto decisions = matcher.Run(lines);
    int automatic = 0;
    for (const auto& d : decisions) automatic += d.automatic;
    state.counters["automatic"] = automatic;
    benchmark::DoNotOptimize(decisions);
  }
  state.SetItemsProcessed(state.iterations() * kDocs);
}
BENCHMARK(BM_Match100kMovementsAgainst100kDocuments)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
