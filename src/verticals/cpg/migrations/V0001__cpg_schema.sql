-- CPG retail: products sold through retail points of sale, directly (POS sales) and on
-- consignment (goods delivered to a retailer, paid for as they sell). Every table is
-- company-scoped with row-level security (vertice_apply_company_rls).

CREATE TABLE cpg_products (
  product_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text NOT NULL,
  company_id  text NOT NULL,
  sku         text NOT NULL CHECK (sku ~ '^[A-Za-z0-9._-]{1,40}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  unit_price  numeric(18,6) NOT NULL CHECK (unit_price >= 0),  -- before IVA
  iva_rate    numeric(8,6) NOT NULL CHECK (iva_rate IN (0, 0.08, 0.16)),
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_id, sku),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('cpg_products');

CREATE TABLE cpg_pos (
  pos_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id        text NOT NULL,
  company_id       text NOT NULL,
  code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,30}$'),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  retailer_rfc     text NOT NULL CHECK (retailer_rfc ~ '^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$'),
  address          text NOT NULL DEFAULT '',
  commission_rate  numeric(8,6) NOT NULL DEFAULT 0 CHECK (commission_rate >= 0 AND commission_rate < 1),
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_id, code),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('cpg_pos');

-- A ticket at a point of sale. Amounts are per line (IVA per line, half up), summed.
CREATE TABLE cpg_sales (
  sale_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       text NOT NULL,
  company_id      text NOT NULL,
  pos_id          bigint NOT NULL REFERENCES cpg_pos,
  ticket          text NOT NULL CHECK (ticket ~ '^[A-Za-z0-9._/-]{1,40}$'),
  sold_at         timestamptz NOT NULL,
  business_date   date NOT NULL,  -- the day in America/Mexico_City
  payment_method  text NOT NULL CHECK (payment_method IN ('cash', 'card', 'transfer', 'voucher')),
  subtotal        numeric(18,2) NOT NULL CHECK (subtotal >= 0),
  iva             numeric(18,2) NOT NULL CHECK (iva >= 0),
  total           numeric(18,2) NOT NULL CHECK (total = subtotal + iva),
  cfdi_uuid       text CHECK (cfdi_uuid ~ '^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$'),
  status          text NOT NULL DEFAULT 'completed' CHECK (status IN ('completed')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_id, pos_id, ticket)
);
CREATE INDEX cpg_sales_company_date ON cpg_sales (company_id, business_date, sale_id);
CREATE INDEX cpg_sales_cfdi ON cpg_sales (company_id, cfdi_uuid) WHERE cfdi_uuid IS NOT NULL;
SELECT vertice_apply_company_rls('cpg_sales');

CREATE TABLE cpg_sale_lines (
  tenant_id   text NOT NULL,
  company_id  text NOT NULL,
  sale_id     bigint NOT NULL REFERENCES cpg_sales ON DELETE CASCADE,
  line_no     integer NOT NULL CHECK (line_no > 0),
  product_id  bigint NOT NULL REFERENCES cpg_products,
  quantity    numeric(18,6) NOT NULL CHECK (quantity > 0),
  unit_price  numeric(18,6) NOT NULL CHECK (unit_price >= 0),
  iva_rate    numeric(8,6) NOT NULL,
  subtotal    numeric(18,2) NOT NULL,
  iva         numeric(18,2) NOT NULL,
  PRIMARY KEY (sale_id, line_no)
);
SELECT vertice_apply_company_rls('cpg_sale_lines');

-- Goods delivered to a point of sale and paid for as they sell. Amounts (maintained by the
-- vertical on every change, from the lines): value at delivery, sold and returned (with IVA),
-- the retailer's commission on what sold, what is due (sold − commission) and what was settled.
CREATE SEQUENCE cpg_consignment_folio_seq;
GRANT USAGE ON SEQUENCE cpg_consignment_folio_seq TO vertice_app;
CREATE TABLE cpg_consignments (
  consignment_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id        text NOT NULL,
  company_id       text NOT NULL,
  folio            text NOT NULL DEFAULT 'CON-' || lpad(nextval('cpg_consignment_folio_seq')::text, 6, '0')
                   CHECK (folio ~ '^[A-Za-z0-9._/-]{1,40}$'),
  pos_id           bigint NOT NULL REFERENCES cpg_pos,
  consigned_on     date NOT NULL,
  delivered_on     date,
  status           text NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'delivered', 'partially_settled', 'settled', 'returned', 'cancelled')),
  commission_rate  numeric(8,6) NOT NULL,  -- the point of sale's rate when the consignment was made
  value_delivered  numeric(18,2) NOT NULL DEFAULT 0,
  value_sold       numeric(18,2) NOT NULL DEFAULT 0,
  value_returned   numeric(18,2) NOT NULL DEFAULT 0,
  commission       numeric(18,2) NOT NULL DEFAULT 0,
  amount_due       numeric(18,2) NOT NULL DEFAULT 0,
  settled          numeric(18,2) NOT NULL DEFAULT 0,
  notes            text NOT NULL DEFAULT '',
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_id, folio),
  CHECK (settled >= 0 AND settled <= amount_due)
);
CREATE INDEX cpg_consignments_company_pos ON cpg_consignments (company_id, pos_id, consignment_id);
CREATE INDEX cpg_consignments_company_status ON cpg_consignments (company_id, status, consignment_id);
SELECT vertice_apply_company_rls('cpg_consignments');

