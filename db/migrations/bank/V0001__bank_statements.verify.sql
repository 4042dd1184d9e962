DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bank_accounts', 'bank_statement_files', 'bank_statements', 'bank_movements'] LOOP
    IF NOT EXISTS (SELECT FROM pg_class WHERE relname = t AND relrowsecurity) THEN
      RAISE EXCEPTION '% missing or without row-level security', t;
    END IF;
    IF has_table_privilege('vertice_app', t, 'DELETE') THEN
      RAISE EXCEPTION 'bank history (%) must not be deletable by the server role', t;
    END IF;
  END LOOP;
END $$;
