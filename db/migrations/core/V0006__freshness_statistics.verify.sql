DO $$
BEGIN
  IF NOT has_function_privilege('vertice_app', 'mv_analyze_events()', 'EXECUTE') THEN
    RAISE EXCEPTION 'mv_analyze_events() must be callable by the server role';
  END IF;
END $$;
