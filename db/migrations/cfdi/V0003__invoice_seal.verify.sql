DO $$
BEGIN
  IF (SELECT count(*) FROM information_schema.columns
      WHERE table_name = 'sat_invoices' AND column_name IN ('seal_state', 'seal_reason')) <> 2 THEN
    RAISE EXCEPTION 'sat_invoices lacks seal_state / seal_reason';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'sat_invoices_seal_state_check') THEN
    RAISE EXCEPTION 'sat_invoices_seal_state_check missing';
  END IF;
  IF pg_get_functiondef('cfdi_store_documents(bigint, jsonb, text)'::regprocedure) NOT LIKE '%seal_state%' THEN
    RAISE EXCEPTION 'cfdi_store_documents does not store the seal state';
  END IF;
END $$;
