DROP TABLE IF EXISTS audit_log, api_keys, sessions, memberships, users, companies, tenants CASCADE;
DROP FUNCTION IF EXISTS audit_log_refuse_change() CASCADE;
DROP FUNCTION IF EXISTS vertice_current_tenant() CASCADE;
DROP FUNCTION IF EXISTS vertice_current_company() CASCADE;
DROP FUNCTION IF EXISTS auth_login_lookup(text), auth_login_failed(uuid, integer, interval),
  auth_login_succeeded(uuid, text, text, interval, text, text), auth_resolve_session(text),
  auth_resolve_api_key(text), auth_revoke_session(text), auth_notify_change() CASCADE;
