// The three refresh levels of the unified view over one code path. The view is kept current by
// triggers in every writer's transaction; a refresh re-derives companies from the sources and
// repairs whatever differs (ADR 0009), logged in mv_refresh_log:
//   - scheduled (level 1): every company, by the scheduler's cron;
//   - event (level 2): the companies with pending large-transaction events, served in one run;
//   - on_demand (level 3): one company (or all) now; concurrent callers join the run in flight
//     and, unless forced, a recent enough refresh is reused.
// A refresh runs in one REPEATABLE READ transaction: readers are never blocked and a failure
// leaves the view as it was; the failure is logged and the next run starts from scratch.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "db/pool.hpp"

namespace vertice::freshness {

enum class Level { kScheduled, kEvent, kOnDemand };
std::string_view LevelName(Level level);

struct RefreshRequest {
  Level level = Level::kOnDemand;
  std::optional<std::string> company;  // nullopt: every company
  std::string reason;
  std::string requested_by = "system";
  bool force = true;  // on demand: false reuses a refresh younger than `reuse_age`
};

struct RefreshOutcome {
  int64_t refresh_id = 0;
  std::string level;
  std::string status;  // succeeded | failed | skipped (level 2 with nothing pending)
  std::string started_at, finished_at;
  double duration_ms = 0;
  int64_t rows_checked = 0, rows_repaired = 0, totals_repaired = 0, events_served = 0;
  bool joined = false;  // answered by a refresh another request had started
  bool reused = false;  // answered by a recent refresh (force = false)
  std::string error;
};

struct RefreshOptions {
  std::string instance = "vertice";
  std::chrono::seconds reuse_age{60};
  std::chrono::milliseconds statement_timeout{300000};
  int max_attempts = 3;  // serialization failures (a writer changed a repaired row) retry
};

class RefreshService {
 public:
  RefreshService(db::Pool& pool, RefreshOptions options) : pool_(pool), options_(std::move(options)) {}

  // Runs (or joins, or reuses) a refresh and answers when it is done. A failed refresh is an
  // outcome with status "failed" (and logged), not an error; errors are for the database
  // being unreachable before anything was logged.
  db::Task<Result<RefreshOutcome>> Refresh(RefreshRequest request);
  // Level 2: one refresh of every company with pending events; "skipped" when none.
  db::Task<Result<RefreshOutcome>> ServeEvents();
  // Marks refreshes whose process died as failed; merges the daily-total deltas.
  db::Task<Status> Housekeeping();

  const RefreshOptions& Options() const { return options_; }

 private:
  struct InFlight;
  db::Task<Result<RefreshOutcome>> Run(Level level, std::optional<std::vector<std::string>> companies,
                                       std::string reason, std::string requested_by);
  // The shared run, detached from the request that started it: a caller that gives up (its
  // deadline passed) neither cancels the refresh nor leaves the others waiting on it forever.
  db::Task<void> RunShared(std::shared_ptr<InFlight> flight, std::string key, Level level,
                           std::optional<std::vector<std::string>> companies, std::string reason,
                           std::string requested_by);
  db::Task<std::optional<RefreshOutcome>> Recent(std::string company, std::chrono::seconds max_age);

  db::Pool& pool_;
  RefreshOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<InFlight>> in_flight_;  // by company ("*": all)
};

}  // namespace vertice::freshness
