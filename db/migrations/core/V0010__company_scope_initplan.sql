-- Company-scoped row-level security, planned the same whatever the statistics know of a company.
-- Written as `company_id = vertice_current_company()`, the policy's condition is folded to the
-- current company when a statement is planned, and the estimate comes from that company's
-- statistics: a company created or grown since the last ANALYZE (an import of 100,000 CFDI into a
-- new company) is estimated at one row, and the planner then scans the company's rows through any
-- company-leading index where it should look rows up by key, once per batch row (the CFDI import
-- fell from 5,000 to 1,955 documents/s at 100,000, issue 19). As `(SELECT …)` the value is an
-- initplan parameter: the same index conditions, but the estimate is the average company's share.

-- Wait at most 5 s for a table's lock (ALTER POLICY / CREATE OR REPLACE FUNCTION) rather than
-- queueing every request behind a long transaction; the deploy then fails and rolls back.
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION vertice_apply_company_rls(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('CREATE POLICY company_scope ON %s USING (tenant_id = (SELECT vertice_current_tenant()) '
                 'AND company_id = (SELECT vertice_current_company()))', p_table);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO vertice_app', p_table);
END $$;

DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_policies
           WHERE schemaname = current_schema() AND policyname = 'company_scope' LOOP
    EXECUTE format('ALTER POLICY company_scope ON %s USING (tenant_id = (SELECT vertice_current_tenant()) '
                   'AND company_id = (SELECT vertice_current_company()))', p.t);
  END LOOP;
END $$;
