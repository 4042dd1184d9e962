#include "verticals/jobs.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vertice::verticals {

db::Task<Result<JobReport>> JobRunner::RunOnce(std::string vertical, std::string job_name) {
  const auto* manifest = registry_.Find(vertical);
  const VerticalJob* job = nullptr;
  if (manifest)
    for (const auto& j : manifest->jobs)
      if (j.name == job_name) job = &j;
  if (job == nullptr) co_return Fail(ErrorKind::kNotFound, "verticals.unknown_job", "no existe el trabajo " + job_name);
  JobReport report;
  db::Rows companies;
  {
    VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool_.Acquire());
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows,
        co_await lease->Execute("SELECT tenant_id, company_id FROM vertical_enabled_companies($1) ORDER BY company_id",
                                db::P(vertical)));
    companies = rows;
  }
  for (int i = 0; i < companies.Size(); ++i) {
    db::TenantScope scope;
    scope.tenant_id = companies.Str(i, "tenant_id");
    scope.company_id = companies.Str(i, "company_id");
    ++report.companies;
    bool busy = false;
    auto done = co_await pool_.InTransaction(scope, [&](db::Transaction& tx) -> db::Task<Status> {
      auto key = job_name + ":" + scope.company_id;
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto locked, co_await tx.Query("SELECT pg_try_advisory_xact_lock(7210, hashtext($1)) AS ok", db::P(key)));
      if (!locked.Bool(0, "ok")) {
        busy = true;
        co_return Status{};
      }
      co_return co_await job->run(tx, clock_);
    });
    if (busy) ++report.skipped;
    if (!done) {
      ++report.failed;
      spdlog::error("job={} company={} failed: {} {}", job_name, scope.company_id, done.error().code,
                    done.error().internal.empty() ? done.error().message : done.error().internal);
    }
  }
  co_return report;
}

}  // namespace vertice::verticals
