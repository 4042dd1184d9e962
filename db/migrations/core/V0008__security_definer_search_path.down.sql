DO $$
DECLARE f record;
BEGIN
  FOR f IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.prosecdef AND n.nspname = current_schema() LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = public', f.fn);
  END LOOP;
END $$;
