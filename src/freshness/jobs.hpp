// The refresh levels as scheduled jobs: the full verification (level 1), the large-transaction
// worker (level 2) and housekeeping (abandoned refreshes, daily-total compaction).
#pragma once

#include <string>
#include <vector>

#include "freshness/refresh_service.hpp"
#include "freshness/scheduler.hpp"

namespace vertice::freshness {

struct RefreshSchedule {
  std::string full = "0 * * * *";      // level 1: < 60 min freshness of the whole view
  std::string events = "*/5 * * * *";  // level 2: < 10 min after a large transaction
  std::string housekeeping = "* * * * *";
};

Result<std::vector<ScheduledJob>> RefreshJobs(RefreshService& service, db::Pool& pool, const RefreshSchedule& schedule);

}  // namespace vertice::freshness
