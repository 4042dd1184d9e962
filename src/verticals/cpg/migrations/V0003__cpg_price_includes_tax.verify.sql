DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_name = 'cpg_products' AND column_name = 'price_includes_tax' AND is_nullable = 'NO') THEN
    RAISE EXCEPTION 'cpg_products.price_includes_tax must exist and be NOT NULL';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_name = 'cpg_sale_lines' AND column_name = 'price_includes_tax') THEN
    RAISE EXCEPTION 'cpg_sale_lines.price_includes_tax must exist';
  END IF;
END $$;
