// The CPG vertical's named SQL: consignments (consignment_routes.cpp), point-of-sale sales
// (catalog_routes.cpp) and the price lookup both share (pricing.cpp). Every statement states the
// company as the transaction sets it (vertice_current_tenant() / vertice_current_company()).
#pragma once

namespace vertice::verticals::cpg::sql {

// ---- consignments ----

// The consignment's header, locked until the transaction ends ($1 consignment).
inline constexpr const char* kLockConsignment = R"sql(
SELECT status, commission_rate::text AS commission_rate, amount_due::text AS amount_due, settled::text AS settled
  FROM cpg_consignments
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1
   FOR UPDATE)sql";

// The consignment's line quantities and prices ($1 consignment).
inline constexpr const char* kConsignmentLineFigures = R"sql(
SELECT qty_delivered::text AS d, qty_sold::text AS s, qty_returned::text AS r, unit_price::text AS p,
       iva_rate::text AS t
  FROM cpg_consignment_lines
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1)sql";

// The header's amounts recomputed from its lines ($1 consignment, $2 delivered, $3 sold,
// $4 returned, $5 commission, $6 due).
inline constexpr const char* kUpdateConsignmentTotals = R"sql(
UPDATE cpg_consignments
   SET value_delivered = $2, value_sold = $3, value_returned = $4, commission = $5, amount_due = $6,
       version = version + 1
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1)sql";

// The consignment as the API shows it, built from `c` (its header row) and `l` (its line rows), which
// the statement's CTEs provide: read from the tables (kConsignmentDetail) or just inserted
// (kInsertConsignment, which then needs no second read). Settlements, status history and what the
// caller may do next (`events`: the parameter holding the caller's events by status, a JSON object
// computed from the status machine) are read here.
#define VERTICE_CPG_CONSIGNMENT_DOCUMENT(events)                                                                  \
  " "                                                                                                             \
  "SELECT c.consignment_id, json_build_object("                                                                   \
  "'consignment_id', c.consignment_id::text, 'folio', c.folio, 'pos_id', c.pos_id::text, 'pos_code', p.code, "    \
  "'pos_name', p.name, 'consigned_on', c.consigned_on, 'delivered_on', c.delivered_on, 'status', c.status, "      \
  "'commission_rate', c.commission_rate::text, 'value_delivered', c.value_delivered::text, "                      \
  "'value_sold', c.value_sold::text, 'value_returned', c.value_returned::text, "                                  \
  "'commission', c.commission::text, 'amount_due', c.amount_due::text, 'settled', c.settled::text, "              \
  "'balance', (c.amount_due - c.settled)::text, "                                                                 \
  "'value_on_hand', (c.value_delivered - c.value_sold - c.value_returned)::text, 'notes', c.notes, "              \
  "'version', c.version, 'created_at', c.created_at, "                                                            \
  "'lines', (SELECT coalesce(json_agg(json_build_object('line_no', l.line_no, 'product_id', l.product_id::text, " \
  "'sku', pr.sku, 'name', pr.name, 'qty_delivered', l.qty_delivered::text, 'qty_sold', l.qty_sold::text, "        \
  "'qty_returned', l.qty_returned::text, 'qty_on_hand', (l.qty_delivered - l.qty_sold - l.qty_returned)::text, "  \
  "'unit_price', l.unit_price::text, 'iva_rate', l.iva_rate::text) ORDER BY l.line_no), '[]') "                   \
  "FROM l JOIN cpg_products pr ON pr.product_id = l.product_id), "                                                \
  "'settlements', (SELECT coalesce(json_agg(json_build_object('settlement_id', s.settlement_id::text, "           \
  "'amount', s.amount::text, 'paid_on', s.paid_on, 'method', s.method, 'reference', s.reference, "                \
  "'cfdi_uuid', s.cfdi_uuid, 'created_at', s.created_at) ORDER BY s.settlement_id), '[]') "                       \
  "FROM cpg_consignment_settlements s "                                                                           \
  "WHERE s.tenant_id = c.tenant_id AND s.company_id = c.company_id AND s.consignment_id = c.consignment_id), "    \
  "'history', (SELECT coalesce(json_agg(json_build_object('from_status', h.from_status, 'event', h.event, "       \
  "'to_status', h.to_status, 'actor_type', h.actor_type, 'actor_id', h.actor_id, 'at', h.created_at) "            \
  "ORDER BY h.history_id), '[]') "                                                                                \
  "FROM status_history h "                                                                                        \
  "WHERE h.tenant_id = c.tenant_id AND h.company_id = c.company_id AND h.machine = 'cpg.consignment' "            \
  "AND h.entity_id = c.consignment_id::text), "                                                                   \
  "'available_events', coalesce(" events                                                                          \
  "::jsonb -> c.status, '[]'::jsonb))::text AS detail "                                                           \
  "FROM c JOIN cpg_pos p ON p.pos_id = c.pos_id"

