-- The unified view's refresh layer: the log of every refresh (scheduled, event-driven, on demand),
-- the queue of large transactions that ask for one, the leader lease of the scheduler, and the
-- health and metrics the API and /metrics report. The view's own maintenance lives in the
-- `universal` component (it is generated from the verticals); these tables outlive rebuilds of it.

CREATE TABLE mv_refresh_log (
  refresh_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  level            text NOT NULL CHECK (level IN ('scheduled', 'event', 'on_demand')),
  reason           text NOT NULL DEFAULT '',
  requested_by     text NOT NULL DEFAULT 'system',
  companies        text[],  -- NULL: every company
  instance         text NOT NULL DEFAULT '',
  started_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at      timestamptz,
  duration_ms      numeric(12,1),
  rows_checked     bigint,
  rows_repaired    bigint,
  totals_repaired  bigint,
  events_served    bigint,
  status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  error            text
);
CREATE INDEX mv_refresh_log_started ON mv_refresh_log (started_at DESC);
CREATE INDEX mv_refresh_log_succeeded ON mv_refresh_log (finished_at DESC) WHERE status = 'succeeded';

-- Level 2: a row per change of the view at or above the company's threshold, queued by the view's
-- maintenance trigger in the writer's transaction; processed by the refresh that served it.
CREATE TABLE mv_refresh_triggers (
  trigger_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     text NOT NULL,
  company_id    text NOT NULL,
  source_table  text NOT NULL,
  source_id     text NOT NULL,
  amount        numeric(18,2) NOT NULL,
  change        text NOT NULL CHECK (change IN ('upsert', 'delete')),
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  processed_at  timestamptz,
  refresh_id    bigint REFERENCES mv_refresh_log
);
CREATE INDEX mv_refresh_triggers_pending ON mv_refresh_triggers (company_id, trigger_id) WHERE processed_at IS NULL;

-- One leader among the `vertice serve` instances runs the schedule: a lease row renewed while alive
-- (works through PgBouncer in transaction mode, unlike a session advisory lock).
CREATE TABLE scheduler_leases (
  name         text PRIMARY KEY,
  holder       text NOT NULL,
  acquired_at  timestamptz NOT NULL,
  renewed_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);

-- JIT compilation is for long analytical queries; on this application's short ones it only adds
-- latency (measured: the dashboard query 1.45 s with JIT, 16 ms without, at 40,000 rows).
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$;

-- Owners set the company's large-transaction threshold (companies.settings); only their own
-- company's row, whatever the statement says.
GRANT UPDATE (settings) ON companies TO vertice_app;
CREATE POLICY companies_update_own ON companies AS RESTRICTIVE FOR UPDATE
  USING (company_id = vertice_current_company()) WITH CHECK (company_id = vertice_current_company());

