-- Removes the unified view and its maintenance before a source it reads from is rolled back; the
-- next `migrate up` builds it again from the contributions then present.
DROP FUNCTION IF EXISTS refresh_universal_transactions();
DROP FUNCTION IF EXISTS universal_revenue_rollup(date, date, boolean);
DROP FUNCTION IF EXISTS get_company_total_revenue(text, date, date);
DROP FUNCTION IF EXISTS get_company_total_revenue(text);
DROP FUNCTION IF EXISTS universal_on_change() CASCADE;  -- and the triggers on every source
DO $$
DECLARE f record;
BEGIN
  FOR f IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proname LIKE 'universal\_insert\_%' LOOP
    EXECUTE format('DROP FUNCTION %s CASCADE', f.fn);
  END LOOP;
END $$;
DO $$
DECLARE i record;
BEGIN
  FOR i IN SELECT indexname FROM pg_indexes
           WHERE schemaname = 'public' AND indexname LIKE '%\_universal\_%' AND tablename NOT LIKE 'universal\_%' LOOP
    EXECUTE format('DROP INDEX %I', i.indexname);
  END LOOP;
END $$;
DROP FUNCTION IF EXISTS universal_repair(text[]), universal_compact(), universal_sync(text, text[]),
  universal_lock_keys(text, text[]), universal_lock_follows(text[]), universal_follow_keys_sql(text, text),
  universal_watch(text), universal_install_insert_path(text, text), universal_register_source(text, text),
  universal_register_follower(text, text, text, text);
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm')
             AND c.relname IN ('universal_revenue_monthly', 'universal_transactions', 'universal_daily',
                               'universal_revenue_monthly_mv', 'universal_transactions_mv', 'universal_daily_totals',
                               'universal_followers', 'universal_sources', 'universal_transactions_source',
                               'universal_revenue_events', 'universal_monthly_totals', 'universal_monthly') LOOP
    EXECUTE format('DROP %s IF EXISTS %I CASCADE',
                   CASE r.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.relname);
  END LOOP;
END $$;
DROP FUNCTION IF EXISTS universal_is_revenue(text);
