-- Failed sign-ins per account, counted twice (ADR 0013): per client address, so that someone
-- guessing from one place locks only that place out of the account, and for the account as a
-- whole (client_key = ''), a slower and higher limit against guessing from many places.
-- Replaces users.failed_logins / users.locked_until, which nothing reads any more.
CREATE TABLE login_failures (
  user_id           uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  client_key        text NOT NULL,  -- the client's address (an IPv6 client's /64), '' for the account
  failures          integer NOT NULL CHECK (failures >= 0),
  window_started_at timestamptz NOT NULL,
  locked_until      timestamptz,
  PRIMARY KEY (user_id, client_key)
);
-- Reached only through the SECURITY DEFINER auth functions (R__auth_functions.sql).
ALTER TABLE login_failures ENABLE ROW LEVEL SECURITY;
