-- vertice:source services_billings billing_id
SELECT b.company_id, b.tenant_id, 'service_billing'::text AS transaction_type,
       'services_billings'::text AS source_table, b.billing_id::text AS source_id, b.billed_on AS fecha,
       b.amount::numeric AS monto_total, 'MXN'::text AS moneda, b.status, 'services'::text AS vertical
FROM services_billings b