// The consignment as the API shows it, in one round trip ($1 consignment; $2 the caller's events by
// status).
inline constexpr const char* kConsignmentDetail = R"sql(
WITH c AS (
  SELECT * FROM cpg_consignments
   WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1),
 l AS (
  SELECT * FROM cpg_consignment_lines
   WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1))sql" VERTICE_CPG_CONSIGNMENT_DOCUMENT(
    "$2");

// A new consignment with its lines, answered as kConsignmentDetail answers ($1 folio or NULL for
// the next one, $2 point of sale, $3 consigned on, $4 commission rate, $5 value delivered, $6 notes,
// $7 lines as JSON, $8 the caller's events by status).
inline constexpr const char* kInsertConsignment = R"sql(
WITH c AS (
  INSERT INTO cpg_consignments (tenant_id, company_id, folio, pos_id, consigned_on, commission_rate,
                                value_delivered, notes)
  VALUES (vertice_current_tenant(), vertice_current_company(),
          COALESCE($1, 'CON-' || lpad(nextval('cpg_consignment_folio_seq')::text, 6, '0')), $2, $3, $4, $5, $6)
  RETURNING *),
 l AS (
  INSERT INTO cpg_consignment_lines (tenant_id, company_id, consignment_id, line_no, product_id, qty_delivered,
                                     unit_price, iva_rate)
  SELECT vertice_current_tenant(), vertice_current_company(), c.consignment_id, x.line_no, x.product_id, x.qty,
         x.price, x.rate
    FROM c, jsonb_to_recordset($7::jsonb) AS x(line_no int, product_id bigint, qty numeric, price numeric,
                                              rate numeric)
  RETURNING *))sql" VERTICE_CPG_CONSIGNMENT_DOCUMENT("$8");

// The day the goods arrived ($1 consignment, $2 date).
inline constexpr const char* kSetDeliveredOn = R"sql(
UPDATE cpg_consignments SET delivered_on = $2
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1)sql";

// Whether anything of the consignment was sold ($1 consignment).
inline constexpr const char* kConsignmentAnySold = R"sql(
SELECT bool_or(qty_sold > 0) AS any_sold
  FROM cpg_consignment_lines
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1)sql";

// Everything not sold comes back ($1 consignment).
inline constexpr const char* kReturnUnsold = R"sql(
UPDATE cpg_consignment_lines SET qty_returned = qty_delivered - qty_sold
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1)sql";

// Cumulative sold / returned quantities per line ($1 consignment, $2 [{line_no, sold, returned}]).
inline constexpr const char* kReportQuantities = R"sql(
WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(line_no int, sold numeric, returned numeric))
UPDATE cpg_consignment_lines l
   SET qty_sold = COALESCE(x.sold, l.qty_sold), qty_returned = COALESCE(x.returned, l.qty_returned)
  FROM x
 WHERE l.tenant_id = vertice_current_tenant() AND l.company_id = vertice_current_company()
   AND l.consignment_id = $1 AND l.line_no = x.line_no
RETURNING l.line_no)sql";

// A payment received, added to what is settled ($1 consignment, $2 amount, $3 paid on, $4 method,
// $5 reference, $6 CFDI UUID).
inline constexpr const char* kInsertSettlement = R"sql(
WITH s AS (
  INSERT INTO cpg_consignment_settlements (tenant_id, company_id, consignment_id, amount, paid_on, method, reference,
                                           cfdi_uuid)
  VALUES (vertice_current_tenant(), vertice_current_company(), $1, $2, $3, $4, $5, $6)
  RETURNING settlement_id, amount)
