#include "freshness/refresh_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/sqlstate.hpp"

namespace vertice::freshness {

namespace {

std::string Describe(const Error& e) { return e.internal.empty() ? e.message : e.internal; }

double ToDouble(std::string_view s) { return s.empty() ? 0 : std::stod(std::string(s)); }

// Ids and timestamps as the API shows them (ISO 8601 with offset).
constexpr const char* kTimestamps =
    "to_json(started_at) #>> '{}' AS started, to_json(finished_at) #>> '{}' AS finished";

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kScheduled:
      return "scheduled";
    case Level::kEvent:
      return "event";
    case Level::kOnDemand:
      return "on_demand";
  }
  return "on_demand";
}

struct RefreshService::InFlight {
  std::atomic<bool> done{false};
  Result<RefreshOutcome> result;
};

db::Task<Result<RefreshOutcome>> RefreshService::Refresh(RefreshRequest request) {
  const std::string key = request.company.value_or("*");
  if (!request.force) {
    auto recent = co_await Recent(request.company.value_or(""), options_.reuse_age);
    if (recent) {
      recent->reused = true;
      co_return *recent;
    }
  }
  std::shared_ptr<InFlight> flight;
  bool mine = false;
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(key);
    if (it != in_flight_.end()) {
      flight = it->second;
    } else {
      flight = std::make_shared<InFlight>();
      in_flight_[key] = flight;
      mine = true;
    }
  }
  if (mine) {
    std::optional<std::vector<std::string>> companies;
    if (request.company) {
      std::vector<std::string> one;
      one.push_back(*request.company);
      companies = std::move(one);
    }
    boost::asio::co_spawn(co_await boost::asio::this_coro::executor,
                          RunShared(flight, key, request.level, std::move(companies), std::move(request.reason),
                                    std::move(request.requested_by)),
                          boost::asio::detached);
  }
  // Wait for the run in flight (ours or another caller's) and answer with its result.
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!flight->done.load()) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  std::lock_guard lock(mu_);
  auto outcome = flight->result;
  if (outcome && !mine) outcome->joined = true;
  co_return outcome;
}

db::Task<void> RefreshService::RunShared(std::shared_ptr<InFlight> flight, std::string key, Level level,
                                         std::optional<std::vector<std::string>> companies, std::string reason,
                                         std::string requested_by) {
  Result<RefreshOutcome> result = std::unexpected(Error{});
  try {
    result = co_await Run(level, std::move(companies), std::move(reason), std::move(requested_by));
  } catch (const std::exception& e) {
    result = std::unexpected(Error{ErrorKind::kInternal, "internal", "Error interno.", {}, e.what()});
  }
  std::lock_guard lock(mu_);
  flight->result = std::move(result);
  flight->done = true;
  in_flight_.erase(key);
}

db::Task<std::optional<RefreshOutcome>> RefreshService::Recent(std::string company, std::chrono::seconds max_age) {
  auto lease = co_await pool_.Acquire();
  if (!lease) co_return std::nullopt;
  const std::string age = fmt::format("{} seconds", max_age.count());
  auto rows = co_await (*lease)->Execute(
      fmt::format("SELECT refresh_id, level, duration_ms, rows_checked, rows_repaired, totals_repaired, "
                  "events_served, {} FROM mv_refresh_history($1, 50) "
                  "WHERE status = 'succeeded' AND finished_at > clock_timestamp() - $2::interval "
                  "AND ($1 <> '' OR companies IS NULL) ORDER BY finished_at DESC LIMIT 1",
                  kTimestamps),
      db::P(company, age));
  if (!rows || rows->Empty()) co_return std::nullopt;
  RefreshOutcome out;
  out.refresh_id = rows->Int(0, "refresh_id");
  out.level = rows->Str(0, "level");
  out.status = "succeeded";
  out.duration_ms = ToDouble(rows->Get(0, "duration_ms"));
  out.rows_checked = rows->Int(0, "rows_checked");
  out.rows_repaired = rows->Int(0, "rows_repaired");
  out.totals_repaired = rows->Int(0, "totals_repaired");
  out.events_served = rows->Int(0, "events_served");
  out.started_at = rows->Str(0, "started");
  out.finished_at = rows->Str(0, "finished");
  co_return out;
}

db::Task<Result<RefreshOutcome>> RefreshService::ServeEvents() {
  VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool_.Acquire());
  VERTICE_CO_ASSIGN_OR_RETURN(auto pending, co_await lease->Execute("SELECT unnest(mv_pending_companies()) AS c"));
  std::vector<std::string> companies;
  for (int i = 0; i < pending.Size(); ++i) companies.push_back(pending.Str(i, "c"));
  if (companies.empty()) {
    RefreshOutcome skipped;
    skipped.level = "event";
    skipped.status = "skipped";
    co_return skipped;
  }
  co_return co_await Run(Level::kEvent, std::move(companies), "large transactions", "scheduler");
}

