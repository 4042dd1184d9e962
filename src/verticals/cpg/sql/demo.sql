-- Demo data: a year of CPG retail business for the company in scope (vertice_current_tenant(),
-- vertice_current_company()), run once by `vertice demo load` as the owner role. Quantities are
-- pseudo-random but fixed (hashes of the day and the point of sale), dates relative to today;
-- amounts are priced as the vertical prices them (per line, half up).
CREATE TEMP TABLE demo_ctx ON COMMIT DROP AS
  SELECT vertice_current_tenant() AS t, vertice_current_company() AS c,
         (now() AT TIME ZONE 'America/Mexico_City')::date AS today;

-- Shelf prices, IVA included (what the consumer pays, as the consumer protection law requires them
-- shown), at each product's rate under LIVA art. 2-A: foods 0 % (milk, cookies, chips, coffee,
-- tuna); beverages other than milk 16 % (juices and water in containers under 10 L included);
-- household goods 16 %.
INSERT INTO cpg_products (tenant_id, company_id, sku, name, unit_price, iva_rate, price_includes_tax)
SELECT t, c, sku, name, price, iva, true FROM demo_ctx, (VALUES
  ('AGUA-600', 'Agua purificada 600 ml', 8.50, 0.16), ('AGUA-1500', 'Agua purificada 1.5 L', 14.00, 0.16),
  ('REF-COLA-600', 'Refresco de cola 600 ml', 16.50, 0.16), ('JUGO-NAR-1L', 'Jugo de naranja 1 L', 28.00, 0.16),
  ('LECHE-1L', 'Leche entera 1 L', 26.50, 0), ('GALLETA-170', 'Galletas marías 170 g', 18.00, 0),
  ('PAPAS-45', 'Papas fritas 45 g', 17.00, 0), ('CAFE-200', 'Café soluble 200 g', 96.00, 0),
  ('DETERG-1K', 'Detergente en polvo 1 kg', 42.00, 0.16), ('JABON-3P', 'Jabón de tocador 3 piezas', 39.00, 0.16),
  ('PAPEL-4R', 'Papel higiénico 4 rollos', 34.00, 0.16), ('ATUN-140', 'Atún en agua 140 g', 21.50, 0)
) AS p(sku, name, price, iva);

INSERT INTO cpg_pos (tenant_id, company_id, code, name, retailer_rfc, address, commission_rate)
SELECT t, c, r.prefix || '-' || lpad(g::text, 2, '0'), r.name || ' ' || z.zone, r.rfc, z.zone || ', ' || z.city, r.rate
FROM demo_ctx, generate_series(1, 20) g
JOIN (VALUES (0, 'OXXO', 'Oxxo', 'CCO8605231N4', 0.12), (1, 'WAL', 'Walmart', 'NWM9709244W4', 0.15),
             (2, 'SOR', 'Soriana', 'TSO991022PB6', 0.14), (3, 'CHE', 'Chedraui', 'TCH850701RM1', 0.13),
             (4, 'SEV', '7-Eleven', 'SEM980701STA', 0.10)) AS r(i, prefix, name, rfc, rate) ON r.i = g % 5
JOIN (VALUES (0, 'Centro', 'Ciudad de México'), (1, 'Polanco', 'Ciudad de México'), (2, 'Providencia', 'Guadalajara'),
             (3, 'San Pedro', 'Monterrey')) AS z(i, zone, city) ON z.i = g % 4;
UPDATE cpg_pos SET status = 'inactive' WHERE company_id = (SELECT c FROM demo_ctx) AND code = 'SEV-20';

CREATE TEMP TABLE demo_products ON COMMIT DROP AS
  SELECT (row_number() OVER (ORDER BY product_id) - 1)::int AS n, product_id, unit_price, iva_rate
  FROM cpg_products WHERE company_id = (SELECT c FROM demo_ctx);

