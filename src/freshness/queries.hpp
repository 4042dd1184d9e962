// The freshness module's named SQL for what the API shows of the unified view's upkeep: health
// against the SLAs, refresh metrics and the company's large-transaction threshold.
#pragma once

namespace vertice::freshness::sql {

// Health against the SLAs for this company (its events, its and full refreshes).
inline constexpr const char* kHealth =
    "SELECT json_build_object('status', h.status, 'last_success_at', h.last_success_at, "
    "'age_seconds', h.age_seconds, 'last_full_success_at', h.last_full_success_at, "
    "'full_age_seconds', h.full_age_seconds, 'pending_events', h.pending_events, "
    "'oldest_pending_seconds', h.oldest_pending_seconds, 'last_status', h.last_status, "
    "'last_error', h.last_error, 'last_error_at', h.last_error_at, 'running', h.running, "
    "'slas', json_build_object('scheduled_seconds', 3600, 'event_seconds', 600), "
    "'recent', (SELECT coalesce(json_agg(json_build_object('refresh_id', l.refresh_id::text, 'level', l.level, "
    "'reason', l.reason, 'requested_by', l.requested_by, 'scope', CASE WHEN l.companies IS NULL THEN 'all' "
    "ELSE 'company' END, 'started_at', l.started_at, 'finished_at', l.finished_at, 'duration_ms', l.duration_ms, "
    "'rows_checked', l.rows_checked, 'rows_repaired', l.rows_repaired, 'events_served', l.events_served, "
    "'status', l.status, 'error', l.error) ORDER BY l.started_at DESC), '[]') "
    "FROM mv_refresh_history(vertice_current_company(), 20) l)) AS body "
    "FROM mv_health_check(clock_timestamp(), vertice_current_company()) h";

// Refresh counts, failures and durations by level, one row per window.
inline constexpr const char* kMetrics =
    "SELECT json_build_object('window', w.name, 'levels', (SELECT json_agg(json_build_object('level', m.level, "
    "'refreshes', m.refreshes, 'failures', m.failures, 'p50_ms', m.p50_ms, 'p95_ms', m.p95_ms, 'max_ms', m.max_ms, "
    "'rows_repaired', m.rows_repaired)) FROM mv_refresh_metrics(w.span) m)) AS body "
    "FROM (VALUES ('24h', interval '24 hours'), ('7d', interval '7 days')) AS w (name, span)";

// The threshold lives in companies.settings; the view's trigger reads it in every writer's
// transaction, so a change applies to the next write.
inline constexpr const char* kSettings =
    "SELECT coalesce(settings ->> 'large_transaction_threshold', '10000.00') AS threshold FROM companies "
    "WHERE company_id = vertice_current_company()";

// Every statement above, for the tenancy test (tests/unit/tenancy_sql_test.cpp).
inline constexpr const char* kAll[] = {kHealth, kSettings};

}  // namespace vertice::freshness::sql