CREATE TABLE cpg_consignment_lines (
  tenant_id       text NOT NULL,
  company_id      text NOT NULL,
  consignment_id  bigint NOT NULL REFERENCES cpg_consignments ON DELETE CASCADE,
  line_no         integer NOT NULL CHECK (line_no > 0),
  product_id      bigint NOT NULL REFERENCES cpg_products,
  qty_delivered   numeric(18,6) NOT NULL CHECK (qty_delivered > 0),
  qty_sold        numeric(18,6) NOT NULL DEFAULT 0 CHECK (qty_sold >= 0),
  qty_returned    numeric(18,6) NOT NULL DEFAULT 0 CHECK (qty_returned >= 0),
  unit_price      numeric(18,6) NOT NULL CHECK (unit_price >= 0),
  iva_rate        numeric(8,6) NOT NULL,
  PRIMARY KEY (consignment_id, line_no),
  CHECK (qty_sold + qty_returned <= qty_delivered)
);
SELECT vertice_apply_company_rls('cpg_consignment_lines');

CREATE TABLE cpg_consignment_settlements (
  settlement_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       text NOT NULL,
  company_id      text NOT NULL,
  consignment_id  bigint NOT NULL REFERENCES cpg_consignments,
  amount          numeric(18,2) NOT NULL CHECK (amount > 0),
  paid_on         date NOT NULL,
  method          text NOT NULL CHECK (method IN ('cash', 'transfer', 'check', 'card', 'compensation')),
  reference       text NOT NULL DEFAULT '',
  cfdi_uuid       text CHECK (cfdi_uuid ~ '^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$'),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cpg_settlements_consignment ON cpg_consignment_settlements (consignment_id, settlement_id);
SELECT vertice_apply_company_rls('cpg_consignment_settlements');
REVOKE UPDATE, DELETE ON cpg_consignment_settlements FROM vertice_app;

-- Goods still at each point of sale (delivered, neither sold nor returned), derivable at any time.
CREATE VIEW cpg_consignment_inventory WITH (security_invoker = true) AS
  SELECT c.tenant_id, c.company_id, c.pos_id, l.product_id,
         sum(l.qty_delivered - l.qty_sold - l.qty_returned) AS quantity,
         sum(round((l.qty_delivered - l.qty_sold - l.qty_returned) * l.unit_price * (1 + l.iva_rate), 2)) AS value
  FROM cpg_consignments c JOIN cpg_consignment_lines l USING (consignment_id)
  WHERE c.status IN ('delivered', 'partially_settled')
  GROUP BY c.tenant_id, c.company_id, c.pos_id, l.product_id
  HAVING sum(l.qty_delivered - l.qty_sold - l.qty_returned) > 0;
GRANT SELECT ON cpg_consignment_inventory TO vertice_app;

-- Facts the reports aggregate through the report builder (security_invoker: RLS applies).
CREATE VIEW cpg_line_facts WITH (security_invoker = true) AS
  SELECT c.tenant_id, c.company_id, c.consignment_id, c.consigned_on, c.status, p.code AS pos, pr.sku AS product,
         l.qty_delivered, l.qty_sold, l.qty_returned, l.qty_delivered - l.qty_sold - l.qty_returned AS qty_on_hand,
         round(l.qty_sold * l.unit_price * (1 + l.iva_rate), 2) AS value_sold
  FROM cpg_consignments c
  JOIN cpg_consignment_lines l USING (consignment_id)
  JOIN cpg_pos p ON p.pos_id = c.pos_id
  JOIN cpg_products pr ON pr.product_id = l.product_id
  WHERE c.status <> 'cancelled' AND c.status <> 'draft';
GRANT SELECT ON cpg_line_facts TO vertice_app;

CREATE VIEW cpg_open_consignments WITH (security_invoker = true) AS
  SELECT c.tenant_id, c.company_id, c.consignment_id, p.code AS pos, c.delivered_on,
         CASE WHEN current_date - c.delivered_on <= 30 THEN '0-30'
              WHEN current_date - c.delivered_on <= 60 THEN '31-60'
              WHEN current_date - c.delivered_on <= 90 THEN '61-90'
              ELSE '>90' END AS bucket,
         c.amount_due - c.settled AS balance,
         c.value_delivered - c.value_sold - c.value_returned AS value_on_hand
  FROM cpg_consignments c JOIN cpg_pos p ON p.pos_id = c.pos_id
  WHERE c.status IN ('delivered', 'partially_settled');
GRANT SELECT ON cpg_open_consignments TO vertice_app;

CREATE VIEW cpg_pos_revenue WITH (security_invoker = true) AS
  SELECT s.tenant_id, s.company_id, p.code AS pos, p.name AS pos_name, s.business_date AS fecha,
         s.total AS sales, 0::numeric AS consignment
  FROM cpg_sales s JOIN cpg_pos p ON p.pos_id = s.pos_id
  UNION ALL
  SELECT st.tenant_id, st.company_id, p.code, p.name, st.paid_on, 0, st.amount
  FROM cpg_consignment_settlements st
  JOIN cpg_consignments c ON c.consignment_id = st.consignment_id
  JOIN cpg_pos p ON p.pos_id = c.pos_id;
GRANT SELECT ON cpg_pos_revenue TO vertice_app;
