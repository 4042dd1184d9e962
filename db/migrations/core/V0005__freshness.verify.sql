DO $$
BEGIN
  IF has_table_privilege('vertice_app', 'mv_refresh_log', 'UPDATE') THEN
    RAISE EXCEPTION 'the server role must change the refresh log only through its functions';
  END IF;
  IF (SELECT status FROM mv_health_check(clock_timestamp(), NULL)) IS NULL THEN
    RAISE EXCEPTION 'mv_health_check() must always answer';
  END IF;
END $$;
