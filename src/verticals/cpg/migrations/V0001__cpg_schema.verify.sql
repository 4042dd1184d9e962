DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cpg_products', 'cpg_pos', 'cpg_sales', 'cpg_sale_lines', 'cpg_consignments',
                           'cpg_consignment_lines', 'cpg_consignment_settlements'] LOOP
    IF NOT (SELECT relrowsecurity FROM pg_class WHERE relname = t) THEN
      RAISE EXCEPTION '% must have row-level security', t;
    END IF;
  END LOOP;
END $$;
