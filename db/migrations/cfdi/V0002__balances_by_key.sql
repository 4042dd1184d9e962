-- The balance refresh looks the batch's UUIDs up in the company's key indexes whatever the
-- statistics know of the company. Written as `company_id = vertice_current_company()`, the
-- condition is folded to the company when planned: a company created or grown since the last
-- ANALYZE (an import of 100,000 CFDI into a new company) is estimated at one row, and PostgreSQL
-- then reads every row of the company through (company_id, uuid) and filters the UUIDs, per batch
-- (55 s instead of 18 s for 100,000 documents, issue 19). As `(SELECT …)` the company is a
-- parameter, estimated at the average company's share, and the UUIDs become index conditions.
-- Otherwise the same function as V0001's.

-- Wait at most 5 s for a table's lock (ALTER POLICY / CREATE OR REPLACE FUNCTION) rather than
-- queueing every request behind a long transaction; the deploy then fails and rolls back.
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION cfdi_refresh_balances(p_uuids text[]) RETURNS integer LANGUAGE sql AS $$
  WITH apps AS (
    SELECT a.invoice_uuid, a.num_parcialidad, a.saldo_anterior, a.pagado, a.insoluto, a.fecha_pago,
           lag(a.insoluto) OVER (PARTITION BY a.invoice_uuid ORDER BY a.num_parcialidad NULLS LAST, a.fecha_pago)
             AS prev_insoluto,
           row_number() OVER (PARTITION BY a.invoice_uuid
                              ORDER BY a.num_parcialidad DESC NULLS LAST, a.fecha_pago DESC) AS latest
    FROM sat_payment_applications a
    JOIN sat_invoices p ON p.invoice_id = a.payment_invoice_id AND p.status = 'vigente'
    WHERE a.company_id = (SELECT vertice_current_company()) AND a.invoice_uuid = ANY (p_uuids)
  ), pay AS (
    SELECT invoice_uuid, sum(pagado) AS paid, count(*) AS n,
           max(insoluto) FILTER (WHERE latest = 1) AS last_insoluto,
           min(fecha_pago) AS first_paid_at, max(fecha_pago) AS last_paid_at,
           count(num_parcialidad) <> count(DISTINCT num_parcialidad) AS dup_parc,
           count(DISTINCT num_parcialidad) <> coalesce(max(num_parcialidad), 0) AS gap_parc,
           coalesce(bool_or(prev_insoluto IS NOT NULL AND saldo_anterior IS NOT NULL
                            AND prev_insoluto <> saldo_anterior), false) AS chain_broken
    FROM apps GROUP BY invoice_uuid
  ), cred AS (
    SELECT r.related_uuid AS invoice_uuid, sum(e.total) AS credited
    FROM sat_invoice_relations r
    JOIN sat_invoices e ON e.invoice_id = r.invoice_id AND e.tipo = 'E' AND e.status = 'vigente'
    WHERE r.company_id = (SELECT vertice_current_company()) AND r.related_uuid = ANY (p_uuids) AND r.tipo_relacion = '01'
    GROUP BY r.related_uuid
  ), calc AS (
    SELECT i.invoice_id, i.status, i.metodo_pago, i.total, i.fecha,
           coalesce(pay.paid, 0) AS paid, coalesce(cred.credited, 0) AS credited,
           i.total - coalesce(pay.paid, 0) - coalesce(cred.credited, 0) AS remaining,
           pay.n, pay.last_insoluto, pay.first_paid_at, pay.last_paid_at, pay.dup_parc, pay.gap_parc, pay.chain_broken
    FROM sat_invoices i
    LEFT JOIN pay ON pay.invoice_uuid = i.uuid
    LEFT JOIN cred ON cred.invoice_uuid = i.uuid
    WHERE i.company_id = (SELECT vertice_current_company()) AND i.uuid = ANY (p_uuids) AND i.tipo = 'I'
  ), updated AS (
    UPDATE sat_invoices i SET
      paid = c.paid,
      credited = c.credited,
      last_payment_at = c.last_paid_at,
      outstanding = CASE WHEN c.status <> 'vigente' OR c.metodo_pago <> 'PPD' THEN 0 ELSE greatest(c.remaining, 0) END,
      payment_state = CASE
        WHEN c.status <> 'vigente' THEN 'not_applicable'
        WHEN c.metodo_pago <> 'PPD' OR c.remaining <= 0 THEN 'paid'
        WHEN c.paid + c.credited > 0 THEN 'partial'
        ELSE 'unpaid' END,
      balance_flags = array_remove(ARRAY[
        CASE WHEN c.n > 0 AND c.last_insoluto IS NOT NULL AND c.last_insoluto <> c.total - c.paid
             THEN 'insoluto_mismatch' END,
        CASE WHEN c.dup_parc THEN 'parcialidad_duplicate' END,
        CASE WHEN c.gap_parc THEN 'parcialidad_gap' END,
        CASE WHEN c.chain_broken THEN 'saldo_chain_broken' END,
        CASE WHEN c.remaining < 0 THEN 'overpaid' END,
        CASE WHEN c.first_paid_at < c.fecha THEN 'payment_before_invoice' END,
        CASE WHEN c.n > 0 AND c.metodo_pago = 'PUE' THEN 'pue_with_payments' END,
        CASE WHEN c.n > 0 AND c.status = 'cancelada' THEN 'cancelled_with_payments' END
      ], NULL)
    FROM calc c WHERE i.invoice_id = c.invoice_id
    RETURNING 1
  )
  SELECT count(*)::integer FROM updated
$$;
