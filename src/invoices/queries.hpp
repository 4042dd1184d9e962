// The invoices module's named SQL: one invoice as the API shows it (the header lists show plus
// parties, taxes, lines, payments, credit notes and what the bank settled), and its lifecycle.
#pragma once

namespace vertice::invoices::sql {

// One shape for one invoice, whatever asks for it (GET /invoices/{id}, POST …/cancel).
inline constexpr const char* kDetail = R"sql(
SELECT json_build_object(
  'id', i.invoice_id::text, 'uuid', i.uuid, 'serie', i.serie, 'folio', i.folio,
  'fecha', to_char(i.fecha, 'YYYY-MM-DD"T"HH24:MI:SS'), 'tipo', i.tipo, 'direction', i.direction,
  'status', i.status, 'version', i.version,
  'emisor', json_build_object('rfc', i.emisor_rfc, 'nombre', i.emisor_nombre),
  'receptor', json_build_object('rfc', i.receptor_rfc, 'nombre', i.receptor_nombre),
  'counterparty', json_build_object('rfc', i.counterparty_rfc, 'nombre', i.counterparty_name),
  'moneda', i.moneda, 'tipo_cambio', trim_scale(i.tipo_cambio)::text,
  'subtotal', cfdi_amount_text(i.subtotal), 'descuento', cfdi_amount_text(i.descuento),
  'total', cfdi_amount_text(i.total), 'total_mxn', i.total_mxn::text,
  'metodo_pago', i.metodo_pago, 'forma_pago', i.forma_pago,
  'balance', json_build_object('paid', cfdi_amount_text(i.paid), 'credited', cfdi_amount_text(i.credited),
                               'outstanding', cfdi_amount_text(i.outstanding), 'state', i.payment_state,
                               'flags', to_json(i.balance_flags)),
  'warnings', i.warnings,
  'seal', json_build_object('state', i.seal_state, 'reason', i.seal_reason),
  'cancelled_at', i.cancelled_at,
  'exportacion', i.exportacion, 'lugar_expedicion', i.lugar_expedicion, 'condiciones_pago', i.condiciones_pago,
  'uso_cfdi', i.receptor_uso_cfdi, 'regimen_emisor', i.emisor_regimen, 'regimen_receptor', i.receptor_regimen,
  'total_traslados', cfdi_amount_text(i.total_traslados), 'total_retenciones', cfdi_amount_text(i.total_retenciones),
  'stamp', CASE WHEN i.uuid IS NULL THEN NULL ELSE json_build_object(
      'version', i.tfd_version, 'fecha_timbrado', to_char(i.stamped_at, 'YYYY-MM-DD"T"HH24:MI:SS'),
      'rfc_prov_certif', i.pac_rfc) END,
  'qr_expression', CASE WHEN i.uuid IS NULL THEN NULL ELSE
      'https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=' || i.uuid || '&re=' || i.emisor_rfc ||
      '&rr=' || i.receptor_rfc || '&tt=' || i.total::text || '&fe=' || i.sello_tail END,
  'complementos', to_json(i.complementos), 'has_addenda', i.has_addenda,
  'cancel_reason', i.cancel_reason,
  'import', json_build_object('id', i.import_id::text, 'file_name', i.file_name, 'imported_at', i.created_at),
  'bank', json_build_object(
      'settled', reconciliation_settled(i.invoice_id)::numeric(24,2)::text,
      'movements', coalesce((SELECT json_agg(json_build_object('movement_id', r.movement_id::text,
                           'match_id', r.match_id::text, 'amount', l.amount::text, 'origin', r.origin) ORDER BY r.match_id)
                           FROM reconciliation_match_lines l JOIN reconciliation_matches r USING (match_id)
                           WHERE l.invoice_id = i.invoice_id AND r.state = 'accepted'), '[]')),
  'conceptos', coalesce((SELECT json_agg(json_build_object(
      'line', c.line_no, 'clave_prod_serv', c.clave_prod_serv, 'no_identificacion', c.no_identificacion,
      'cantidad', trim_scale(c.cantidad)::text, 'clave_unidad', c.clave_unidad, 'unidad', c.unidad,
      'descripcion', c.descripcion, 'valor_unitario', cfdi_amount_text(c.valor_unitario),
      'importe', cfdi_amount_text(c.importe), 'descuento', cfdi_amount_text(c.descuento), 'objeto_imp', c.objeto_imp,
      'taxes', coalesce((SELECT json_agg(json_build_object('kind', t.kind, 'impuesto', t.impuesto,
          'tipo_factor', t.tipo_factor, 'tasa', trim_scale(t.tasa)::text, 'base', cfdi_amount_text(t.base),
          'importe', cfdi_amount_text(t.importe)))
        FROM sat_invoice_taxes t WHERE t.invoice_id = i.invoice_id AND t.line_no = c.line_no), '[]'))
      ORDER BY c.line_no) FROM sat_invoice_conceptos c WHERE c.invoice_id = i.invoice_id), '[]'),
  'taxes', coalesce((SELECT json_agg(json_build_object('kind', t.kind, 'impuesto', t.impuesto,
      'tipo_factor', t.tipo_factor, 'tasa', trim_scale(t.tasa)::text, 'base', cfdi_amount_text(t.base),
      'importe', cfdi_amount_text(t.importe)))
    FROM sat_invoice_taxes t WHERE t.invoice_id = i.invoice_id AND t.line_no IS NULL), '[]'),
  'related', coalesce((SELECT json_agg(json_build_object('tipo_relacion', r.tipo_relacion, 'uuid', r.related_uuid))
    FROM sat_invoice_relations r WHERE r.invoice_id = i.invoice_id), '[]'),
  'credit_notes', coalesce((SELECT json_agg(json_build_object('uuid', e.uuid, 'fecha', e.fecha, 'total',
      cfdi_amount_text(e.total), 'status', e.status) ORDER BY e.fecha)
    FROM sat_invoice_relations r JOIN sat_invoices e ON e.invoice_id = r.invoice_id
    WHERE i.uuid IS NOT NULL AND r.company_id = i.company_id AND r.related_uuid = i.uuid AND r.tipo_relacion = '01'
      AND e.tipo = 'E'), '[]'),
  'payments_received', coalesce((SELECT json_agg(json_build_object(
      'payment_uuid', a.payment_uuid, 'fecha_pago', to_char(a.fecha_pago, 'YYYY-MM-DD"T"HH24:MI:SS'),
      'forma_pago', a.forma_pago, 'moneda_p', a.moneda_p, 'num_parcialidad', a.num_parcialidad,
      'saldo_anterior', cfdi_amount_text(a.saldo_anterior), 'pagado', cfdi_amount_text(a.pagado),
      'insoluto', cfdi_amount_text(a.insoluto), 'pagado_mxn', a.pagado_mxn::text, 'status', p.status)
      ORDER BY a.num_parcialidad NULLS LAST, a.fecha_pago)
    FROM sat_payment_applications a JOIN sat_invoices p ON p.invoice_id = a.payment_invoice_id
    WHERE i.uuid IS NOT NULL AND a.company_id = i.company_id AND a.invoice_uuid = i.uuid), '[]'),
  'payment_applications', coalesce((SELECT json_agg(json_build_object(
      'pago', a.pago_no, 'fecha_pago', to_char(a.fecha_pago, 'YYYY-MM-DD"T"HH24:MI:SS'), 'forma_pago', a.forma_pago,
      'moneda_p', a.moneda_p, 'tipo_cambio_p', trim_scale(a.tipo_cambio_p)::text, 'monto', cfdi_amount_text(a.monto),
      'invoice_uuid', a.invoice_uuid, 'num_parcialidad', a.num_parcialidad, 'moneda_dr', a.moneda_dr,
      'equivalencia', trim_scale(a.equivalencia)::text, 'saldo_anterior', cfdi_amount_text(a.saldo_anterior),
      'pagado', cfdi_amount_text(a.pagado), 'insoluto', cfdi_amount_text(a.insoluto), 'pagado_mxn', a.pagado_mxn::text)
      ORDER BY a.pago_no, a.doc_no)
    FROM sat_payment_applications a WHERE a.payment_invoice_id = i.invoice_id), '[]')
)::text AS j
FROM sat_invoices i WHERE i.company_id = vertice_current_company()
)sql";
inline constexpr const char* kByUuid = " AND i.uuid = $1";
inline constexpr const char* kById = " AND i.invoice_id = $1::bigint";

