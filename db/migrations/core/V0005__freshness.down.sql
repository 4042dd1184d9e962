DROP FUNCTION mv_refresh_begin(text, text, text, text[], text), mv_refresh_run(bigint), mv_refresh_fail(bigint, text),
  mv_refresh_abandon(interval), mv_pending_companies(), scheduler_try_lead(text, text, interval),
  scheduler_resign(text, text), mv_health_check(timestamptz, text), mv_refresh_metrics(interval, timestamptz),
  mv_refresh_history(text, integer), mv_refresh_counters(), mv_prune();
DROP TABLE scheduler_leases;
DROP TABLE mv_refresh_triggers;
DROP TABLE mv_refresh_log;
DROP POLICY companies_update_own ON companies;
REVOKE UPDATE (settings) ON companies FROM vertice_app;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); END $$;