-- A refresh is logged as running in its own committed transaction first, so a refresh that dies
-- (killed process, restarted database) still leaves a row that health reports.
CREATE FUNCTION mv_refresh_begin(p_level text, p_reason text, p_requested_by text, p_companies text[],
                                 p_instance text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO mv_refresh_log (level, reason, requested_by, companies, instance)
  VALUES (p_level, p_reason, p_requested_by, p_companies, p_instance)
  RETURNING refresh_id
$$;

-- The refresh itself; the caller runs it in a REPEATABLE READ transaction and commits. Re-derives
-- the companies from the sources and repairs differences, serves the pending level-2 events of
-- those companies, and marks the log row succeeded — all or nothing.
CREATE FUNCTION mv_refresh_run(p_refresh_id bigint)
RETURNS TABLE (rows_checked bigint, rows_repaired bigint, totals_repaired bigint, events_served bigint,
               duration_ms numeric, started_at timestamptz, finished_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_log mv_refresh_log;
  v_repair record;
  v_events bigint;
  v_company text;
BEGIN
  PERFORM pg_advisory_xact_lock(7203, p_refresh_id::integer);  -- alive: see mv_refresh_abandon()
  SELECT * INTO v_log FROM mv_refresh_log WHERE refresh_id = p_refresh_id AND status = 'running';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'refresh % is not running', p_refresh_id;
  END IF;
  -- One refresh of a company at a time; a full refresh excludes all others.
  IF v_log.companies IS NULL THEN
    PERFORM pg_advisory_xact_lock(7204, 0);
  ELSE
    PERFORM pg_advisory_xact_lock_shared(7204, 0);
    FOR v_company IN SELECT DISTINCT c FROM unnest(v_log.companies) AS c ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock(7205, hashtext(v_company));
    END LOOP;
  END IF;
  SELECT * INTO v_repair FROM universal_repair(v_log.companies);
  WITH served AS (
    UPDATE mv_refresh_triggers t SET processed_at = clock_timestamp(), refresh_id = p_refresh_id
    WHERE t.processed_at IS NULL AND (v_log.companies IS NULL OR t.company_id = ANY (v_log.companies))
    RETURNING 1)
  SELECT count(*) INTO v_events FROM served;
  UPDATE mv_refresh_log l
  SET status = 'succeeded', finished_at = clock_timestamp(),
      duration_ms = round(extract(epoch FROM clock_timestamp() - l.started_at)::numeric * 1000, 1),
      rows_checked = v_repair.rows_checked, rows_repaired = v_repair.rows_repaired,
      totals_repaired = v_repair.totals_repaired, events_served = v_events
  WHERE l.refresh_id = p_refresh_id;
  RETURN QUERY SELECT v_repair.rows_checked, v_repair.rows_repaired, v_repair.totals_repaired, v_events,
                      l.duration_ms, l.started_at, l.finished_at FROM mv_refresh_log l WHERE l.refresh_id = p_refresh_id;
END $$;

CREATE FUNCTION mv_refresh_fail(p_refresh_id bigint, p_error text)
RETURNS TABLE (duration_ms numeric, started_at timestamptz, finished_at timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  UPDATE mv_refresh_log
  SET status = 'failed', finished_at = clock_timestamp(), error = left(p_error, 2000),
      duration_ms = round(extract(epoch FROM clock_timestamp() - started_at)::numeric * 1000, 1)
  WHERE refresh_id = p_refresh_id AND status = 'running'
  RETURNING duration_ms, started_at, finished_at
$$;

-- Refreshes whose process or database session died stay 'running'; nobody holds their lock.
CREATE FUNCTION mv_refresh_abandon(p_grace interval DEFAULT '1 minute') RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_id bigint;
  v_n integer := 0;
BEGIN
  FOR v_id IN SELECT refresh_id FROM mv_refresh_log
              WHERE status = 'running' AND started_at < clock_timestamp() - p_grace LOOP
    IF pg_try_advisory_xact_lock(7203, v_id::integer) THEN
      UPDATE mv_refresh_log SET status = 'failed', finished_at = clock_timestamp(),
             error = 'abandoned: the refresh''s process or database session ended before it finished'
      WHERE refresh_id = v_id;
      v_n := v_n + 1;
    END IF;
  END LOOP;
  RETURN v_n;
END $$;

-- Retention: processed events after 30 days, refresh log rows after 90 (housekeeping).
CREATE FUNCTION mv_prune() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH events AS (
    DELETE FROM mv_refresh_triggers WHERE processed_at < clock_timestamp() - interval '30 days' RETURNING 1
  ), log AS (
    DELETE FROM mv_refresh_log l WHERE l.started_at < clock_timestamp() - interval '90 days' AND l.status <> 'running'
      AND NOT EXISTS (SELECT 1 FROM mv_refresh_triggers t WHERE t.refresh_id = l.refresh_id
                      AND t.processed_at >= clock_timestamp() - interval '30 days')
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM log)
$$;

-- Companies with pending level-2 events (the worker refreshes exactly these).
CREATE FUNCTION mv_pending_companies() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT array_agg(DISTINCT company_id ORDER BY company_id) FROM mv_refresh_triggers WHERE processed_at IS NULL
$$;

-- The scheduler's lease: taken when free or expired, renewed by its holder. Uses the database's
-- clock so instances with skewed clocks agree.
CREATE FUNCTION scheduler_try_lead(p_name text, p_holder text, p_ttl interval) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH taken AS (
    INSERT INTO scheduler_leases AS l (name, holder, acquired_at, renewed_at, expires_at)
    VALUES (p_name, p_holder, clock_timestamp(), clock_timestamp(), clock_timestamp() + p_ttl)
    ON CONFLICT (name) DO UPDATE
      SET holder = EXCLUDED.holder, renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at,
          acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE EXCLUDED.acquired_at END
      WHERE l.holder = EXCLUDED.holder OR l.expires_at < clock_timestamp()
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM taken)
$$;

CREATE FUNCTION scheduler_resign(p_name text, p_holder text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  DELETE FROM scheduler_leases WHERE name = p_name AND holder = p_holder
$$;

-- Health against the SLAs: the whole view verified within 60 min (level 1) and every large
-- transaction's refresh within 10 min (level 2). Beyond the SLA: stale; beyond twice it: critical.
-- `p_now` lets tests ask "what would health say at this time".
CREATE FUNCTION mv_health_check(p_now timestamptz DEFAULT clock_timestamp(), p_company text DEFAULT NULL)
RETURNS TABLE (status text, last_success_at timestamptz, age_seconds numeric, last_full_success_at timestamptz,
               full_age_seconds numeric, pending_events bigint, oldest_pending_seconds numeric,
               last_status text, last_error text, last_error_at timestamptz, running bigint)
-- PL/pgSQL so each session plans it once: the dashboard calls it on every read.
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH ok AS (  -- newest first along mv_refresh_log_succeeded: a few rows however long the log
    SELECT (SELECT l.finished_at FROM mv_refresh_log l
            WHERE l.status = 'succeeded' AND l.finished_at <= p_now
              AND (p_company IS NULL OR l.companies IS NULL OR p_company = ANY (l.companies))
            ORDER BY l.finished_at DESC LIMIT 1) AS any_at,
           (SELECT l.finished_at FROM mv_refresh_log l
            WHERE l.status = 'succeeded' AND l.finished_at <= p_now AND l.companies IS NULL
            ORDER BY l.finished_at DESC LIMIT 1) AS full_at
  ), pending AS (
    SELECT count(*) AS n, min(created_at) AS oldest FROM mv_refresh_triggers
    WHERE processed_at IS NULL AND (p_company IS NULL OR company_id = p_company)
  ), last AS (
    SELECT status, error, finished_at FROM mv_refresh_log
    WHERE (p_company IS NULL OR companies IS NULL OR p_company = ANY (companies)) AND started_at <= p_now
    ORDER BY started_at DESC LIMIT 1
  ), last_failed AS (
    SELECT error, finished_at FROM mv_refresh_log
    WHERE status = 'failed' AND (p_company IS NULL OR companies IS NULL OR p_company = ANY (companies))
      AND started_at <= p_now
    ORDER BY started_at DESC LIMIT 1
  ), ages AS (
    SELECT ok.any_at, ok.full_at,
           extract(epoch FROM p_now - greatest(ok.any_at, ok.full_at))::numeric AS age,
           extract(epoch FROM p_now - ok.full_at)::numeric AS full_age,
           pending.n, extract(epoch FROM p_now - pending.oldest)::numeric AS oldest_age
    FROM ok, pending
  )
  SELECT CASE
           WHEN a.full_at IS NULL OR a.full_age > 7200 OR COALESCE(a.oldest_age, 0) > 1200 THEN 'critical'
           WHEN a.full_age > 3600 OR COALESCE(a.oldest_age, 0) > 600 THEN 'stale'
           ELSE 'fresh' END,
         greatest(a.any_at, a.full_at), round(a.age, 1), a.full_at, round(a.full_age, 1), a.n,
         round(a.oldest_age, 1), (SELECT status FROM last), (SELECT error FROM last_failed),
         (SELECT finished_at FROM last_failed),
         (SELECT count(*) FROM mv_refresh_log WHERE status = 'running')
  FROM ages a;
END $$;

-- Counts, failures and duration percentiles by level over a window (24 h, 7 d).
CREATE FUNCTION mv_refresh_metrics(p_window interval, p_now timestamptz DEFAULT clock_timestamp())
RETURNS TABLE (level text, refreshes bigint, failures bigint, p50_ms numeric, p95_ms numeric, max_ms numeric,
               rows_repaired bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT lv.level, count(l.refresh_id), count(l.refresh_id) FILTER (WHERE l.status = 'failed'),
         round((percentile_cont(0.5) WITHIN GROUP (ORDER BY l.duration_ms) FILTER (WHERE l.status = 'succeeded'))::numeric, 1),
         round((percentile_cont(0.95) WITHIN GROUP (ORDER BY l.duration_ms) FILTER (WHERE l.status = 'succeeded'))::numeric, 1),
         max(l.duration_ms) FILTER (WHERE l.status = 'succeeded'), COALESCE(sum(l.rows_repaired), 0)::bigint
  FROM (VALUES ('scheduled'), ('event'), ('on_demand')) AS lv (level)
  LEFT JOIN mv_refresh_log l ON l.level = lv.level AND l.started_at > p_now - p_window AND l.started_at <= p_now
  GROUP BY lv.level ORDER BY lv.level
$$;

-- The most recent refreshes a company's users may see: its own and full ones.
CREATE FUNCTION mv_refresh_history(p_company text, p_limit integer)
RETURNS SETOF mv_refresh_log
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT * FROM mv_refresh_log WHERE companies IS NULL OR p_company = ANY (companies)
  ORDER BY started_at DESC LIMIT p_limit
$$;

-- Cumulative counters for Prometheus: per level, refreshes by outcome and a duration histogram
-- (bounds in seconds: 0.1 0.25 0.5 1 2.5 5 10 30 60 120 300).
CREATE FUNCTION mv_refresh_counters()
RETURNS TABLE (level text, succeeded bigint, failed bigint, sum_seconds numeric, buckets bigint[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT lv.level,
         (SELECT count(*) FROM mv_refresh_log l WHERE l.level = lv.level AND l.status = 'succeeded'),
         (SELECT count(*) FROM mv_refresh_log l WHERE l.level = lv.level AND l.status = 'failed'),
         (SELECT COALESCE(sum(l.duration_ms), 0) / 1000 FROM mv_refresh_log l
          WHERE l.level = lv.level AND l.status = 'succeeded'),
         ARRAY(SELECT (SELECT count(*) FROM mv_refresh_log l
                       WHERE l.level = lv.level AND l.status = 'succeeded' AND l.duration_ms <= u.b * 1000)
               FROM unnest(ARRAY[0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]) WITH ORDINALITY AS u (b, i)
               ORDER BY u.i)
  FROM (VALUES ('scheduled'), ('event'), ('on_demand')) AS lv (level)
  ORDER BY lv.level
$$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['mv_refresh_begin(text,text,text,text[],text)', 'mv_refresh_run(bigint)',
                           'mv_refresh_fail(bigint,text)', 'mv_refresh_abandon(interval)', 'mv_pending_companies()',
                           'scheduler_try_lead(text,text,interval)', 'scheduler_resign(text,text)',
                           'mv_health_check(timestamptz,text)', 'mv_refresh_metrics(interval,timestamptz)',
                           'mv_refresh_history(text,integer)', 'mv_refresh_counters()', 'mv_prune()'] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO vertice_app', f);
  END LOOP;
END $$;
