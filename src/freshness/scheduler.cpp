#include "freshness/scheduler.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::freshness {

namespace {
constexpr const char* kLease = "vertice.scheduler";
}

std::string InstanceName() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}:{:08x}", host, getpid(), randombytes_random());
}

Scheduler::Scheduler(db::Pool& pool, const Clock& clock, SchedulerOptions options, std::vector<ScheduledJob> jobs)
    : pool_(pool), clock_(clock), options_(std::move(options)), jobs_(std::move(jobs)) {}

db::Task<bool> Scheduler::RenewLease() {
  bool leads = false;
  auto lease = co_await pool_.Acquire();
  if (lease) {
    const std::string ttl = fmt::format("{} seconds", options_.lease_ttl.count());
    auto rows = co_await (*lease)->Execute("SELECT scheduler_try_lead($1, $2, $3::interval) AS leads",
                                           db::P(std::string(kLease), options_.holder, ttl));
    if (rows)
      leads = rows->Bool(0, "leads");
    else
      spdlog::warn("scheduler: could not renew the lease: {}", rows.error().internal);
  }
  // Without the database there is no proof of leadership: stop scheduling until it answers.
  bool was = leader_.exchange(leads);
  if (leads && !was) {
    spdlog::info("scheduler: {} is now the leader", options_.holder);
    became_leader_ = true;
  } else if (!leads && was) {
    spdlog::warn("scheduler: {} lost the leadership", options_.holder);
  }
  co_return leads;
}

db::Task<void> Scheduler::RunDueJobs() {
  if (!leader_) co_return;
  const auto now = clock_.Now();
  if (became_leader_.exchange(false)) {
    // A new leader starts each job's schedule from now; missed runs that matter run at once.
    for (const auto& job : jobs_) {
      auto next = job.schedule.Next(now);
      if (job.overdue && co_await job.overdue()) next = now;
      std::lock_guard lock(mu_);
      next_[job.name] = next;
    }
  }
  for (const auto& job : jobs_) {
    Clock::TimePoint due;
    {
      std::lock_guard lock(mu_);
      due = next_.contains(job.name) ? next_[job.name] : job.schedule.Next(now);
      next_[job.name] = due;
    }
    if (now < due || !leader_) continue;
    auto started = std::chrono::steady_clock::now();
    auto done = co_await job.run();
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (done)
      spdlog::debug("job={} ran in {:.0f} ms", job.name, ms);
    else
      spdlog::error("job={} failed after {:.0f} ms: {}", job.name, ms,
                    done.error().internal.empty() ? done.error().message : done.error().internal);
    std::lock_guard lock(mu_);
    next_[job.name] = job.schedule.Next(std::max(now, clock_.Now()));
  }
}

db::Task<void> Scheduler::Tick() {
  co_await RenewLease();
  co_await RunDueJobs();
}

db::Task<void> Scheduler::Resign() {
  if (!leader_.exchange(false)) co_return;
  auto lease = co_await pool_.Acquire();
  if (lease)
    (void)co_await (*lease)->Execute("SELECT scheduler_resign($1, $2)", db::P(std::string(kLease), options_.holder));
  spdlog::info("scheduler: {} resigned the leadership", options_.holder);
}

std::map<std::string, Clock::TimePoint> Scheduler::NextRuns() const {
  std::lock_guard lock(mu_);
  return next_;
}

db::Task<void> Scheduler::LeaseLoop(std::shared_ptr<std::atomic<bool>> stop) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!*stop) {
    co_await RenewLease();
    timer.expires_after(options_.renew_every);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_await Resign();
}

db::Task<void> Scheduler::JobLoop(std::shared_ptr<std::atomic<bool>> stop) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!*stop) {
    co_await RunDueJobs();
    timer.expires_after(options_.tick);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

void Scheduler::Start(boost::asio::any_io_executor ex, std::shared_ptr<std::atomic<bool>> stop) {
  boost::asio::co_spawn(ex, LeaseLoop(stop), boost::asio::detached);
  boost::asio::co_spawn(ex, JobLoop(stop), boost::asio::detached);
}

}  // namespace vertice::freshness
