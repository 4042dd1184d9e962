DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'services_billing_facts'
                  AND 'security_invoker=true' = ANY (reloptions)) THEN
    RAISE EXCEPTION 'services_billing_facts must be a security_invoker view (row-level security of the caller)';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'services_contract_facts'
                  AND 'security_invoker=true' = ANY (reloptions)) THEN
    RAISE EXCEPTION 'services_contract_facts must be a security_invoker view (row-level security of the caller)';
  END IF;
END $$;
