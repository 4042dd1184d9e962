SET LOCAL lock_timeout = '5s';
-- An owner creates another company of their tenant from the web (POST /api/v1/companies). The
-- application role may not write companies or memberships of a company it is not scoped to, so
-- this function does both, for the scoped tenant only, when the caller owns the scoped company,
-- and makes the caller the new company's owner.
CREATE FUNCTION vertice_create_company(p_company_id text, p_legal_name text, p_rfc text, p_user_id uuid)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM memberships m
                  WHERE m.tenant_id = vertice_current_tenant() AND m.company_id = vertice_current_company()
                    AND m.user_id = p_user_id AND m.role = 'owner') THEN
    RAISE EXCEPTION 'only an owner of the scoped company creates another company' USING ERRCODE = '42501';
  END IF;
  INSERT INTO companies (company_id, tenant_id, legal_name, rfc)
  VALUES (p_company_id, vertice_current_tenant(), p_legal_name, p_rfc);
  INSERT INTO memberships (tenant_id, company_id, user_id, role)
  VALUES (vertice_current_tenant(), p_company_id, p_user_id, 'owner');
END $$;
REVOKE ALL ON FUNCTION vertice_create_company(text, text, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vertice_create_company(text, text, text, uuid) TO vertice_app;
