-- Which companies' unified numbers changed, for the live dashboards. Writers used to NOTIFY at
-- commit, but PostgreSQL serialises the commits of every notifying transaction (one queue lock
-- held through the commit's WAL flush): with 8 concurrent POS writers that halved throughput.
-- Now the view's maintenance appends a row here (unlogged: a crash loses only notices, and
-- dashboards re-read everything when the feed reconnects) and each server polls it.
CREATE UNLOGGED TABLE universal_changes (
  change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id  text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
GRANT SELECT ON universal_changes TO vertice_app;

-- Housekeeping: notices older than ten minutes have been delivered (or were missed by a feed
-- that has since reconnected and told everyone to re-read).
CREATE FUNCTION universal_changes_prune() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH gone AS (DELETE FROM universal_changes WHERE changed_at < clock_timestamp() - interval '10 minutes' RETURNING 1)
  SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION universal_changes_prune() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION universal_changes_prune() TO vertice_app;