UPDATE cpg_consignments c SET settled = c.settled + s.amount, version = c.version + 1
  FROM s
 WHERE c.tenant_id = vertice_current_tenant() AND c.company_id = vertice_current_company() AND c.consignment_id = $1
RETURNING s.settlement_id, c.settled::text AS settled)sql";

// Whether every unit delivered is sold or returned ($1 consignment).
inline constexpr const char* kConsignmentAccounted = R"sql(
SELECT bool_and(qty_sold + qty_returned = qty_delivered) AS accounted
  FROM cpg_consignment_lines
 WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND consignment_id = $1)sql";

// ---- pricing and sales ----

// The point of sale, with one row per product found among the SKUs (or one row of NULLs)
// ($1 point of sale, $2 SKUs as a JSON array).
inline constexpr const char* kPosAndProducts = R"sql(
SELECT p.status, p.commission_rate::text AS commission_rate, pr.product_id, pr.sku,
       pr.unit_price::text AS unit_price, pr.iva_rate::text AS iva_rate, pr.active, pr.price_includes_tax
  FROM cpg_pos p
  LEFT JOIN cpg_products pr ON pr.tenant_id = p.tenant_id AND pr.company_id = p.company_id
                           AND pr.sku IN (SELECT jsonb_array_elements_text($2::jsonb))
 WHERE p.tenant_id = vertice_current_tenant() AND p.company_id = vertice_current_company() AND p.pos_id = $1)sql";

// A sale with its lines, dated by Mexico City's calendar ($1 point of sale, $2 ticket, $3 sold at or
// NULL for now, $4 payment method, $5 subtotal, $6 IVA, $7 total, $8 CFDI UUID, $9 lines as JSON).
inline constexpr const char* kInsertSale = R"sql(
WITH sale AS (
  INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, subtotal,
                         iva, total, cfdi_uuid)
  SELECT vertice_current_tenant(), vertice_current_company(), $1, $2, t,
         (t AT TIME ZONE 'America/Mexico_City')::date, $4, $5, $6, $7, $8
    FROM (SELECT COALESCE($3::timestamptz, now()) AS t) n
  RETURNING sale_id, sold_at, business_date),
 lines AS (
  INSERT INTO cpg_sale_lines (tenant_id, company_id, sale_id, line_no, product_id, quantity, unit_price, iva_rate,
                              subtotal, iva, price_includes_tax)
  SELECT vertice_current_tenant(), vertice_current_company(), sale.sale_id, l.line_no, l.product_id, l.quantity,
         l.unit_price, l.iva_rate, l.subtotal, l.iva, l.price_includes_tax
    FROM sale, jsonb_to_recordset($9::jsonb) AS l(line_no int, product_id bigint, quantity numeric,
                                                 unit_price numeric, iva_rate numeric, subtotal numeric, iva numeric,
                                                 price_includes_tax boolean))
SELECT sale_id, to_json(sold_at)#>>'{}' AS sold_at, business_date::text AS business_date FROM sale)sql";

// ---- the catalog and tickets ----

// One ticket as the API shows it, with its lines ($1 sale).
inline constexpr const char* kSaleDetail = R"sql(
SELECT json_build_object(
  'sale_id', s.sale_id::text, 'pos_id', s.pos_id::text, 'pos_code', p.code, 'pos_name', p.name, 'ticket', s.ticket,
  'sold_at', to_json(s.sold_at)#>>'{}', 'business_date', s.business_date::text, 'payment_method', s.payment_method,
  'subtotal', s.subtotal::text, 'iva', s.iva::text, 'total', s.total::text, 'cfdi_uuid', s.cfdi_uuid,
  'status', s.status, 'created_at', to_json(s.created_at)#>>'{}',
  'lines', (SELECT coalesce(json_agg(json_build_object(
              'line_no', l.line_no, 'product_id', l.product_id::text, 'sku', pr.sku, 'name', pr.name,
              'quantity', l.quantity::text, 'unit_price', l.unit_price::text, 'iva_rate', l.iva_rate::text,
              'price_includes_tax', l.price_includes_tax, 'subtotal', l.subtotal::text, 'iva', l.iva::text,
              'total', (l.subtotal + l.iva)::text) ORDER BY l.line_no), '[]')
              FROM cpg_sale_lines l JOIN cpg_products pr ON pr.product_id = l.product_id
             WHERE l.tenant_id = s.tenant_id AND l.company_id = s.company_id AND l.sale_id = s.sale_id)
)::text AS sale
  FROM cpg_sales s JOIN cpg_pos p ON p.pos_id = s.pos_id
 WHERE s.tenant_id = vertice_current_tenant() AND s.company_id = vertice_current_company() AND s.sale_id = $1)sql";

