DO $$ BEGIN
  IF NOT (SELECT bool_and(relrowsecurity) FROM pg_class WHERE relname IN ('services_contracts', 'services_billings'))
  THEN RAISE EXCEPTION 'services tables must have row-level security'; END IF;
END $$;