-- A year of tickets: 1–4 per point of sale and day, 1–3 lines each.
CREATE TEMP TABLE demo_lines ON COMMIT DROP AS
  SELECT p.pos_id, d::date AS day, k AS ticket_no, l AS line_no, pr.product_id, pr.unit_price, pr.iva_rate,
         (1 + abs(hashtext(p.pos_id || '/' || d::date || '/' || k || '/' || l || 'q')) % 6)::numeric AS qty
  FROM demo_ctx, cpg_pos p,
       generate_series(demo_ctx.today - 364, demo_ctx.today, interval '1 day') d,
       generate_series(1, 1 + abs(hashtext(p.pos_id || '/' || d::date)) % 4) k,
       generate_series(1, 1 + abs(hashtext(p.pos_id || '/' || d::date || '/' || k)) % 3) l,
       demo_products pr
  WHERE p.company_id = demo_ctx.c AND p.status = 'active'
    AND pr.n = abs(hashtext(p.pos_id || '/' || d::date || '/' || k || '/' || l)) % 12;
-- Priced as the point of sale prices a shelf price (pricing.hpp): the line's total is what the
-- shelf says, its net rounded half up, the IVA it contains the difference.
ALTER TABLE demo_lines ADD COLUMN subtotal numeric, ADD COLUMN iva numeric;
UPDATE demo_lines SET subtotal = round(round(qty * unit_price, 2) / (1 + iva_rate), 2);
UPDATE demo_lines SET iva = round(qty * unit_price, 2) - subtotal;

INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, subtotal, iva, total)
SELECT t, c, pos_id, 'T' || to_char(day, 'YYYYMMDD') || '-' || ticket_no,
       ((day + time '09:00' + ticket_no * interval '2 hours 17 minutes') AT TIME ZONE 'America/Mexico_City'), day,
       (ARRAY['cash', 'card', 'card', 'transfer', 'voucher'])[1 + abs(hashtext(pos_id || '/' || day || '/' || ticket_no)) % 5],
       sum(subtotal), sum(iva), sum(subtotal) + sum(iva)
FROM demo_lines, demo_ctx GROUP BY t, c, pos_id, day, ticket_no;

INSERT INTO cpg_sale_lines (tenant_id, company_id, sale_id, line_no, product_id, quantity, unit_price, iva_rate, subtotal, iva,
                            price_includes_tax)
SELECT s.tenant_id, s.company_id, s.sale_id, l.line_no, l.product_id, l.qty, l.unit_price, l.iva_rate, l.subtotal, l.iva,
       true
FROM demo_lines l JOIN cpg_sales s
  ON s.company_id = (SELECT c FROM demo_ctx) AND s.pos_id = l.pos_id
 AND s.ticket = 'T' || to_char(l.day, 'YYYYMMDD') || '-' || l.ticket_no;

-- Consignments every ~6 weeks per point of sale, in every state: old ones settled (or returned),
-- recent ones delivered or partly paid, a few drafts and cancellations.
CREATE TEMP TABLE demo_cons ON COMMIT DROP AS
  SELECT p.pos_id, p.commission_rate, k, (demo_ctx.today - 350 + k * 45 + p.pos_id::int % 7)::date AS consigned_on,
         abs(hashtext(p.pos_id || '/c/' || k)) % 20 AS luck
  FROM demo_ctx, cpg_pos p, generate_series(0, 7) k
  WHERE p.company_id = demo_ctx.c AND p.status = 'active' AND demo_ctx.today - 350 + k * 45 + p.pos_id::int % 7 <= demo_ctx.today;
ALTER TABLE demo_cons ADD COLUMN status text, ADD COLUMN consignment_id bigint;
UPDATE demo_cons d SET status = CASE
    WHEN luck = 0 THEN 'cancelled'
    WHEN luck = 1 THEN 'returned'
    WHEN x.today - consigned_on < 30 THEN CASE WHEN luck < 9 THEN 'draft' ELSE 'delivered' END
    WHEN x.today - consigned_on < 60 THEN CASE WHEN luck < 12 THEN 'partially_settled' ELSE 'delivered' END
    WHEN luck BETWEEN 2 AND 4 THEN 'partially_settled'
    ELSE 'settled' END
FROM demo_ctx x;

INSERT INTO cpg_consignments (tenant_id, company_id, pos_id, consigned_on, delivered_on, status, commission_rate)
SELECT t, c, pos_id, consigned_on, CASE WHEN status IN ('draft', 'cancelled') THEN NULL ELSE consigned_on + 1 END,
       status, commission_rate
FROM demo_cons, demo_ctx ORDER BY consigned_on, pos_id;
UPDATE demo_cons d SET consignment_id = c.consignment_id FROM cpg_consignments c
WHERE c.company_id = (SELECT c FROM demo_ctx) AND c.pos_id = d.pos_id AND c.consigned_on = d.consigned_on;

