-- vertice:source bank_movements movement_id
-- Money through the company's peso bank accounts: deposits and withdrawals as cash flows
-- (bank_deposit / bank_withdrawal, vertical 'bank'), so the CEO sees cash next to revenue in one
-- view. Cash is not revenue: the revenue figures (dashboard, revenue report,
-- get_company_total_revenue) leave these types out (universal_is_revenue). Accounts in other
-- currencies stay out of the view, whose amounts are pesos.
SELECT m.company_id, m.tenant_id,
       CASE WHEN m.amount > 0 THEN 'bank_deposit' ELSE 'bank_withdrawal' END AS transaction_type,
       'bank_movements'::text AS source_table, m.movement_id::text AS source_id, m.booking_date AS fecha,
       m.amount::numeric(18,2) AS monto_total, m.currency AS moneda, m.status, 'bank'::text AS vertical
FROM bank_movements m
WHERE m.currency = 'MXN'
