-- vertice:source sat_invoices invoice_id
-- Issued invoices (tipo I) and credit notes (tipo E, negative), vigente only, in MXN: revenue as
-- SAT knows it. Cancelled documents leave the view when it is next refreshed.
SELECT company_id, tenant_id,
       CASE tipo WHEN 'E' THEN 'credit_note' ELSE 'invoice' END AS transaction_type,
       'sat_invoices'::text AS source_table, invoice_id::text AS source_id, fecha::date AS fecha,
       (CASE tipo WHEN 'E' THEN -total_mxn ELSE total_mxn END)::numeric(18,2) AS monto_total,
       moneda, status, 'core'::text AS vertical
FROM sat_invoices
WHERE direction = 'issued' AND tipo IN ('I', 'E') AND status = 'vigente'
