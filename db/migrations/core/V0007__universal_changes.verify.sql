DO $$
BEGIN
  IF NOT has_table_privilege('vertice_app', 'universal_changes', 'SELECT')
     OR has_table_privilege('vertice_app', 'universal_changes', 'INSERT') THEN
    RAISE EXCEPTION 'universal_changes: the server reads it; only the view''s maintenance writes it';
  END IF;
END $$;
