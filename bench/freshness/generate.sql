-- Data for the freshness benchmark: 50 companies of skewed sizes (Zipf, s = 1: the largest holds
-- 22 % of the rows, 444,000 of 2,000,000), each with a point of sale, a consignment and a service
-- contract; bench_grow(n) adds tickets (92 %), issued invoices (6 %) and consignment settlements
-- (2 %) in the same proportions to every company until universal_transactions_mv holds n rows.
-- The rows go in through the ordinary tables with the view's triggers on, as writers would.
INSERT INTO tenants (tenant_id, name) VALUES ('bench', 'Benchmark') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS bench_companies (company_id text PRIMARY KEY, share numeric, pos_id bigint, consignment_id bigint);
INSERT INTO companies (company_id, tenant_id, legal_name, rfc)
SELECT 'c' || lpad(k::text, 2, '0'), 'bench', 'Empresa ' || k, 'ADI920101AB3' FROM generate_series(1, 50) k
ON CONFLICT DO NOTHING;
INSERT INTO cpg_pos (tenant_id, company_id, code, name, retailer_rfc)
SELECT 'bench', company_id, 'P1', 'Tienda', 'ADI920101AB3' FROM companies WHERE tenant_id = 'bench'
ON CONFLICT DO NOTHING;
INSERT INTO cpg_consignments (tenant_id, company_id, pos_id, consigned_on, commission_rate, status)
SELECT 'bench', company_id, pos_id, current_date, 0.1, 'delivered' FROM cpg_pos p
WHERE tenant_id = 'bench' AND NOT EXISTS (SELECT 1 FROM cpg_consignments c WHERE c.company_id = p.company_id);
INSERT INTO bench_companies
SELECT c.company_id, (1.0 / k) / (SELECT sum(1.0 / j) FROM generate_series(1, 50) j), p.pos_id, cs.consignment_id
FROM generate_series(1, 50) k
JOIN companies c ON c.company_id = 'c' || lpad(k::text, 2, '0')
JOIN cpg_pos p ON p.company_id = c.company_id
JOIN cpg_consignments cs ON cs.company_id = c.company_id
ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION bench_grow(p_target bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_need bigint;
  v_n bigint;
  c record;
BEGIN
  SELECT p_target - count(*) INTO v_need FROM universal_transactions_mv;
  IF v_need <= 0 THEN RETURN 0; END IF;
  FOR c IN SELECT * FROM bench_companies ORDER BY company_id LOOP
    v_n := round(v_need * c.share);
    INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, subtotal, iva, total)
    SELECT 'bench', c.company_id, c.pos_id, 'G' || p_target || '-' || g, now(), current_date - (g % 730)::int, 'card',
           100 + g % 900, round((100 + g % 900) * 0.16, 2), 100 + g % 900 + round((100 + g % 900) * 0.16, 2)
    FROM generate_series(1, (v_n * 0.92)::bigint) g;
    INSERT INTO sat_invoices (tenant_id, company_id, uuid, sha256, version, fecha, tipo, direction, emisor_rfc,
                              receptor_rfc, counterparty_rfc, subtotal, total, moneda, total_mxn, status, xml)
    SELECT 'bench', c.company_id, u, encode(sha256(u::bytea), 'hex'), '4.0', now() - (g % 730) * interval '1 day',
           'I', 'issued', 'ADI920101AB3', 'XAXX010101000', 'XAXX010101000', 5000 + g % 20000, 5000 + g % 20000, 'MXN',
           5000 + g % 20000, 'vigente', '\x00'::bytea
    FROM (SELECT g, upper(gen_random_uuid()::text) AS u FROM generate_series(1, (v_n * 0.06)::bigint) g) x;
    INSERT INTO cpg_consignment_settlements (tenant_id, company_id, consignment_id, amount, paid_on, method)
    SELECT 'bench', c.company_id, c.consignment_id, 1000 + g % 5000, current_date - (g % 730)::int, 'transfer'
    FROM generate_series(1, (v_n * 0.02)::bigint) g;
  END LOOP;
  RETURN v_need;
END $$;
