-- After a refresh serves a large backlog of level-2 events, the planner's statistics still say
-- most rows of mv_refresh_triggers are pending, and mv_health_check (read by every dashboard)
-- scans the whole table instead of the partial index of pending rows: 7 ms per read at 30,000
-- processed events. Refreshes call mv_analyze_events() after serving many events, and
-- autovacuum re-analyzes the table after every 1,000 changes rather than after 10 % of it.
ALTER TABLE mv_refresh_triggers SET (autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);

CREATE FUNCTION mv_analyze_events() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  ANALYZE mv_refresh_triggers;
END $$;
REVOKE ALL ON FUNCTION mv_analyze_events() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mv_analyze_events() TO vertice_app;
