-- vertice:source cpg_sales sale_id
-- vertice:source cpg_consignment_settlements settlement_id
-- vertice:follows sat_invoices.uuid cpg_sales.cfdi_uuid
-- vertice:follows sat_invoices.uuid cpg_consignment_settlements.cfdi_uuid
-- CPG revenue events: POS tickets and consignment settlements (what the retailer paid). A ticket or
-- settlement that carries the UUID of a vigente issued CFDI is already counted as that invoice.
SELECT s.company_id, s.tenant_id, 'pos_sale'::text AS transaction_type, 'cpg_sales'::text AS source_table,
       s.sale_id::text AS source_id, s.business_date AS fecha, s.total::numeric AS monto_total,
       'MXN'::text AS moneda, s.status, 'cpg'::text AS vertical
FROM cpg_sales s
WHERE s.cfdi_uuid IS NULL
   OR NOT EXISTS (SELECT 1 FROM sat_invoices i
                  WHERE i.company_id = s.company_id AND i.uuid = s.cfdi_uuid
                    AND i.direction = 'issued' AND i.status = 'vigente')
UNION ALL
SELECT st.company_id, st.tenant_id, 'consignment_settlement'::text, 'cpg_consignment_settlements'::text,
       st.settlement_id::text, st.paid_on, st.amount::numeric, 'MXN'::text, 'settled'::text, 'cpg'::text
FROM cpg_consignment_settlements st
WHERE st.cfdi_uuid IS NULL
   OR NOT EXISTS (SELECT 1 FROM sat_invoices i
                  WHERE i.company_id = st.company_id AND i.uuid = st.cfdi_uuid
                    AND i.direction = 'issued' AND i.status = 'vigente')
