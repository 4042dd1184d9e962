// Parse + validate throughput of the CFDI reader on one core: the fixture mix (3.2 to 4.0,
// payments, nómina, broken files) and a typical generated 4.0 invoice; and the issuer's seal
// (issue 21): its verification alone (certificate cached, as in an import) and the import's
// whole per-document CPU path (parse, validate, verify).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cfdi/builder.hpp"
#include "cfdi/parser.hpp"
#include "cfdi/rules.hpp"
#include "cfdi/seal.hpp"

namespace {

std::vector<std::string> Fixtures() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(VERTICE_FIXTURES_DIR "/cfdi")) {
    if (e.path().extension() != ".xml") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

void BM_ParseValidateFixtureMix(benchmark::State& state) {
  static const auto files = Fixtures();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const auto& f = files[i++ % files.size()];
    auto checked = vertice::cfdi::Check(f);
    benchmark::DoNotOptimize(checked);
    bytes += f.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ParseValidateFixtureMix);

std::string TypicalInvoice() {
  vertice::cfdi::InvoiceSpec inv;
  inv.uuid = "11111111-2222-4333-8444-555555555555";
  inv.folio = "1";
  inv.fecha = "2026-03-01T10:00:00";
  inv.emisor_rfc = "ADI920101AB3";
  inv.emisor_nombre = "ACME";
  inv.receptor_rfc = "WAL9709244W4";
  inv.receptor_nombre = "WALMART";
  inv.lines = {{"Café", "12", "215.50"}, {"Chocolate", "24", "48.75"}, {"Vainilla", "6", "89.00"}};
  return vertice::cfdi::BuildInvoice(inv);
}

void BM_ParseValidateTypicalInvoice(benchmark::State& state) {
  const auto xml = TypicalInvoice();
  for (auto _ : state) benchmark::DoNotOptimize(vertice::cfdi::Check(xml));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseValidateTypicalInvoice);

void BM_VerifySealTypicalInvoice(benchmark::State& state) {
  const auto doc = vertice::cfdi::Parse(TypicalInvoice());
  vertice::cfdi::CertificateCache cache;
  for (auto _ : state) benchmark::DoNotOptimize(vertice::cfdi::VerifySeal(*doc, cache));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifySealTypicalInvoice);

void BM_ParseValidateVerifyTypicalInvoice(benchmark::State& state) {
  const auto xml = TypicalInvoice();
  vertice::cfdi::CertificateCache cache;
  for (auto _ : state) {
    auto checked = vertice::cfdi::Check(xml);
    benchmark::DoNotOptimize(vertice::cfdi::VerifySeal(*checked.document, cache));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseValidateVerifyTypicalInvoice);

void BM_ParseValidateVerifyFixtureMix(benchmark::State& state) {
  static const auto files = Fixtures();
  vertice::cfdi::CertificateCache cache;
  size_t i = 0;
  for (auto _ : state) {
    auto checked = vertice::cfdi::Check(files[i++ % files.size()]);
    if (checked.document) benchmark::DoNotOptimize(vertice::cfdi::VerifySeal(*checked.document, cache));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseValidateVerifyFixtureMix);

}  // namespace

BENCHMARK_MAIN();
