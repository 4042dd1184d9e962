DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sat_invoice_imports', 'sat_invoices', 'sat_invoice_conceptos', 'sat_invoice_taxes',
                           'sat_invoice_relations', 'sat_payment_applications'] LOOP
    IF NOT EXISTS (SELECT FROM pg_class WHERE relname = t AND relrowsecurity) THEN
      RAISE EXCEPTION '% missing or without row-level security', t;
    END IF;
  END LOOP;
  IF has_table_privilege('vertice_app', 'sat_invoices', 'DELETE') THEN
    RAISE EXCEPTION 'fiscal documents must not be deletable by the server role';
  END IF;
END $$;
