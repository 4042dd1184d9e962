// Parse + validate throughput of the CFDI reader on one core: the fixture mix (3.2 to 4.0,
// payments, nómina, broken files) and a typical generated 4.0 invoice.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cfdi/builder.hpp"
#include "cfdi/rules.hpp"

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

void BM_ParseValidateTypicalInvoice(benchmark::State& state) {
  vertice::cfdi::InvoiceSpec inv;
  inv.uuid = "11111111-2222-4333-8444-555555555555";
  inv.folio = "1";
  inv.fecha = "2026-03-01T10:00:00";
  inv.emisor_rfc = "ADI920101AB3";
  inv.emisor_nombre = "ACME";
  inv.receptor_rfc = "WAL9709244W4";
  inv.receptor_nombre = "WALMART";
  inv.lines = {{"Café", "12", "215.50"}, {"Chocolate", "24", "48.75"}, {"Vainilla", "6", "89.00"}};
  const auto xml = vertice::cfdi::BuildInvoice(inv);
  for (auto _ : state) benchmark::DoNotOptimize(vertice::cfdi::Check(xml));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseValidateTypicalInvoice);

}  // namespace

BENCHMARK_MAIN();
