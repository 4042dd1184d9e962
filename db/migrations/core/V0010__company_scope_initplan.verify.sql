DO $$
DECLARE v_bad text;
BEGIN
  SELECT string_agg(tablename, ', ') INTO v_bad FROM pg_policies
  WHERE schemaname = current_schema() AND policyname = 'company_scope'
    AND (qual NOT LIKE '%SELECT vertice_current_company()%' OR qual NOT LIKE '%SELECT vertice_current_tenant()%');
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'company_scope policies not in initplan form: %', v_bad;
  END IF;
END $$;
