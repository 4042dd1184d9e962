#include "verticals/jobs.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::verticals {

db::Task<Result<JobReport>> JobRunner::RunOnce(std::string vertical, std::string job_name) {
  const auto* manifest = registry_.Find(vertical);
  const VerticalJob* job = nullptr;
  if (manifest)
    for (const auto& j : manifest->jobs)
      if (j.name == job_name) job = &j;
  if (job == nullptr) co_return Fail(ErrorKind::kNotFound, "verticals.unknown_job", "no existe el trabajo " + job_name);
  JobReport report;
  VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool_.Acquire());
  VERTICE_CO_ASSIGN_OR_RETURN(auto locked, co_await lease->Execute("SELECT pg_try_advisory_lock(hashtext($1)) AS ok",
                                                                   db::P("vertice.job." + job_name)));
  if (!locked.Bool(0, "ok")) {
    report.skipped = true;
    co_return report;
  }
  auto companies = co_await lease->Execute(
      "SELECT tenant_id, company_id FROM vertical_enabled_companies($1) ORDER BY company_id", db::P(vertical));
  if (companies) {
    for (int i = 0; i < companies->Size(); ++i) {
      db::TenantScope scope;
      scope.tenant_id = companies->Str(i, "tenant_id");
      scope.company_id = companies->Str(i, "company_id");
      ++report.companies;
      auto done = co_await pool_.InTransaction(scope, [&](db::Transaction& tx) { return job->run(tx, clock_); });
      if (!done) {
        ++report.failed;
        spdlog::error("job={} company={} failed: {} {}", job_name, scope.company_id, done.error().code,
                      done.error().internal.empty() ? done.error().message : done.error().internal);
      }
    }
  }
  (void)co_await lease->Execute("SELECT pg_advisory_unlock(hashtext($1))", db::P("vertice.job." + job_name));
  if (!companies) co_return std::unexpected(companies.error());
  co_return report;
}

db::Task<void> JobRunner::Loop(std::string vertical, std::string job, std::chrono::seconds every,
                               std::shared_ptr<std::atomic<bool>> stop) {
  auto ex = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(ex);
  while (!*stop) {
    auto report = co_await RunOnce(vertical, job);
    if (report && !report->skipped)
      spdlog::info("job={} companies={} failed={}", job, report->companies, report->failed);
    else if (!report)
      spdlog::warn("job={} did not run: {}", job,
                   report.error().internal.empty() ? report.error().message : report.error().internal);
    timer.expires_after(every);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

void JobRunner::Start(boost::asio::any_io_executor ex, std::shared_ptr<std::atomic<bool>> stop) {
  for (const auto& v : registry_.Verticals())
    for (const auto& j : v.jobs) boost::asio::co_spawn(ex, Loop(v.name, j.name, j.every, stop), boost::asio::detached);
}

}  // namespace vertice::verticals
