DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'vertice_create_company' AND prosecdef
                  AND 'search_path=pg_catalog, public, pg_temp' = ANY (proconfig)) THEN
    RAISE EXCEPTION 'vertice_create_company must be SECURITY DEFINER with a fixed search_path';
  END IF;
  IF has_function_privilege('public', 'vertice_create_company(text, text, text, uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION 'vertice_create_company must not be executable by PUBLIC';
  END IF;
END $$;
