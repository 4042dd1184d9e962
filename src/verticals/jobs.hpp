// Runs the verticals' scheduled jobs inside the server: each job every `every`, on one server
// instance at a time (a PostgreSQL advisory lock elects it), once per company that has the
// vertical enabled, each company in its own scoped transaction so one failure stays local.
#pragma once

#include <atomic>
#include <memory>

#include "verticals/registry.hpp"

namespace vertice::verticals {

struct JobReport {
  int companies = 0;
  int failed = 0;
  bool skipped = false;  // another instance holds the job's lock
};

class JobRunner {
 public:
  JobRunner(db::Pool& pool, const Clock& clock, const Registry& registry)
      : pool_(pool), clock_(clock), registry_(registry) {}

  // One run of a job now (what the schedule does, and what tests and the CLI call).
  db::Task<Result<JobReport>> RunOnce(std::string vertical, std::string job);
  // Spawns one loop per job on `ex`; they end when `stop` is set.
  void Start(boost::asio::any_io_executor ex, std::shared_ptr<std::atomic<bool>> stop);

 private:
  db::Task<void> Loop(std::string vertical, std::string job, std::chrono::seconds every,
                      std::shared_ptr<std::atomic<bool>> stop);
  db::Pool& pool_;
  const Clock& clock_;
  const Registry& registry_;
};

}  // namespace vertice::verticals
