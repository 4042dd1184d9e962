DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_class WHERE relname = 'status_history' AND relrowsecurity) THEN
    RAISE EXCEPTION 'status_history missing or without row-level security';
  END IF;
  IF has_table_privilege('vertice_app', 'status_history', 'UPDATE') THEN
    RAISE EXCEPTION 'status history must be append-only for the server role';
  END IF;
END $$;
