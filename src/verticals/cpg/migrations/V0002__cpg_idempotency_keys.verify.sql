DO $$
BEGIN
  IF NOT (SELECT relrowsecurity FROM pg_class WHERE relname = 'cpg_idempotency_keys') THEN
    RAISE EXCEPTION 'cpg_idempotency_keys must have row-level security';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'cpg_idempotency_keys'::regclass AND contype = 'p') THEN
    RAISE EXCEPTION 'cpg_idempotency_keys needs its primary key: concurrent retries must not write twice';
  END IF;
END $$;
