DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['reconciliation_runs', 'reconciliation_matches', 'reconciliation_match_lines',
                           'reconciliation_events', 'reconciliation_rules', 'reconciliation_aliases'] LOOP
    IF NOT EXISTS (SELECT FROM pg_class WHERE relname = t AND relrowsecurity) THEN
      RAISE EXCEPTION '% missing or without row-level security', t;
    END IF;
  END LOOP;
  IF has_table_privilege('vertice_app', 'reconciliation_events', 'UPDATE')
     OR has_table_privilege('vertice_app', 'reconciliation_events', 'DELETE') THEN
    RAISE EXCEPTION 'reconciliation events are append-only';
  END IF;
END $$;
