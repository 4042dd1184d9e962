// The view's health as Prometheus series on /metrics, polled from the database every few
// seconds (a scrape must not wait on it): age since the last successful refresh, status, pending
// events, refresh counts, failures and a duration histogram by level (cluster-wide, from
// mv_refresh_log), plus this instance's leadership and live-feed subscribers. The same poll reads
// PostgreSQL's WAL archiver (pg_stat_archiver): backups restore to a point in time only while
// archiving works, and the database is where that is known.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "db/pool.hpp"

namespace vertice::freshness {

class HealthGauges {
 public:
  db::Task<void> Poll(db::Pool& pool, std::shared_ptr<std::atomic<bool>> stop,
                      std::chrono::seconds every = std::chrono::seconds(5));
  db::Task<Status> Update(db::Pool& pool);
  std::string Render(bool leader, size_t subscribers, bool feed_connected) const;

 private:
  mutable std::mutex mu_;
  std::string health_;  // rendered series from the last poll
  std::string counters_;
};

}  // namespace vertice::freshness