// After a cancellation the balances follow: the invoice itself, what a payment paid, what a
// credit note credited ($1 invoice id, $2 its UUID).
inline constexpr const char* kRefreshBalancesAfterCancel = R"sql(
SELECT cfdi_refresh_balances(ARRAY(
  SELECT $2::text
  UNION SELECT invoice_uuid FROM sat_payment_applications
         WHERE payment_invoice_id = $1::bigint AND company_id = vertice_current_company()
  UNION SELECT related_uuid FROM sat_invoice_relations
         WHERE invoice_id = $1::bigint AND company_id = vertice_current_company()))
)sql";

inline constexpr const char* kInvoiceIdByUuid =
    "SELECT invoice_id::text AS id FROM sat_invoices i WHERE i.company_id = vertice_current_company() AND i.uuid = $1";

// Every statement above, for the tenancy test (tests/unit/tenancy_sql_test.cpp).
// Vigente invoices by month, direction and type ($1 from, $2 to: dates or NULL).
inline constexpr const char* kMonthlySummary = R"sql(
SELECT to_char(date_trunc('month', i.fecha), 'YYYY-MM') AS month, i.direction, i.tipo, count(*) AS n,
  sum(i.total_mxn)::text AS total_mxn,
  sum(CASE WHEN i.tipo = 'I' THEN i.outstanding * coalesce(i.tipo_cambio, 1) ELSE 0 END)::numeric(20,2)::text
    AS outstanding_mxn
FROM sat_invoices i WHERE i.company_id = vertice_current_company() AND i.status = 'vigente'
  AND ($1::date IS NULL OR i.fecha >= $1::date) AND ($2::date IS NULL OR i.fecha < $2::date + 1)
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
)sql";

// Receivables or payables by counterparty in age buckets ($1 direction, $2 as-of date); the open
// items are invoice_open_items() (R__invoice_read_models.sql), which the dashboard reads too.
inline constexpr const char* kAging = R"sql(
SELECT rfc, max(name) AS name, count(*) AS n, sum(amount)::text AS total,
  coalesce(sum(amount) FILTER (WHERE days <= 30), 0)::text AS d0_30,
  coalesce(sum(amount) FILTER (WHERE days BETWEEN 31 AND 60), 0)::text AS d31_60,
  coalesce(sum(amount) FILTER (WHERE days BETWEEN 61 AND 90), 0)::text AS d61_90,
  coalesce(sum(amount) FILTER (WHERE days > 90), 0)::text AS d90_plus
FROM invoice_open_items($1, $2::date) GROUP BY rfc ORDER BY sum(amount) DESC, rfc
)sql";

inline constexpr const char* kAll[] = {kDetail, kRefreshBalancesAfterCancel, kInvoiceIdByUuid, kMonthlySummary};

}  // namespace vertice::invoices::sql
