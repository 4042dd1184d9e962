#include "freshness/jobs.hpp"

#include <spdlog/spdlog.h>

namespace vertice::freshness {

namespace {

Status Logged(const Result<RefreshOutcome>& r) {
  if (!r) return std::unexpected(r.error());
  if (r->status == "failed")
    return Fail(ErrorKind::kInternal, "freshness.refresh_failed", "la actualización falló", {}, r->error);
  if (r->status == "succeeded")
    spdlog::info("refresh {} ({}) checked {} rows, repaired {}, served {} event(s) in {:.0f} ms", r->refresh_id,
                 r->level, r->rows_checked, r->rows_repaired, r->events_served, r->duration_ms);
  return {};
}

}  // namespace

Result<std::vector<ScheduledJob>> RefreshJobs(RefreshService& service, db::Pool& pool,
                                              const RefreshSchedule& schedule) {
  VERTICE_ASSIGN_OR_RETURN(auto full, CronExpression::Parse(schedule.full));
  VERTICE_ASSIGN_OR_RETURN(auto events, CronExpression::Parse(schedule.events));
  VERTICE_ASSIGN_OR_RETURN(auto housekeeping, CronExpression::Parse(schedule.housekeeping));
  std::vector<ScheduledJob> jobs;
  jobs.push_back({"universal.full_refresh", full,
                  [&service]() -> db::Task<Status> {
                    RefreshRequest r;
                    r.level = Level::kScheduled;
                    r.reason = "schedule";
                    r.requested_by = "scheduler";
                    co_return Logged(co_await service.Refresh(r));
                  },
                  // A new leader runs it at once when the last full refresh is older than the SLA.
                  [&pool]() -> db::Task<bool> {
                    auto lease = co_await pool.Acquire();
                    if (!lease) co_return false;
                    auto rows = co_await (*lease)->Execute(
                        "SELECT full_age_seconds IS NULL OR full_age_seconds > 3600 AS overdue FROM mv_health_check()");
                    co_return rows && rows->Bool(0, "overdue");
                  }});
  jobs.push_back({"universal.events", events,
                  [&service]() -> db::Task<Status> { co_return Logged(co_await service.ServeEvents()); },
                  [&pool]() -> db::Task<bool> {
                    auto lease = co_await pool.Acquire();
                    if (!lease) co_return false;
                    auto rows =
                        co_await (*lease)->Execute("SELECT pending_events > 0 AS overdue FROM mv_health_check()");
                    co_return rows && rows->Bool(0, "overdue");
                  }});
  jobs.push_back({"universal.housekeeping", housekeeping,
                  [&service]() -> db::Task<Status> { co_return co_await service.Housekeeping(); }, nullptr});
  return jobs;
}

}  // namespace vertice::freshness
