DO $$
BEGIN
  IF has_table_privilege('vertice_app', 'login_failures', 'SELECT')
     OR has_table_privilege('vertice_app', 'login_failures', 'INSERT')
     OR has_table_privilege('vertice_app', 'login_failures', 'UPDATE')
     OR has_table_privilege('vertice_app', 'login_failures', 'DELETE') THEN
    RAISE EXCEPTION 'login_failures: only the auth functions may read or write it';
  END IF;
END $$;
