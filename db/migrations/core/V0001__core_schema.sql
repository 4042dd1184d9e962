-- Core schema: tenants → companies → users with roles, sessions, API keys, audit log.
-- Every company- or tenant-scoped table has row-level security on the per-transaction settings
-- vertice.tenant_id / vertice.company_id (set with SET LOCAL semantics by the data layer).
-- The server connects as vertice_app, which owns nothing; the owner runs migrations.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vertice_app') THEN
    CREATE ROLE vertice_app NOLOGIN;
  END IF;
END $$;

CREATE FUNCTION vertice_current_tenant() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('vertice.tenant_id', true), '') $$;
CREATE FUNCTION vertice_current_company() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('vertice.company_id', true), '') $$;

CREATE TABLE tenants (
  tenant_id   text PRIMARY KEY CHECK (tenant_id ~ '^[a-z][a-z0-9-]{0,61}[a-z0-9]$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
  company_id  text PRIMARY KEY CHECK (company_id ~ '^[a-z][a-z0-9-]{0,61}[a-z0-9]$'),
  tenant_id   text NOT NULL REFERENCES tenants,
  legal_name  text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 300),
  rfc         text NOT NULL CHECK (rfc ~ '^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$'),
  settings    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, company_id)
);

CREATE TABLE users (
  user_id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           text NOT NULL REFERENCES tenants,
  email               text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%._%'),
  full_name           text NOT NULL DEFAULT '' CHECK (length(full_name) <= 200),
  password_hash       text NOT NULL,
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failed_logins       integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until        timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  last_login_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, user_id)
);

CREATE TABLE memberships (
  tenant_id   text NOT NULL,
  company_id  text NOT NULL,
  user_id     uuid NOT NULL,
  role        text NOT NULL CHECK (role IN ('owner', 'ceo', 'cfo', 'accountant', 'cashier', 'viewer')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, user_id),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
  session_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash  text NOT NULL UNIQUE,
  csrf_hash   text NOT NULL,
  user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  tenant_id   text NOT NULL REFERENCES tenants,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  client_ip   text,
  user_agent  text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_keys (
  api_key_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  role         text NOT NULL CHECK (role IN ('owner', 'ceo', 'cfo', 'accountant', 'cashier', 'viewer')),
  key_prefix   text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  created_by   uuid REFERENCES users ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
CREATE INDEX api_keys_company_idx ON api_keys (company_id, created_at);

CREATE TABLE audit_log (
  audit_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text,
  actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
  actor_id     text,
  action       text NOT NULL,
  entity_type  text NOT NULL,
  entity_id    text,
  before       jsonb,
  after        jsonb,
  request_id   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_company_idx ON audit_log (company_id, audit_id);

-- Append-only, even for the owner: corrections are new rows.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- Row-level security (defense in depth behind the data layer's own scoping).
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenants_scope ON tenants USING (tenant_id = vertice_current_tenant());

ALTER TABLE companies ENABLE ROW LEVEL SECURITY;
CREATE POLICY companies_scope ON companies USING (tenant_id = vertice_current_tenant());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_scope ON users USING (tenant_id = vertice_current_tenant());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY memberships_read ON memberships FOR SELECT
  USING (tenant_id = vertice_current_tenant());
CREATE POLICY memberships_insert ON memberships FOR INSERT
  WITH CHECK (tenant_id = vertice_current_tenant() AND company_id = vertice_current_company());
CREATE POLICY memberships_update ON memberships FOR UPDATE
  USING (company_id = vertice_current_company()) WITH CHECK (company_id = vertice_current_company());
CREATE POLICY memberships_delete ON memberships FOR DELETE
  USING (company_id = vertice_current_company());

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;  -- reached only through SECURITY DEFINER functions

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY api_keys_scope ON api_keys
  USING (tenant_id = vertice_current_tenant() AND company_id = vertice_current_company());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
  USING (tenant_id = vertice_current_tenant() AND company_id IS NOT DISTINCT FROM vertice_current_company());
CREATE POLICY audit_log_insert ON audit_log FOR INSERT
  WITH CHECK (tenant_id = vertice_current_tenant());

GRANT USAGE ON SCHEMA public TO vertice_app;
GRANT SELECT ON tenants, companies, schema_migrations TO vertice_app;
GRANT SELECT, INSERT, UPDATE ON users TO vertice_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO vertice_app;
GRANT SELECT, INSERT, UPDATE ON api_keys TO vertice_app;
GRANT SELECT, INSERT ON audit_log TO vertice_app;
