DROP FUNCTION IF EXISTS reconciliation_refresh_movements(bigint[]);
DROP TABLE IF EXISTS reconciliation_aliases, reconciliation_rules, reconciliation_events, reconciliation_match_lines,
  reconciliation_matches, reconciliation_runs;
