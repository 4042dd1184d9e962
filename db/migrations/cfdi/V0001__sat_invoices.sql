-- SAT CFDI storage: one row per document (original bytes kept unchanged) with its conceptos,
-- taxes, related CFDIs and payment applications, all company-scoped with row-level security.
-- Balances of invoices are maintained by cfdi_refresh_balances() whenever a payment, credit
-- note, invoice or cancellation touches them (research/cfdi.md §3).

CREATE TABLE sat_invoice_imports (
  import_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  source       text NOT NULL CHECK (source IN ('api', 'cli', 'demo')),
  actor_type   text NOT NULL,
  actor_id     text,
  files        integer NOT NULL DEFAULT 0,
  accepted     integer NOT NULL DEFAULT 0,
  duplicates   integer NOT NULL DEFAULT 0,
  conflicts    integer NOT NULL DEFAULT 0,
  rejected     integer NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
SELECT vertice_apply_company_rls('sat_invoice_imports');

CREATE TABLE sat_invoices (
  invoice_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id           text NOT NULL,
  company_id          text NOT NULL,
  uuid                text CHECK (uuid ~ '^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$'),
  sha256              text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  version             text NOT NULL CHECK (version IN ('3.2', '3.3', '4.0')),
  serie               text NOT NULL DEFAULT '',
  folio               text NOT NULL DEFAULT '',
  fecha               timestamp NOT NULL,  -- as written: local time of LugarExpedicion
  tipo                text NOT NULL CHECK (tipo IN ('I', 'E', 'T', 'N', 'P')),
  direction           text NOT NULL CHECK (direction IN ('issued', 'received')),
  emisor_rfc          text NOT NULL,
  emisor_nombre       text NOT NULL DEFAULT '',
  emisor_regimen      text NOT NULL DEFAULT '',
  receptor_rfc        text NOT NULL,
  receptor_nombre     text NOT NULL DEFAULT '',
  receptor_uso_cfdi   text NOT NULL DEFAULT '',
  receptor_regimen    text NOT NULL DEFAULT '',
  counterparty_rfc    text NOT NULL,  -- receptor of an issued document, emisor of a received one
  counterparty_name   text NOT NULL DEFAULT '',
  subtotal            numeric(24,6) NOT NULL,
  descuento           numeric(24,6),
  total               numeric(24,6) NOT NULL CHECK (total >= 0),
  moneda              text NOT NULL,
  tipo_cambio         numeric(24,10) CHECK (tipo_cambio > 0),
  total_mxn           numeric(20,2) NOT NULL,
  total_traslados     numeric(24,6),
  total_retenciones   numeric(24,6),
  metodo_pago         text NOT NULL DEFAULT '',
  forma_pago          text NOT NULL DEFAULT '',
  condiciones_pago    text NOT NULL DEFAULT '',
  lugar_expedicion    text NOT NULL DEFAULT '',
  exportacion         text NOT NULL DEFAULT '',
  status              text NOT NULL CHECK (status IN ('vigente', 'cancelada', 'borrador')),
  cancelled_at        timestamptz,
  cancel_reason       text,
  stamped_at          timestamp,
  pac_rfc             text NOT NULL DEFAULT '',
  tfd_version         text NOT NULL DEFAULT '',
  no_certificado      text NOT NULL DEFAULT '',
  sello_tail          text NOT NULL DEFAULT '',
  complementos        text[] NOT NULL DEFAULT '{}',
  has_addenda         boolean NOT NULL DEFAULT false,
  warnings            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(warnings) = 'array'),
  -- Balance in the invoice's currency (cfdi_refresh_balances).
  paid                numeric(24,6) NOT NULL DEFAULT 0,
  credited            numeric(24,6) NOT NULL DEFAULT 0,
  outstanding         numeric(24,6) NOT NULL DEFAULT 0 CHECK (outstanding >= 0),
  payment_state       text NOT NULL DEFAULT 'not_applicable'
                        CHECK (payment_state IN ('paid', 'partial', 'unpaid', 'not_applicable')),
  balance_flags       text[] NOT NULL DEFAULT '{}',
  last_payment_at     timestamp,
  xml                 bytea COMPRESSION lz4 NOT NULL,  -- lz4: several times faster than pglz on import
  file_name           text NOT NULL DEFAULT '',
  import_id           bigint REFERENCES sat_invoice_imports,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'borrador') = (uuid IS NULL)),
  CHECK ((status = 'cancelada') = (cancelled_at IS NOT NULL)),
  FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, company_id)
);
-- A UUID once per company (the emisor and the receptor may both be companies of a tenant);
-- unstamped drafts are identified by their bytes.
CREATE UNIQUE INDEX sat_invoices_uuid_key ON sat_invoices (company_id, uuid) WHERE uuid IS NOT NULL;
CREATE UNIQUE INDEX sat_invoices_draft_key ON sat_invoices (company_id, sha256) WHERE uuid IS NULL;
CREATE INDEX sat_invoices_fecha_idx ON sat_invoices (company_id, fecha DESC, invoice_id DESC);
CREATE INDEX sat_invoices_total_idx ON sat_invoices (company_id, total_mxn DESC, invoice_id DESC);
CREATE INDEX sat_invoices_counterparty_idx ON sat_invoices (company_id, counterparty_rfc, fecha DESC);
CREATE INDEX sat_invoices_open_idx ON sat_invoices (company_id, direction, counterparty_rfc)
  WHERE outstanding > 0;