db::Task<Status> RefreshService::Housekeeping() {
  VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool_.Acquire());
  VERTICE_CO_ASSIGN_OR_RETURN(auto abandoned, co_await lease->Execute("SELECT mv_refresh_abandon() AS n"));
  if (abandoned.Int(0, "n") > 0) spdlog::warn("marked {} abandoned refresh(es) as failed", abandoned.Int(0, "n"));
  VERTICE_CO_TRY(co_await lease->Execute("SELECT universal_compact()"));
  VERTICE_CO_TRY(co_await lease->Execute("SELECT mv_prune()"));
  VERTICE_CO_TRY(co_await lease->Execute("SELECT universal_changes_prune()"));
  co_return Status{};
}

db::Task<Result<RefreshOutcome>> RefreshService::Run(Level level, std::optional<std::vector<std::string>> companies,
                                                     std::string reason, std::string requested_by) {
  RefreshOutcome out;
  out.level = std::string(LevelName(level));
  std::optional<std::string> companies_param;
  if (companies) companies_param = db::TextArrayLiteral(*companies);
  int64_t id = 0;
  {
    VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool_.Acquire());
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto begun,
        co_await lease->Execute("SELECT mv_refresh_begin($1, $2, $3, $4::text[], $5) AS id",
                                db::P(out.level, reason, requested_by, companies_param, options_.instance)));
    id = begun.Int(0, "id");
  }
  out.refresh_id = id;
  Error last;
  const std::string timeout = fmt::format("SET LOCAL statement_timeout = '{}ms'", options_.statement_timeout.count());
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    auto lease = co_await pool_.Acquire();
    if (!lease) {
      last = lease.error();
      break;
    }
    auto& conn = **lease;
    auto step = co_await conn.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
    if (step) step = co_await conn.Execute(timeout);
    if (step)
      step = co_await conn.Execute(fmt::format("SELECT rows_checked, rows_repaired, totals_repaired, events_served, "
                                               "duration_ms, {} FROM mv_refresh_run($1)",
                                               kTimestamps),
                                   db::P(std::to_string(id)));
    if (step) {
      auto rows = *step;
      auto committed = co_await conn.Execute("COMMIT");
      if (committed) {
        out.status = "succeeded";
        out.rows_checked = rows.Int(0, "rows_checked");
        out.rows_repaired = rows.Int(0, "rows_repaired");
        out.totals_repaired = rows.Int(0, "totals_repaired");
        out.events_served = rows.Int(0, "events_served");
        out.duration_ms = ToDouble(rows.Get(0, "duration_ms"));
        out.started_at = rows.Str(0, "started");
        out.finished_at = rows.Str(0, "finished");
        // Statistics that still count the served backlog as pending make every health check
        // (and so every dashboard read) scan the events table: refresh them (V0006).
        if (out.events_served >= 1000)
          if (auto analyzed = co_await conn.Execute("SELECT mv_analyze_events()"); !analyzed)
            spdlog::warn("refresh {}: analyzing mv_refresh_triggers: {}", id, analyzed.error().internal);
        if (out.rows_repaired > 0 || out.totals_repaired > 0)
          spdlog::warn("refresh {} ({}) repaired {} row(s) and {} total(s) that had drifted", id, out.level,
                       out.rows_repaired, out.totals_repaired);
        co_return out;
      }
      step = std::unexpected(committed.error());
    }
    last = step.error();
    (void)co_await conn.Execute("ROLLBACK");
    if (!db::IsRetryable(last)) break;
  }
  // Failed: logged with its error (on a fresh connection: the failure may have been the old one's).
  out.status = "failed";
  out.error = Describe(last);
  spdlog::error("refresh {} ({}) failed: {}", id, out.level, out.error);
  // A restarting database takes a few seconds to accept connections again: keep trying for ~15 s
  // (if it never answers, housekeeping marks the row abandoned later).
  boost::asio::steady_timer backoff(co_await boost::asio::this_coro::executor);
  for (int attempt = 0; attempt < 30; ++attempt) {
    if (attempt) {
      pool_.DropIdle();
      backoff.expires_after(std::chrono::milliseconds(500));
      co_await backoff.async_wait(boost::asio::use_awaitable);
    }
    auto lease = co_await pool_.Acquire();
    if (!lease) continue;
    auto failed =
        co_await (*lease)->Execute(fmt::format("SELECT duration_ms, {} FROM mv_refresh_fail($1, $2)", kTimestamps),
                                   db::P(std::to_string(id), out.error));
    if (!failed) continue;
    if (!failed->Empty()) {
      out.duration_ms = ToDouble(failed->Get(0, "duration_ms"));
      out.started_at = failed->Str(0, "started");
      out.finished_at = failed->Str(0, "finished");
    }
    break;
  }
  co_return out;
}

}  // namespace vertice::freshness
