// Decimal parse/format/arithmetic throughput (target: ≥ 20 M operations per second per core).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "shared/decimal.hpp"

namespace {

using vertice::shared::Money;
using vertice::shared::Rate;
using vertice::shared::Rounding;

std::vector<std::string> Texts() {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> d(-1'000'000'000, 1'000'000'000);
  std::vector<std::string> out;
  for (int i = 0; i < 1024; ++i) out.push_back(Money::FromUnits(d(rng)).ToString());
  return out;
}

std::vector<Money> Values() {
  std::vector<Money> out;
  for (const auto& t : Texts()) out.push_back(*Money::Parse(t));
  return out;
}

void BM_Parse(benchmark::State& state) {
  auto texts = Texts();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Money::Parse(texts[i++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Parse);

void BM_Format(benchmark::State& state) {
  auto values = Values();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(values[i++ & 1023].ToString());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Format);

void BM_Add(benchmark::State& state) {
  auto values = Values();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(values[i & 1023].Add(values[(i + 1) & 1023]));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Add);

void BM_MulRateHalfUp(benchmark::State& state) {
  auto values = Values();
  auto rate = *Rate::Parse("0.160000");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(values[i++ & 1023].Mul(rate, Rounding::kHalfUp));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MulRateHalfUp);

void BM_DivRateHalfUp(benchmark::State& state) {
  auto values = Values();
  auto rate = *Rate::Parse("17.123400");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(values[i++ & 1023].Div(rate, Rounding::kHalfUp));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DivRateHalfUp);

}  // namespace

BENCHMARK_MAIN();
