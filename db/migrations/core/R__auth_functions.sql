-- Authentication needs a few cross-tenant lookups before the tenant is known. They run as the
-- owner (SECURITY DEFINER) and expose only what login and token resolution need.

-- Earlier signatures (the lockout was one counter per account in users.locked_until).
DROP FUNCTION IF EXISTS auth_login_lookup(text);
DROP FUNCTION IF EXISTS auth_login_failed(uuid, integer, interval);
DROP FUNCTION IF EXISTS auth_login_succeeded(uuid, text, text, interval, text, text);

-- The user behind an e-mail, and whether sign-in is locked for this client (its own counter or
-- the account's; login_failures).
CREATE OR REPLACE FUNCTION auth_login_lookup(p_email text, p_client_key text)
RETURNS TABLE (user_id uuid, tenant_id text, password_hash text, status text, locked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT u.user_id, u.tenant_id, u.password_hash, u.status,
         EXISTS (SELECT FROM login_failures f
                  WHERE f.user_id = u.user_id AND f.client_key IN (p_client_key, '') AND f.locked_until > now())
    FROM users u WHERE u.email = lower(p_email)
$$;

-- Counts one failure in one counter: p_max failures within p_window lock it for p_lock. While
-- locked nothing is counted (the lock is not extended); after a lock or a quiet window the count
-- starts again. Called only by auth_login_failed.
CREATE OR REPLACE FUNCTION auth_count_login_failure(p_user uuid, p_key text, p_max integer, p_window interval,
                                                    p_lock interval)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
  INSERT INTO login_failures AS f (user_id, client_key, failures, window_started_at, locked_until)
  VALUES (p_user, p_key, 1, now(), CASE WHEN p_max <= 1 THEN now() + p_lock END)
  ON CONFLICT (user_id, client_key) DO UPDATE SET
    failures = CASE WHEN f.locked_until > now() THEN f.failures
                    WHEN f.locked_until IS NOT NULL OR f.window_started_at <= now() - p_window THEN 1
                    ELSE f.failures + 1 END,
    window_started_at = CASE WHEN f.locked_until > now() THEN f.window_started_at
                             WHEN f.locked_until IS NOT NULL OR f.window_started_at <= now() - p_window THEN now()
                             ELSE f.window_started_at END,
    locked_until = CASE WHEN f.locked_until > now() THEN f.locked_until
                        WHEN f.locked_until IS NOT NULL OR f.window_started_at <= now() - p_window
                          THEN CASE WHEN p_max <= 1 THEN now() + p_lock END
                        WHEN f.failures + 1 >= p_max THEN now() + p_lock
                        END
$$;

-- Records a wrong password for p_user from p_client_key: p_client_max failures within
-- p_client_window lock that client out of the account, p_account_max within p_account_window
-- lock the account for everyone; each lock lasts p_lock.
CREATE OR REPLACE FUNCTION auth_login_failed(p_user uuid, p_client_key text, p_client_max integer,
                                             p_client_window interval, p_account_max integer,
                                             p_account_window interval, p_lock interval)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  PERFORM auth_count_login_failure(p_user, p_client_key, p_client_max, p_client_window, p_lock);
  PERFORM auth_count_login_failure(p_user, '', p_account_max, p_account_window, p_lock);
  -- Bounded: the account's counters of other clients, quiet for a day, are forgotten.
  DELETE FROM login_failures f
   WHERE f.user_id = p_user AND f.client_key NOT IN (p_client_key, '')
     AND f.window_started_at < now() - interval '1 day' AND (f.locked_until IS NULL OR f.locked_until <= now());
END $$;

-- A successful sign-in: the session, and this client's failures forgotten (the account's counter
-- is not: a user signing in does not stop someone guessing elsewhere).
CREATE OR REPLACE FUNCTION auth_login_succeeded(p_user uuid, p_token_hash text, p_csrf_hash text,
                                                p_ttl interval, p_ip text, p_user_agent text, p_client_key text)
RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_expires timestamptz := now() + p_ttl;
BEGIN
  UPDATE users SET last_login_at = now() WHERE user_id = p_user;
  DELETE FROM login_failures WHERE user_id = p_user AND client_key = p_client_key;
  INSERT INTO sessions (token_hash, csrf_hash, user_id, tenant_id, expires_at, client_ip, user_agent)
  SELECT p_token_hash, p_csrf_hash, u.user_id, u.tenant_id, v_expires, p_ip, left(p_user_agent, 300)
    FROM users u WHERE u.user_id = p_user;
  RETURN v_expires;
END $$;

-- The principal behind a session token: the user and every company membership, or no row.
CREATE OR REPLACE FUNCTION auth_resolve_session(p_token_hash text)
RETURNS TABLE (user_id uuid, tenant_id text, email text, full_name text, csrf_hash text,
               expires_at timestamptz, memberships jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT u.user_id, u.tenant_id, u.email, u.full_name, s.csrf_hash, s.expires_at,
         COALESCE((SELECT jsonb_agg(jsonb_build_object('company_id', m.company_id, 'name', c.legal_name,
                                                        'role', m.role) ORDER BY m.company_id)
                     FROM memberships m JOIN companies c USING (company_id)
                    WHERE m.user_id = u.user_id), '[]'::jsonb)
    FROM sessions s JOIN users u USING (user_id)
   WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
     AND u.status = 'active'
$$;

CREATE OR REPLACE FUNCTION auth_resolve_api_key(p_key_hash text)
RETURNS TABLE (api_key_id uuid, tenant_id text, company_id text, company_name text, name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- last_used_at is advisory: written at most once a minute so resolution stays cheap.
  UPDATE api_keys k SET last_used_at = now()
   WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
     AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  RETURN QUERY
  SELECT k.api_key_id, k.tenant_id, k.company_id, c.legal_name, k.name, k.role
    FROM api_keys k JOIN companies c USING (company_id)
   WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL;
END $$;

CREATE OR REPLACE FUNCTION auth_revoke_session(p_token_hash text)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  WITH r AS (UPDATE sessions SET revoked_at = now()
              WHERE token_hash = p_token_hash AND revoked_at IS NULL RETURNING 1)
  SELECT EXISTS (SELECT FROM r)
$$;

-- Every instance caches principals for a few seconds; any change that could shrink a
-- principal's rights tells all instances at once (LISTEN vertice_auth).
CREATE OR REPLACE FUNCTION auth_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vertice_auth', TG_TABLE_NAME);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sessions_notify ON sessions;
CREATE TRIGGER sessions_notify AFTER UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_change();
DROP TRIGGER IF EXISTS api_keys_notify ON api_keys;
CREATE TRIGGER api_keys_notify AFTER UPDATE OF revoked_at, role OR DELETE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_change();
DROP TRIGGER IF EXISTS users_notify ON users;
CREATE TRIGGER users_notify AFTER UPDATE OF status, password_hash, email, full_name OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_change();
DROP TRIGGER IF EXISTS memberships_notify ON memberships;
CREATE TRIGGER memberships_notify AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_change();
DROP TRIGGER IF EXISTS companies_notify ON companies;
CREATE TRIGGER companies_notify AFTER UPDATE OR DELETE ON companies
  FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_change();

REVOKE ALL ON FUNCTION auth_count_login_failure(uuid, text, integer, interval, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_login_lookup(text, text),
  auth_login_failed(uuid, text, integer, interval, integer, interval, interval),
  auth_login_succeeded(uuid, text, text, interval, text, text, text), auth_resolve_session(text),
  auth_resolve_api_key(text), auth_revoke_session(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_lookup(text, text),
  auth_login_failed(uuid, text, integer, interval, integer, interval, interval),
  auth_login_succeeded(uuid, text, text, interval, text, text, text), auth_resolve_session(text),
  auth_resolve_api_key(text), auth_revoke_session(text) TO vertice_app;
