DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_class WHERE relname = 'company_members' AND relkind = 'v'
                 AND 'security_invoker=true' = ANY (reloptions)) THEN
    RAISE EXCEPTION 'company_members must be a security_invoker view';
  END IF;
END $$;
