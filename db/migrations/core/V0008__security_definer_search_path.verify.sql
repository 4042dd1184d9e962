DO $$
DECLARE bad text;
BEGIN
  SELECT string_agg(p.oid::regprocedure::text, ', ') INTO bad FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE p.prosecdef AND n.nspname = current_schema()
     AND NOT coalesce('search_path=pg_catalog, public, pg_temp' = ANY (p.proconfig), false);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'SECURITY DEFINER functions without search_path = pg_catalog, public, pg_temp: %', bad;
  END IF;
END $$;
