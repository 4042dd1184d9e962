DO $$
BEGIN
  IF pg_get_functiondef('cfdi_refresh_balances(text[])'::regprocedure) NOT LIKE '%(SELECT vertice_current_company())%' THEN
    RAISE EXCEPTION 'cfdi_refresh_balances still folds the company into its plan';
  END IF;
END $$;
