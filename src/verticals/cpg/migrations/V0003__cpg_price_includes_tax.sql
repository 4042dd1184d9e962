SET LOCAL lock_timeout = '5s';
-- Whether a product's price includes its IVA. A shelf price shown to a consumer includes it (the
-- consumer protection law, LFPC art. 7 bis, requires the total price): the point of sale then
-- charges that price and shows the IVA it contains; consignment and invoices stay net + IVA.
-- A constant default adds the columns without rewriting the tables (PostgreSQL 11+).
ALTER TABLE cpg_products ADD COLUMN price_includes_tax boolean NOT NULL DEFAULT false;
-- A ticket's line remembers how it was priced: its unit_price is then the shelf price.
ALTER TABLE cpg_sale_lines ADD COLUMN price_includes_tax boolean NOT NULL DEFAULT false;
