DROP FUNCTION IF EXISTS mv_analyze_events();
ALTER TABLE mv_refresh_triggers RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
