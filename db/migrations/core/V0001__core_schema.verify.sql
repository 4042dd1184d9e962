DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'companies', 'users', 'memberships', 'sessions', 'api_keys', 'audit_log'] LOOP
    IF NOT EXISTS (SELECT FROM pg_class WHERE relname = t AND relkind = 'r' AND relrowsecurity) THEN
      RAISE EXCEPTION 'table % missing or without row-level security', t;
    END IF;
  END LOOP;
  IF has_table_privilege('vertice_app', 'audit_log', 'UPDATE') OR has_table_privilege('vertice_app', 'audit_log', 'DELETE') THEN
    RAISE EXCEPTION 'vertice_app must not be able to change audit_log';
  END IF;
  IF has_table_privilege('vertice_app', 'sessions', 'SELECT') THEN
    RAISE EXCEPTION 'vertice_app must reach sessions only through auth functions';
  END IF;
END $$;
