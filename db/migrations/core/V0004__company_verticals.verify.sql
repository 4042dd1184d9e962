DO $$
BEGIN
  IF NOT (SELECT relrowsecurity FROM pg_class WHERE relname = 'company_verticals') THEN
    RAISE EXCEPTION 'company_verticals must have row-level security';
  END IF;
END $$;