SELECT vertice_apply_company_rls('sat_invoices');
REVOKE DELETE ON sat_invoices FROM vertice_app;

-- Children of a document are written only by cfdi_store_documents, with the ids its own INSERT
-- returned, and documents are never deleted: foreign keys to sat_invoices would only add a
-- trigger per child row (six or more per document) to every import.
CREATE TABLE sat_invoice_conceptos (
  invoice_id       bigint NOT NULL,
  line_no          integer NOT NULL,
  tenant_id        text NOT NULL,
  company_id       text NOT NULL,
  clave_prod_serv  text NOT NULL DEFAULT '',
  no_identificacion text NOT NULL DEFAULT '',
  cantidad         numeric(24,6),
  clave_unidad     text NOT NULL DEFAULT '',
  unidad           text NOT NULL DEFAULT '',
  descripcion      text NOT NULL DEFAULT '',
  valor_unitario   numeric(24,6),
  importe          numeric(24,6) NOT NULL,
  descuento        numeric(24,6),
  objeto_imp       text NOT NULL DEFAULT '',
  PRIMARY KEY (invoice_id, line_no)
);
SELECT vertice_apply_company_rls('sat_invoice_conceptos');

CREATE TABLE sat_invoice_taxes (
  invoice_id   bigint NOT NULL,
  tenant_id    text NOT NULL,
  company_id   text NOT NULL,
  line_no      integer,  -- NULL: the document's Impuestos node
  kind         text NOT NULL CHECK (kind IN ('traslado', 'retencion')),
  impuesto     text NOT NULL,
  tipo_factor  text NOT NULL DEFAULT '',
  tasa         numeric(24,6),
  base         numeric(24,6),
  importe      numeric(24,6)
);
CREATE INDEX sat_invoice_taxes_invoice_idx ON sat_invoice_taxes (invoice_id);
SELECT vertice_apply_company_rls('sat_invoice_taxes');

CREATE TABLE sat_invoice_relations (
  invoice_id     bigint NOT NULL,
  tenant_id      text NOT NULL,
  company_id     text NOT NULL,
  tipo_relacion  text NOT NULL,
  related_uuid   text NOT NULL
);
CREATE INDEX sat_invoice_relations_invoice_idx ON sat_invoice_relations (invoice_id);
CREATE INDEX sat_invoice_relations_related_idx ON sat_invoice_relations (company_id, related_uuid);
SELECT vertice_apply_company_rls('sat_invoice_relations');

-- One row per DoctoRelacionado of a Pagos complement: how much of which invoice a payment paid.
CREATE TABLE sat_payment_applications (
  payment_invoice_id bigint NOT NULL,  -- the tipo P document
  pago_no            integer NOT NULL,
  doc_no             integer NOT NULL,
  tenant_id          text NOT NULL,
  company_id         text NOT NULL,
  payment_uuid       text,
  fecha_pago         timestamp NOT NULL,
  forma_pago         text NOT NULL DEFAULT '',
  moneda_p           text NOT NULL,
  tipo_cambio_p      numeric(24,10),
  monto              numeric(24,6),
  invoice_uuid       text NOT NULL,
  serie              text NOT NULL DEFAULT '',
  folio              text NOT NULL DEFAULT '',
  num_parcialidad    integer,
  moneda_dr          text NOT NULL DEFAULT '',
  equivalencia       numeric(24,10),
  saldo_anterior     numeric(24,6),
  pagado             numeric(24,6) NOT NULL,
  insoluto           numeric(24,6),
  pagado_mxn         numeric(20,2) NOT NULL,
  PRIMARY KEY (payment_invoice_id, pago_no, doc_no)
);
CREATE INDEX sat_payment_applications_invoice_idx ON sat_payment_applications (company_id, invoice_uuid);
SELECT vertice_apply_company_rls('sat_payment_applications');

