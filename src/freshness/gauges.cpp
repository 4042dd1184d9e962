#include "freshness/gauges.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vertice::freshness {

namespace {

// Counters since the statistics were last reset; times as Unix seconds, 0 when never.
constexpr const char* kSelectArchiver =
    "SELECT archived_count AS archived, failed_count AS failed, "
    "COALESCE(floor(extract(epoch FROM last_archived_time)), 0)::bigint AS last_archived, "
    "COALESCE(floor(extract(epoch FROM last_failed_time)), 0)::bigint AS last_failed FROM pg_stat_archiver";

constexpr std::array<const char*, 11> kBounds = {"0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "120", "300"};

// "{1,2,3}" → its elements.
std::vector<std::string> ArrayItems(std::string_view a) {
  std::vector<std::string> out;
  if (a.size() < 2) return out;
  a = a.substr(1, a.size() - 2);
  size_t start = 0;
  while (start <= a.size() && !a.empty()) {
    auto comma = a.find(',', start);
    out.emplace_back(a.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string OrNaN(std::optional<std::string> v) { return v ? *v : "NaN"; }

}  // namespace

db::Task<Status> HealthGauges::Update(db::Pool& pool) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto lease, co_await pool.Acquire());
  VERTICE_CO_ASSIGN_OR_RETURN(auto h, co_await lease->Execute("SELECT * FROM mv_health_check()"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto c, co_await lease->Execute("SELECT * FROM mv_refresh_counters()"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto a, co_await lease->Execute(kSelectArchiver));
  std::string health;
  const std::string status = h.Str(0, "status");
  health +=
      "# HELP vertice_mv_age_seconds Seconds since the unified view's last successful refresh.\n"
      "# TYPE vertice_mv_age_seconds gauge\n";
  health += fmt::format("vertice_mv_age_seconds {}\n", OrNaN(h.Opt(0, "age_seconds")));
  health +=
      "# HELP vertice_mv_full_age_seconds Seconds since the last successful full (level 1) refresh.\n"
      "# TYPE vertice_mv_full_age_seconds gauge\n";
  health += fmt::format("vertice_mv_full_age_seconds {}\n", OrNaN(h.Opt(0, "full_age_seconds")));
  health +=
      "# HELP vertice_mv_status The view's status against its SLAs (1 for the current one).\n"
      "# TYPE vertice_mv_status gauge\n";
  for (const char* s : {"fresh", "stale", "critical"})
    health += fmt::format("vertice_mv_status{{status=\"{}\"}} {}\n", s, status == s ? 1 : 0);
  health +=
      "# HELP vertice_mv_pending_events Large-transaction events waiting for a level-2 refresh.\n"
      "# TYPE vertice_mv_pending_events gauge\n";
  health += fmt::format("vertice_mv_pending_events {}\n", h.Str(0, "pending_events"));
  health +=
      "# HELP vertice_mv_oldest_pending_seconds Age of the oldest pending event.\n"
      "# TYPE vertice_mv_oldest_pending_seconds gauge\n";
  health += fmt::format("vertice_mv_oldest_pending_seconds {}\n", h.Opt(0, "oldest_pending_seconds").value_or("0"));
  std::string counters =
      "# HELP vertice_mv_refresh_duration_seconds Successful refreshes of the unified view by level.\n"
      "# TYPE vertice_mv_refresh_duration_seconds histogram\n";
  std::string failures =
      "# HELP vertice_mv_refresh_failures_total Failed refreshes of the unified view by level.\n"
      "# TYPE vertice_mv_refresh_failures_total counter\n";
  for (int r = 0; r < c.Size(); ++r) {
    auto level = c.Str(r, "level");
    auto buckets = ArrayItems(c.Get(r, "buckets"));
    for (size_t i = 0; i < kBounds.size() && i < buckets.size(); ++i)
      counters += fmt::format("vertice_mv_refresh_duration_seconds_bucket{{level=\"{}\",le=\"{}\"}} {}\n", level,
                              kBounds[i], buckets[i]);
    counters += fmt::format("vertice_mv_refresh_duration_seconds_bucket{{level=\"{}\",le=\"+Inf\"}} {}\n", level,
                            c.Str(r, "succeeded"));
    counters +=
        fmt::format("vertice_mv_refresh_duration_seconds_sum{{level=\"{}\"}} {}\n", level, c.Str(r, "sum_seconds"));
    counters +=
        fmt::format("vertice_mv_refresh_duration_seconds_count{{level=\"{}\"}} {}\n", level, c.Str(r, "succeeded"));
    failures += fmt::format("vertice_mv_refresh_failures_total{{level=\"{}\"}} {}\n", level, c.Str(r, "failed"));
  }
  health +=
      "# HELP vertice_pg_archiver_archived_total WAL files PostgreSQL archived (pg_stat_archiver).\n"
      "# TYPE vertice_pg_archiver_archived_total counter\n";
  health += fmt::format("vertice_pg_archiver_archived_total {}\n", a.Str(0, "archived"));
  health +=
      "# HELP vertice_pg_archiver_failed_total Failed attempts to archive a WAL file (pg_stat_archiver).\n"
      "# TYPE vertice_pg_archiver_failed_total counter\n";
  health += fmt::format("vertice_pg_archiver_failed_total {}\n", a.Str(0, "failed"));
  health +=
      "# HELP vertice_pg_archiver_last_archived_timestamp_seconds When the last WAL file was archived (0: never).\n"
      "# TYPE vertice_pg_archiver_last_archived_timestamp_seconds gauge\n";
  health += fmt::format("vertice_pg_archiver_last_archived_timestamp_seconds {}\n", a.Str(0, "last_archived"));
  health +=
      "# HELP vertice_pg_archiver_last_failed_timestamp_seconds When archiving last failed (0: never).\n"
      "# TYPE vertice_pg_archiver_last_failed_timestamp_seconds gauge\n";
  health += fmt::format("vertice_pg_archiver_last_failed_timestamp_seconds {}\n", a.Str(0, "last_failed"));
  std::lock_guard lock(mu_);
  health_ = std::move(health);
  counters_ = counters + failures;
  co_return Status{};
}

db::Task<void> HealthGauges::Poll(db::Pool& pool, std::shared_ptr<std::atomic<bool>> stop, std::chrono::seconds every) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!*stop) {
    (void)co_await Update(pool);
    timer.expires_after(every);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

std::string HealthGauges::Render(bool leader, size_t subscribers, bool feed_connected) const {
  std::string out;
  {
    std::lock_guard lock(mu_);
    out = health_ + counters_;
  }
  out += fmt::format(
      "# HELP vertice_scheduler_leader Whether this instance runs the schedule.\n"
      "# TYPE vertice_scheduler_leader gauge\nvertice_scheduler_leader {}\n"
      "# HELP vertice_events_subscribers Open live-dashboard streams on this instance.\n"
      "# TYPE vertice_events_subscribers gauge\nvertice_events_subscribers {}\n"
      "# HELP vertice_change_feed_connected Whether this instance is listening for changes.\n"
      "# TYPE vertice_change_feed_connected gauge\nvertice_change_feed_connected {}\n",
      leader ? 1 : 0, subscribers, feed_connected ? 1 : 0);
  return out;
}

}  // namespace vertice::freshness
