#include "db/read_router.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace vertice::db {

namespace {

// NULL on a primary (HAProxy's read port may briefly reach one during a failover: fresh data).
constexpr const char* kReplicaLag = R"sql(
SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) END AS lag)sql";

constexpr std::chrono::seconds kSkipAfterTrouble{5};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Task<Result<ReadAnswer>> ReadRouter::Query(const TenantScope& scope, std::string sql, Params params) {
  if (replica_ != nullptr && NowMs() >= skip_until_ms_.load(std::memory_order_relaxed)) {
    std::vector<Statement> statements;
    statements.push_back({sql, params});
    statements.push_back({std::string(kReplicaLag), {}});
    auto answers = co_await replica_->QueryBatchOnce(scope, std::move(statements));
    if (answers) {
      const auto lag = (*answers)[1].Empty() ? std::nullopt : (*answers)[1].Opt(0, "lag");
      const bool on_primary = !lag.has_value();
      const double seconds = on_primary ? 0 : std::strtod(lag->c_str(), nullptr);  // seconds, not money
      if (seconds * 1000 <= static_cast<double>(max_lag_.count())) {
        replica_reads_.fetch_add(1, std::memory_order_relaxed);
        ReadAnswer answer{std::move((*answers)[0]), std::nullopt};
        if (!on_primary) answer.replica_lag_seconds = seconds;
        co_return answer;
      }
      spdlog::warn("read replica {:.1f} s behind (bound {} ms): reads go to the primary for {} s", seconds,
                   max_lag_.count(), kSkipAfterTrouble.count());
    } else if (answers.error().kind == ErrorKind::kUnavailable) {
      spdlog::warn("read replica unavailable ({}): reads go to the primary for {} s", answers.error().internal,
                   kSkipAfterTrouble.count());
    } else {
      co_return std::unexpected(answers.error());  // the query itself failed: the primary would say the same
    }
    skip_until_ms_.store(NowMs() + std::chrono::milliseconds(kSkipAfterTrouble).count(), std::memory_order_relaxed);
  }
  if (replica_ != nullptr) fallbacks_.fetch_add(1, std::memory_order_relaxed);
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await primary_.QueryOnce(scope, std::move(sql), std::move(params)));
  co_return ReadAnswer{std::move(rows), std::nullopt};
}

}  // namespace vertice::db
