// Reads that tolerate staleness (the dashboard, the revenue report, the unified transaction list)
// go to a read replica when one is configured (read_database_url) and it is close enough behind;
// otherwise to the primary. The replica's lag is measured in the same round trip as the read, so
// each answer carries the lag it was served with.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "db/pool.hpp"

namespace vertice::db {

struct ReadAnswer {
  Rows rows;
  // Set when a replica answered: how far behind the primary it was (0 when it had replayed
  // everything it received).
  std::optional<double> replica_lag_seconds;
};

class ReadRouter {
 public:
  // `replica` may be null (every read goes to the primary).
  ReadRouter(Pool& primary, Pool* replica, std::chrono::milliseconds max_lag)
      : primary_(primary), replica_(replica), max_lag_(max_lag) {}

  Task<Result<ReadAnswer>> Query(const TenantScope& scope, std::string sql, Params params = {});

  // Reads answered by the replica and by the primary instead (lag past the bound, replica down).
  uint64_t ReplicaReads() const { return replica_reads_.load(std::memory_order_relaxed); }
  uint64_t Fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }
  bool HasReplica() const { return replica_ != nullptr; }

 private:
  Pool& primary_;
  Pool* replica_;
  std::chrono::milliseconds max_lag_;
  // After a replica failed or lagged, reads skip it for a while instead of paying twice.
  std::atomic<int64_t> skip_until_ms_{0};
  std::atomic<uint64_t> replica_reads_{0};
  std::atomic<uint64_t> fallbacks_{0};
};

}  // namespace vertice::db
