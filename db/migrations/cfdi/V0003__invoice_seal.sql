-- Issue 21: the issuer's seal of every stored CFDI (src/cfdi/seal.hpp). seal_state is what the
-- importer found: valid, invalid, not_verifiable (seal_reason: the unsupported complement),
-- unsigned, or unverified_import (stored on the user's explicit request despite a failed check;
-- seal_reason: why it failed, e.g. signature_mismatch or unsigned). NULL: imported before seals
-- were checked. cfdi_store_documents stores both from each document's JSON; otherwise it is
-- V0001's function.
--
-- sat_invoices is large: the columns are nullable without a default (a catalogue change, no table
-- rewrite), and the CHECK is added NOT VALID (no scan under the lock: existing rows are NULL, which
-- it accepts anyway; new rows are checked).
SET LOCAL lock_timeout = '5s';

ALTER TABLE sat_invoices ADD COLUMN seal_state text;
ALTER TABLE sat_invoices ADD COLUMN seal_reason text;
ALTER TABLE sat_invoices ADD CONSTRAINT sat_invoices_seal_state_check
  CHECK (seal_state IN ('valid', 'invalid', 'not_verifiable', 'unsigned', 'unverified_import')) NOT VALID;

CREATE OR REPLACE FUNCTION cfdi_store_documents(p_import_id bigint, p_docs jsonb, p_xml text)
RETURNS TABLE (idx integer, outcome text, invoice_id bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_tenant text := vertice_current_tenant();
  v_company text := vertice_current_company();
  v_xml text[] := string_to_array(p_xml, ',');
BEGIN
  IF v_company IS NULL THEN
    RAISE EXCEPTION 'cfdi_store_documents needs a company scope';
  END IF;
  -- One import at a time per company, until commit: an invoice and its payment arriving in two
  -- concurrent imports would otherwise each miss the other's uncommitted rows, and the
  -- invoice's balance would stay wrong.
  PERFORM pg_advisory_xact_lock(hashtextextended('cfdi_store:' || v_company, 0));
  -- Batches commit without waiting for the WAL flush; nothing is acknowledged until the import is
  -- closed (sat_invoice_imports.finished_at) by a synchronous commit, which flushes every earlier
  -- batch too (WAL is sequential). A crash mid-import loses only unacknowledged batches.
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
  WITH input AS (
    SELECT e.ordinality::integer AS idx, e.value AS d, e.value->>'uuid' AS uuid, e.value->>'sha256' AS sha256
    FROM jsonb_array_elements(p_docs) WITH ORDINALITY e
  ), ins AS (
    INSERT INTO sat_invoices (
      tenant_id, company_id, uuid, sha256, version, serie, folio, fecha, tipo, direction,
      emisor_rfc, emisor_nombre, emisor_regimen, receptor_rfc, receptor_nombre, receptor_uso_cfdi, receptor_regimen,
      counterparty_rfc, counterparty_name, subtotal, descuento, total, moneda, tipo_cambio, total_mxn,
      total_traslados, total_retenciones, metodo_pago, forma_pago, condiciones_pago, lugar_expedicion, exportacion,
      status, stamped_at, pac_rfc, tfd_version, no_certificado, sello_tail, complementos, has_addenda, warnings,
      payment_state, outstanding, xml, file_name, import_id, seal_state, seal_reason)
    SELECT
      v_tenant, v_company, uuid, sha256, d->>'version', d->>'serie', d->>'folio', (d->>'fecha')::timestamp,
      d->>'tipo', d->>'direction', d->>'emisor_rfc', d->>'emisor_nombre', d->>'emisor_regimen', d->>'receptor_rfc',
      d->>'receptor_nombre', d->>'receptor_uso_cfdi', d->>'receptor_regimen', d->>'counterparty_rfc',
      d->>'counterparty_name', (d->>'subtotal')::numeric, (d->>'descuento')::numeric, (d->>'total')::numeric,
      d->>'moneda', (d->>'tipo_cambio')::numeric,
      CASE WHEN d->>'moneda' = 'XXX' THEN 0
           ELSE round((d->>'total')::numeric * coalesce((d->>'tipo_cambio')::numeric, 1), 2) END,
      (d->>'total_traslados')::numeric, (d->>'total_retenciones')::numeric, d->>'metodo_pago', d->>'forma_pago',
      d->>'condiciones_pago', d->>'lugar_expedicion', d->>'exportacion', d->>'status',
      (d->>'stamped_at')::timestamp, d->>'pac_rfc', d->>'tfd_version', d->>'no_certificado', d->>'sello_tail',
      ARRAY(SELECT jsonb_array_elements_text(d->'complementos')), (d->>'has_addenda')::boolean, d->'warnings',
      -- A vigente invoice starts paid (PUE) or owing its total (PPD); payments refresh it.
      CASE WHEN d->>'tipo' <> 'I' OR d->>'status' <> 'vigente' THEN 'not_applicable'
           WHEN d->>'metodo_pago' = 'PPD' THEN 'unpaid' ELSE 'paid' END,
      CASE WHEN d->>'tipo' = 'I' AND d->>'status' = 'vigente' AND d->>'metodo_pago' = 'PPD'
           THEN (d->>'total')::numeric ELSE 0 END,
      decode(v_xml[idx], 'base64'), d->>'file_name', p_import_id, d->>'seal_state', nullif(d->>'seal_reason', '')
    FROM input ORDER BY idx
    ON CONFLICT DO NOTHING
    RETURNING sat_invoices.invoice_id, sat_invoices.uuid, sat_invoices.sha256
  ), map AS (  -- the input element each new row came from (the first, if the batch repeats a document)
    SELECT DISTINCT ON (ins.invoice_id) ins.invoice_id, input.idx, input.d
    FROM ins JOIN input ON input.sha256 = ins.sha256 AND input.uuid IS NOT DISTINCT FROM ins.uuid
    ORDER BY ins.invoice_id, input.idx
  ), conceptos AS (
    INSERT INTO sat_invoice_conceptos (invoice_id, line_no, tenant_id, company_id, clave_prod_serv, no_identificacion,
                                       cantidad, clave_unidad, unidad, descripcion, valor_unitario, importe, descuento,
                                       objeto_imp)
    SELECT map.invoice_id, c.line_no, v_tenant, v_company, c.clave_prod_serv, c.no_identificacion, c.cantidad,
           c.clave_unidad, c.unidad, c.descripcion, c.valor_unitario, c.importe, c.descuento, c.objeto_imp
    FROM map, jsonb_to_recordset(map.d->'conceptos') AS c(line_no integer, clave_prod_serv text,
         no_identificacion text, cantidad numeric, clave_unidad text, unidad text, descripcion text,
         valor_unitario numeric, importe numeric, descuento numeric, objeto_imp text)
  ), taxes AS (
    INSERT INTO sat_invoice_taxes (invoice_id, tenant_id, company_id, line_no, kind, impuesto, tipo_factor, tasa, base,
                                   importe)
    SELECT map.invoice_id, v_tenant, v_company, t.line_no, t.kind, t.impuesto, t.tipo_factor, t.tasa, t.base, t.importe
    FROM map, jsonb_to_recordset(map.d->'taxes') AS t(line_no integer, kind text, impuesto text, tipo_factor text,
         tasa numeric, base numeric, importe numeric)
  ), relations AS (
    INSERT INTO sat_invoice_relations (invoice_id, tenant_id, company_id, tipo_relacion, related_uuid)
    SELECT map.invoice_id, v_tenant, v_company, r.tipo_relacion, r.related_uuid
    FROM map, jsonb_to_recordset(map.d->'relations') AS r(tipo_relacion text, related_uuid text)
  ), applications AS (
    INSERT INTO sat_payment_applications (payment_invoice_id, pago_no, doc_no, tenant_id, company_id, payment_uuid,
      fecha_pago, forma_pago, moneda_p, tipo_cambio_p, monto, invoice_uuid, serie, folio, num_parcialidad, moneda_dr,
      equivalencia, saldo_anterior, pagado, insoluto, pagado_mxn)
    SELECT map.invoice_id, a.pago_no, a.doc_no, v_tenant, v_company, map.d->>'uuid', a.fecha_pago, a.forma_pago,
           a.moneda_p, a.tipo_cambio_p, a.monto, a.invoice_uuid, a.serie, a.folio, a.num_parcialidad, a.moneda_dr,
           a.equivalencia, a.saldo_anterior, a.pagado, a.insoluto,
           round(a.pagado / CASE WHEN a.moneda_dr = a.moneda_p OR coalesce(a.equivalencia, 0) = 0 THEN 1
                                 ELSE a.equivalencia END
                 * CASE WHEN a.moneda_p = 'MXN' THEN 1 ELSE coalesce(a.tipo_cambio_p, 1) END, 2)
    FROM map, jsonb_to_recordset(map.d->'payments') AS a(pago_no integer, doc_no integer, fecha_pago timestamp,
         forma_pago text, moneda_p text, tipo_cambio_p numeric, monto numeric, invoice_uuid text, serie text,
         folio text, num_parcialidad integer, moneda_dr text, equivalencia numeric, saldo_anterior numeric,
         pagado numeric, insoluto numeric)
  )
  SELECT input.idx,
         CASE WHEN map.invoice_id IS NOT NULL THEN 'accepted'
              WHEN coalesce(same.sha256, pu.sha256, pd.sha256) = input.sha256 THEN 'duplicate'
              ELSE 'conflict' END,
         coalesce(map.invoice_id, same.invoice_id, pu.invoice_id, pd.invoice_id)
  FROM input
  LEFT JOIN map ON map.idx = input.idx
  LEFT JOIN LATERAL (SELECT ins.invoice_id, ins.sha256 FROM ins
                     WHERE map.idx IS NULL AND ins.uuid IS NOT DISTINCT FROM input.uuid
                       AND (input.uuid IS NOT NULL OR ins.sha256 = input.sha256) LIMIT 1) same ON true
  -- One index lookup per element not inserted, skipped for the rest. (LIMIT 1 keeps the
  -- subqueries parameterized: flattened into joins they scanned every row of the company.)
  LEFT JOIN LATERAL (SELECT p.invoice_id, p.sha256 FROM sat_invoices p
                     WHERE map.idx IS NULL AND p.company_id = v_company AND p.uuid = input.uuid LIMIT 1) pu ON true
  LEFT JOIN LATERAL (SELECT p.invoice_id, p.sha256 FROM sat_invoices p
                     WHERE map.idx IS NULL AND input.uuid IS NULL AND p.company_id = v_company AND p.uuid IS NULL
                       AND p.sha256 = input.sha256 LIMIT 1) pd ON true
  ORDER BY input.idx;

  -- Balances: what payments and credit notes of the batch paid, and new invoices that payments
  -- or credit notes imported earlier already refer to (a new invoice starts at its own balance).
  PERFORM cfdi_refresh_balances(ARRAY(
    SELECT DISTINCT t FROM jsonb_array_elements(p_docs) e, jsonb_array_elements_text(e->'targets') t
    WHERE e->>'status' = 'vigente'
    UNION
    SELECT e->>'uuid' FROM jsonb_array_elements(p_docs) e
    WHERE e->>'status' = 'vigente' AND e->>'tipo' = 'I'
      AND (EXISTS (SELECT FROM sat_payment_applications a WHERE a.company_id = v_company AND a.invoice_uuid = e->>'uuid')
           OR EXISTS (SELECT FROM sat_invoice_relations r WHERE r.company_id = v_company
                        AND r.related_uuid = e->>'uuid'))));
END $$;
