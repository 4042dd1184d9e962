-- Shared logic support: the RLS helper every company-scoped table uses, and the status history
-- every status machine writes.

-- Enables row-level security on a company-scoped table (tenant_id + company_id columns) and
-- grants the server role the DML it needs. Verticals call it in their first migration.
CREATE FUNCTION vertice_apply_company_rls(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('CREATE POLICY company_scope ON %s USING (tenant_id = vertice_current_tenant() '
                 'AND company_id = vertice_current_company())', p_table);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO vertice_app', p_table);
END $$;

CREATE TABLE status_history (
  history_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  machine      text NOT NULL,  -- e.g. cpg.consignment
  entity_id    text NOT NULL,
  from_status  text NOT NULL,
  event        text NOT NULL,
  to_status    text NOT NULL,
  actor_type   text NOT NULL,
  actor_id     text,
  request_id   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_history_entity_idx ON status_history (company_id, machine, entity_id, history_id);
SELECT vertice_apply_company_rls('status_history');
REVOKE UPDATE, DELETE ON status_history FROM vertice_app;
