SET LOCAL lock_timeout = '5s';
ALTER TABLE cpg_sale_lines DROP COLUMN price_includes_tax;
ALTER TABLE cpg_products DROP COLUMN price_includes_tax;
