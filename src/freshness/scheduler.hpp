// The in-process scheduler: cron-timed jobs that run on exactly one leader among any number of
// `vertice serve` instances. Leadership is a lease row (scheduler_leases) taken when free or
// expired and renewed while alive — no session state, so it works through PgBouncer in
// transaction mode; a dead leader's lease expires and another instance takes over within
// `lease_ttl` + `renew_every`. Time comes from the injected Clock, so tests drive the schedule.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "db/pool.hpp"
#include "freshness/cron.hpp"

namespace vertice::freshness {

struct ScheduledJob {
  std::string name;
  CronExpression schedule;
  std::function<db::Task<Status>()> run;
  // Asked when this instance becomes leader: true runs the job at once (its last run was missed).
  std::function<db::Task<bool>()> overdue;
};

struct SchedulerOptions {
  std::string holder;  // this instance's identity in the lease
  std::chrono::seconds lease_ttl{15};
  std::chrono::seconds renew_every{5};
  std::chrono::milliseconds tick{1000};
};

class Scheduler {
 public:
  Scheduler(db::Pool& pool, const Clock& clock, SchedulerOptions options, std::vector<ScheduledJob> jobs);

  // Takes or renews the lease; returns whether this instance leads.
  db::Task<bool> RenewLease();
  // As leader, runs every job whose time has come (awaited, one after another).
  db::Task<void> RunDueJobs();
  // Both, as the background loops do.
  db::Task<void> Tick();
  // Gives the lease up (graceful shutdown: another instance takes over at once).
  db::Task<void> Resign();

  // The two background loops: lease renewal and job runs.
  void Start(boost::asio::any_io_executor ex, std::shared_ptr<std::atomic<bool>> stop);

  bool IsLeader() const { return leader_.load(); }
  const std::string& Holder() const { return options_.holder; }
  // When each job runs next (for logs and tests).
  std::map<std::string, Clock::TimePoint> NextRuns() const;

 private:
  db::Task<void> LeaseLoop(std::shared_ptr<std::atomic<bool>> stop);
  db::Task<void> JobLoop(std::shared_ptr<std::atomic<bool>> stop);

  db::Pool& pool_;
  const Clock& clock_;
  SchedulerOptions options_;
  std::vector<ScheduledJob> jobs_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> became_leader_{false};  // set by the lease, consumed by the job runner
  mutable std::mutex mu_;
  std::map<std::string, Clock::TimePoint> next_;
};

// A name for this instance: host, process id and a random suffix.
std::string InstanceName();

}  // namespace vertice::freshness
