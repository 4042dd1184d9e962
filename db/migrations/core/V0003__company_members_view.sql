-- The people of a company as one relation, so member listings go through the tenant-scoped
-- data layer like any table. security_invoker: the caller's row-level security applies.
CREATE VIEW company_members WITH (security_invoker = true) AS
  SELECT m.tenant_id, m.company_id, m.user_id, u.email, u.full_name, u.status, m.role, m.created_at AS added_at
    FROM memberships m JOIN users u ON u.user_id = m.user_id;
GRANT SELECT ON company_members TO vertice_app;
