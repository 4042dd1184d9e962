-- Every SECURITY DEFINER function runs as the owner with search_path = pg_catalog, public, pg_temp:
-- pg_temp last, so a temporary table created by the caller (any role with TEMP, the default) can
-- never stand in for users, sessions or any other table inside them. Functions created
-- after this migration say so themselves; tests/integration/rls_test.cpp checks them all.
DO $$
DECLARE f record;
BEGIN
  FOR f IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.prosecdef AND n.nspname = current_schema() LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, public, pg_temp', f.fn);
  END LOOP;
END $$;
