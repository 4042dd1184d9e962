// DAL overhead over the raw prepared statement through the same pool (target: ≤ 10 %):
// get by id, and a 50-row keyset list. Needs VERTICE_BENCH_DATABASE_URL (bench/run sets it).
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdlib>

#include "db/run_sync.hpp"
#include "shared/dal.hpp"

namespace {

using namespace vertice;

const db::TenantScope kScope{"demo", "acme", ""};

shared::Dal Documents() {
  return shared::Dal(
      {"bench_documents",
       "id",
       true,
       {{"title"}, {"amount", shared::ColumnType::kMoney}, {"status", shared::ColumnType::kText, false}}});
}

// Runs `n` transactions of `body` on one pool connection and reports per-iteration time.
template <typename Fn>
void Loop(benchmark::State& state, Fn body) {
  const char* url = std::getenv("VERTICE_BENCH_DATABASE_URL");
  if (!url) {
    state.SkipWithError("VERTICE_BENCH_DATABASE_URL not set");
    return;
  }
  boost::asio::io_context ioc;
  db::Pool pool(ioc.get_executor(), {.conninfo = url, .max_size = 1});
  auto run = [&]() -> db::Task<void> {
    for (auto _ : state) {
      auto r = co_await pool.InTransaction(kScope, body);
      if (!r) state.SkipWithError(r.error().internal.c_str());
    }
  };
  auto fut = boost::asio::co_spawn(ioc, run(), boost::asio::use_future);
  ioc.run();
  fut.get();
}

void BM_RawGet(benchmark::State& state) {
  Loop(state, [](db::Transaction& tx) {
    return tx.Query(
        "SELECT id::text AS id, title::text AS title, amount::text AS amount, status::text AS status, version "
        "FROM bench_documents WHERE tenant_id = $1 AND company_id = $2 AND id = $3",
        db::P(tx.Scope().tenant_id, tx.Scope().company_id, "500"));
  });
}
BENCHMARK(BM_RawGet)->UseRealTime();

void BM_DalGet(benchmark::State& state) {
  static const auto dal = Documents();
  Loop(state, [](db::Transaction& tx) { return dal.Get(tx, "500"); });
}
BENCHMARK(BM_DalGet)->UseRealTime();

void BM_RawList50(benchmark::State& state) {
  Loop(state, [](db::Transaction& tx) {
    return tx.Query(
        "SELECT id::text AS id, title::text AS title, amount::text AS amount, status::text AS status, version "
        "FROM bench_documents WHERE tenant_id = $1 AND company_id = $2 AND id > $3 ORDER BY bench_documents.id LIMIT "
        "$4",
        db::P(tx.Scope().tenant_id, tx.Scope().company_id, "100", "51"));
  });
}
BENCHMARK(BM_RawList50)->UseRealTime();

void BM_DalList50(benchmark::State& state) {
  static const auto dal = Documents();
  Loop(state, [](db::Transaction& tx) { return dal.List(tx, {.limit = 50, .after = std::string("100")}); });
}
BENCHMARK(BM_DalList50)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
