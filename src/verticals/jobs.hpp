// Runs one of the verticals' jobs: once per company that has the vertical enabled, each company
// in its own scoped transaction so one failure stays local. The scheduler's leader calls it on
// the job's cron; a transaction-level lock per job and company keeps a run that overlaps a
// leadership change from running a company twice (and works through PgBouncer).
#pragma once

#include "verticals/registry.hpp"

namespace vertice::verticals {

struct JobReport {
  int companies = 0;
  int failed = 0;
  int skipped = 0;  // companies another run was already processing
};

class JobRunner {
 public:
  JobRunner(db::Pool& pool, const Clock& clock, const Registry& registry)
      : pool_(pool), clock_(clock), registry_(registry) {}

  // One run of a job now (what the schedule does, and what tests and the CLI call).
  db::Task<Result<JobReport>> RunOnce(std::string vertical, std::string job);

 private:
  db::Pool& pool_;
  const Clock& clock_;
  const Registry& registry_;
};

}  // namespace vertice::verticals