-- Money as text the way the API shows it: 2 decimals unless the value needs more.
CREATE FUNCTION cfdi_amount_text(p numeric) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p IS NULL THEN NULL
              WHEN scale(trim_scale(p)) <= 2 THEN round(p, 2)::text
              ELSE trim_scale(p)::text END
$$;

-- Recomputes paid, credited, outstanding, payment_state and balance_flags of the current
-- company's tipo I documents with these UUIDs, from vigente payment complements (tipo P) and
-- vigente credit notes (tipo E related with TipoRelacion 01). PUE invoices are paid at issuance.
CREATE FUNCTION cfdi_refresh_balances(p_uuids text[]) RETURNS integer LANGUAGE sql AS $$
  WITH apps AS (
    SELECT a.invoice_uuid, a.num_parcialidad, a.saldo_anterior, a.pagado, a.insoluto, a.fecha_pago,
           lag(a.insoluto) OVER (PARTITION BY a.invoice_uuid ORDER BY a.num_parcialidad NULLS LAST, a.fecha_pago)
             AS prev_insoluto,
           row_number() OVER (PARTITION BY a.invoice_uuid
                              ORDER BY a.num_parcialidad DESC NULLS LAST, a.fecha_pago DESC) AS latest
    FROM sat_payment_applications a
    JOIN sat_invoices p ON p.invoice_id = a.payment_invoice_id AND p.status = 'vigente'
    WHERE a.company_id = vertice_current_company() AND a.invoice_uuid = ANY (p_uuids)
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
    WHERE r.company_id = vertice_current_company() AND r.related_uuid = ANY (p_uuids) AND r.tipo_relacion = '01'
    GROUP BY r.related_uuid
  ), calc AS (
    SELECT i.invoice_id, i.status, i.metodo_pago, i.total, i.fecha,
           coalesce(pay.paid, 0) AS paid, coalesce(cred.credited, 0) AS credited,
           i.total - coalesce(pay.paid, 0) - coalesce(cred.credited, 0) AS remaining,
           pay.n, pay.last_insoluto, pay.first_paid_at, pay.last_paid_at, pay.dup_parc, pay.gap_parc, pay.chain_broken
    FROM sat_invoices i
    LEFT JOIN pay ON pay.invoice_uuid = i.uuid
    LEFT JOIN cred ON cred.invoice_uuid = i.uuid
    WHERE i.company_id = vertice_current_company() AND i.uuid = ANY (p_uuids) AND i.tipo = 'I'
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

-- Stores a batch of validated documents for the current company in one set-based statement (no
-- per-row round trips or loops). p_xml holds the documents' original bytes, base64, separated by
-- commas (kept out of the JSON: its parser would walk every character). Each element of p_docs is one document (fields as text,
-- children as arrays); the answer says per element whether it was accepted, a duplicate (same
-- UUID and bytes, or the same draft bytes, already stored or earlier in the batch) or a conflict
-- (same UUID, other bytes). Balances of every invoice the batch touches are then refreshed.
CREATE FUNCTION cfdi_store_documents(p_import_id bigint, p_docs jsonb, p_xml text)
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
      payment_state, outstanding, xml, file_name, import_id)
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
      decode(v_xml[idx], 'base64'), d->>'file_name', p_import_id
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

-- Revenue feed for the unified transactions view: issued invoices (I) net of issued credit
-- notes (E), excluding cancelled and unstamped documents, in MXN.
CREATE VIEW cfdi_revenue WITH (security_invoker = true) AS
  SELECT tenant_id, company_id, invoice_id AS source_id, uuid, fecha::date AS occurred_on, tipo,
         CASE tipo WHEN 'E' THEN -total_mxn ELSE total_mxn END AS amount_mxn, status,
         counterparty_rfc, counterparty_name
  FROM sat_invoices
  WHERE direction = 'issued' AND tipo IN ('I', 'E') AND status = 'vigente';
GRANT SELECT ON cfdi_revenue TO vertice_app;
