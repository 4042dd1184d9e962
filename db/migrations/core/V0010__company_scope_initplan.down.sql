CREATE OR REPLACE FUNCTION vertice_apply_company_rls(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('CREATE POLICY company_scope ON %s USING (tenant_id = vertice_current_tenant() '
                 'AND company_id = vertice_current_company())', p_table);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO vertice_app', p_table);
END $$;

DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_policies
           WHERE schemaname = current_schema() AND policyname = 'company_scope' LOOP
    EXECUTE format('ALTER POLICY company_scope ON %s USING (tenant_id = vertice_current_tenant() '
                   'AND company_id = vertice_current_company())', p.t);
  END LOOP;
END $$;