INSERT INTO cpg_consignment_lines (tenant_id, company_id, consignment_id, line_no, product_id, qty_delivered, qty_sold,
                                   qty_returned, unit_price, iva_rate)
SELECT x.t, x.c, d.consignment_id, l, pr.product_id, q.delivered,
       CASE d.status WHEN 'settled' THEN floor(q.delivered * 0.8) WHEN 'partially_settled' THEN floor(q.delivered * 0.6)
                     WHEN 'delivered' THEN floor(q.delivered * 0.25) ELSE 0 END,
       CASE d.status WHEN 'settled' THEN q.delivered - floor(q.delivered * 0.8) WHEN 'returned' THEN q.delivered ELSE 0 END,
       round(pr.unit_price / (1 + pr.iva_rate), 6), pr.iva_rate  -- consigned net + IVA (pricing.hpp, PriceBasis::kNet)
FROM demo_ctx x, demo_cons d, generate_series(1, 2 + d.luck % 3) l,
     LATERAL (SELECT (24 * (1 + abs(hashtext(d.consignment_id || '/' || l)) % 5))::numeric AS delivered) q,
     demo_products pr
WHERE pr.n = (d.luck + l * 5) % 12;

-- Header amounts from the lines, priced per line exactly as the vertical does.
UPDATE cpg_consignments c SET value_delivered = v.delivered, value_sold = v.sold, value_returned = v.returned,
       commission = round(v.sold * c.commission_rate, 2), amount_due = v.sold - round(v.sold * c.commission_rate, 2)
FROM (SELECT consignment_id,
             sum(round(qty_delivered * unit_price, 2) + round(round(qty_delivered * unit_price, 2) * iva_rate, 2)) AS delivered,
             sum(round(qty_sold * unit_price, 2) + round(round(qty_sold * unit_price, 2) * iva_rate, 2)) AS sold,
             sum(round(qty_returned * unit_price, 2) + round(round(qty_returned * unit_price, 2) * iva_rate, 2)) AS returned
      FROM cpg_consignment_lines GROUP BY consignment_id) v
WHERE v.consignment_id = c.consignment_id AND c.company_id = (SELECT c FROM demo_ctx);

INSERT INTO cpg_consignment_settlements (tenant_id, company_id, consignment_id, amount, paid_on, method, reference)
SELECT c.tenant_id, c.company_id, c.consignment_id,
       CASE c.status WHEN 'settled' THEN c.amount_due ELSE round(c.amount_due / 2, 2) END,
       LEAST(c.delivered_on + CASE c.status WHEN 'settled' THEN 40 ELSE 20 END, x.today),
       CASE WHEN c.consignment_id % 3 = 0 THEN 'check' ELSE 'transfer' END, 'DEP-' || c.consignment_id
FROM cpg_consignments c, demo_ctx x
WHERE c.company_id = x.c AND c.status IN ('settled', 'partially_settled') AND c.amount_due > 0;
UPDATE cpg_consignments c SET settled = s.amount
FROM (SELECT consignment_id, sum(amount) AS amount FROM cpg_consignment_settlements GROUP BY consignment_id) s
WHERE s.consignment_id = c.consignment_id AND c.company_id = (SELECT c FROM demo_ctx);

-- Their history, as the status machine would have written it.
INSERT INTO status_history (tenant_id, company_id, machine, entity_id, from_status, event, to_status, actor_type,
                            actor_id, created_at)
SELECT c.tenant_id, c.company_id, 'cpg.consignment', c.consignment_id::text, e.from_status, e.event, e.to_status,
       'system', 'demo', (c.consigned_on + e.offset_days)::timestamp AT TIME ZONE 'America/Mexico_City'
FROM cpg_consignments c, demo_ctx x,
     LATERAL (VALUES ('draft', 'deliver', 'delivered', 1, c.status NOT IN ('draft', 'cancelled')),
                     ('draft', 'cancel', 'cancelled', 2, c.status = 'cancelled'),
                     ('delivered', 'return', 'returned', 30, c.status = 'returned'),
                     ('delivered', 'settle_partial', 'partially_settled', 21, c.status = 'partially_settled'),
                     ('delivered', 'settle', 'settled', 41, c.status = 'settled')) AS e(from_status, event, to_status,
                                                                                         offset_days, applies)
WHERE c.company_id = x.c AND e.applies;
