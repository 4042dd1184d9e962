-- Which verticals each company uses (the registry of code lives in src/verticals/): enabled flag,
-- the company's configuration of the vertical, and when it was first activated.
CREATE TABLE company_verticals (
  tenant_id     text NOT NULL,
  company_id    text NOT NULL,
  vertical      text NOT NULL CHECK (vertical ~ '^[a-z][a-z0-9_]{0,30}$'),
  enabled       boolean NOT NULL DEFAULT true,
  config        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
  activated_at  timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, company_id, vertical),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id) ON DELETE CASCADE
);
SELECT vertice_apply_company_rls('company_verticals');

-- Scheduled jobs run per company that has a vertical enabled, before any company is in scope.
CREATE FUNCTION vertical_enabled_companies(p_vertical text)
RETURNS TABLE (tenant_id text, company_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT cv.tenant_id, cv.company_id FROM company_verticals cv
  WHERE cv.vertical = p_vertical AND cv.enabled
$$;
REVOKE ALL ON FUNCTION vertical_enabled_companies(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vertical_enabled_companies(text) TO vertice_app;