// The totals of a selection of tickets (the sales list's scope and filters follow the AND).
inline constexpr const char* kSaleTotals = R"sql(
SELECT count(*)::text AS count, coalesce(sum(s.subtotal), 0)::text AS subtotal, coalesce(sum(s.iva), 0)::text AS iva,
       coalesce(sum(s.total), 0)::text AS total
  FROM cpg_sales s JOIN cpg_pos p ON p.pos_id = s.pos_id
 WHERE s.tenant_id = vertice_current_tenant() AND s.company_id = vertice_current_company() AND )sql";

// A catalog import ($1 rows as JSON [{row, sku, name, unit_price, iva_rate, price_includes_tax, active}],
// $2 write: false only classifies). Each row by SKU: a product that does not exist is created, one
// whose fields differ is updated (its version moves), the rest are unchanged; an omitted
// price_includes_tax or active keeps the product's (or the default for a new one). Answers each
// row's action, in the file's order.
inline constexpr const char* kImportProducts = R"sql(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS r("row" int, sku text, name text, unit_price numeric, iva_rate numeric, price_includes_tax boolean,
         active boolean)),
classified AS (
  SELECT i.*, p.product_id,
         CASE WHEN p.product_id IS NULL THEN 'create'
              WHEN (p.name, p.unit_price, p.iva_rate, p.price_includes_tax, p.active)
                   IS DISTINCT FROM (i.name, i.unit_price, i.iva_rate,
                                     coalesce(i.price_includes_tax, p.price_includes_tax), coalesce(i.active, p.active))
              THEN 'update' ELSE 'unchanged' END AS action
    FROM input i
    LEFT JOIN cpg_products p ON p.tenant_id = vertice_current_tenant() AND p.company_id = vertice_current_company()
                            AND p.sku = i.sku),
updated AS (
  UPDATE cpg_products p
     SET name = c.name, unit_price = c.unit_price, iva_rate = c.iva_rate,
         price_includes_tax = coalesce(c.price_includes_tax, p.price_includes_tax),
         active = coalesce(c.active, p.active), version = p.version + 1
    FROM classified c
   WHERE $2 AND c.action = 'update' AND p.tenant_id = vertice_current_tenant()
     AND p.company_id = vertice_current_company() AND p.product_id = c.product_id
  RETURNING p.product_id),
inserted AS (
  INSERT INTO cpg_products (tenant_id, company_id, sku, name, unit_price, iva_rate, price_includes_tax, active)
  SELECT vertice_current_tenant(), vertice_current_company(), c.sku, c.name, c.unit_price, c.iva_rate,
         coalesce(c.price_includes_tax, false), coalesce(c.active, true)
    FROM classified c WHERE $2 AND c.action = 'create'
  RETURNING product_id)
SELECT c."row", c.sku, c.action,
       (SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted) AS written
  FROM classified c ORDER BY c."row")sql";

// Every statement above, for the tenancy test (tests/unit/tenancy_sql_test.cpp).
inline constexpr const char* kAll[] = {kLockConsignment,
                                       kConsignmentLineFigures,
                                       kUpdateConsignmentTotals,
                                       kConsignmentDetail,
                                       kInsertConsignment,
                                       kSetDeliveredOn,
                                       kConsignmentAnySold,
                                       kReturnUnsold,
                                       kReportQuantities,
                                       kInsertSettlement,
                                       kConsignmentAccounted,
                                       kPosAndProducts,
                                       kInsertSale,
                                       kSaleDetail,
                                       kSaleTotals,
                                       kImportProducts};

}  // namespace vertice::verticals::cpg::sql
