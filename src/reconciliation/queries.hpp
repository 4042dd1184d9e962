// The reconciliation module's named SQL for decisions, manual matches, suggestions, rules and
// the summary (the matcher run's own statements sit beside it in run.cpp). Every statement is
// scoped to the transaction's company with vertice_current_tenant()/vertice_current_company(),
// and row-level security checks it again.
#pragma once

namespace vertice::reconciliation::sql {

// A match with its movement and documents, as the API shows it (one shape: a decision's answer
// and the suggestions list).
#define VERTICE_MATCH_ITEM                                                                                         \
  "json_build_object("                                                                                             \
  "'match_id', r.match_id::text, 'origin', r.origin, 'state', r.state, 'category', r.category, "                   \
  "'score', r.score, 'reasons', r.reasons, 'adjustments', r.adjustments, 'created_at', r.created_at, "             \
  "'decided_by', r.decided_by, 'decided_at', r.decided_at, "                                                       \
  "'movement', json_build_object('movement_id', m.movement_id::text, 'account_id', m.account_id::text, "           \
  "'booking_date', m.booking_date, 'amount', m.amount::text, 'currency', m.currency, "                             \
  "'description', m.description, 'reference', m.reference, 'status', m.status), "                                  \
  "'documents', coalesce((SELECT json_agg(json_build_object('invoice_id', i.invoice_id::text, 'uuid', i.uuid, "    \
  "'serie', i.serie, 'folio', i.folio, 'tipo', i.tipo, 'fecha', i.fecha, 'counterparty_rfc', i.counterparty_rfc, " \
  "'counterparty_name', i.counterparty_name, 'total', round(i.total, 2)::text, 'moneda', i.moneda, "               \
  "'amount', l.amount::text, 'doc_amount', l.doc_amount::text) ORDER BY i.fecha, i.invoice_id) "                   \
  "FROM reconciliation_match_lines l JOIN sat_invoices i USING (invoice_id) WHERE l.match_id = r.match_id), '[]'))"
#define VERTICE_MATCH_SOURCE "reconciliation_matches r JOIN bank_movements m USING (movement_id)"
#define VERTICE_MATCH_SCOPE "r.tenant_id = vertice_current_tenant() AND r.company_id = vertice_current_company()"

inline constexpr const char* kMatchItem = VERTICE_MATCH_ITEM;
inline constexpr const char* kMatchSource = VERTICE_MATCH_SOURCE;
inline constexpr const char* kMatchScope = VERTICE_MATCH_SCOPE;

// One match ($1: match id).
inline constexpr const char* kMatchById = "SELECT " VERTICE_MATCH_ITEM "::text AS j FROM " VERTICE_MATCH_SOURCE
                                          " WHERE " VERTICE_MATCH_SCOPE " AND r.match_id = $1::bigint";

// The movement a match belongs to (read before the movement is locked).
inline constexpr const char* kMatchMovement = R"sql(
SELECT movement_id::text AS movement_id FROM reconciliation_matches
WHERE match_id = $1::bigint AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

// Decisions on one movement are serialised on its row; returns its amount.
inline constexpr const char* kLockMovement = R"sql(
SELECT amount::text AS amount FROM bank_movements
WHERE movement_id = $1::bigint AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
FOR UPDATE
)sql";

inline constexpr const char* kMovementHasAcceptedMatch = R"sql(
SELECT 1 FROM reconciliation_matches
WHERE movement_id = $1::bigint AND state = 'accepted'
  AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

// A document of the match that would receive more than it has open ($1: match id). What a
// document has settled is reconciliation_settled() (R__reconciliation_read_models.sql).
inline constexpr const char* kOverAppliedDocument = R"sql(
SELECT i.uuid FROM reconciliation_match_lines l JOIN sat_invoices i USING (invoice_id)
WHERE l.match_id = $1::bigint AND l.tenant_id = vertice_current_tenant() AND l.company_id = vertice_current_company()
  AND abs(l.doc_amount) + reconciliation_settled(l.invoice_id) > round(i.total, 2) + 0.01
LIMIT 1
)sql";

// A vigente document by row id or UUID, with its currency, exchange rate (6 decimals, as SAT
// writes it) and what is still open of it.
inline constexpr const char* kOpenDocument = R"sql(
SELECT i.invoice_id, i.moneda, trunc(coalesce(i.tipo_cambio, 1), 6)::text AS rate,
       round(i.total, 2) - reconciliation_settled(i.invoice_id) AS open
FROM sat_invoices i
WHERE i.tenant_id = vertice_current_tenant() AND i.company_id = vertice_current_company()
  AND i.status = 'vigente' AND (i.invoice_id::text = $1 OR i.uuid = upper($1))
)sql";

inline constexpr const char* kMarkDecided = R"sql(
UPDATE reconciliation_matches SET decided_by = $2, decided_at = clock_timestamp()
WHERE match_id = $1::bigint AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

// The append-only log of what happened to a match.
inline constexpr const char* kRecordEvent = R"sql(
INSERT INTO reconciliation_events (tenant_id, company_id, match_id, event, actor)
VALUES (vertice_current_tenant(), vertice_current_company(), $1::bigint, $2, $3)
)sql";

// A movement's status and reconciled amount follow its accepted matches.
inline constexpr const char* kRefreshMovement = "SELECT reconciliation_refresh_movements(ARRAY[$1::bigint])";

inline constexpr const char* kProposedForMovement = R"sql(
SELECT match_id::text AS match_id FROM reconciliation_matches
WHERE movement_id = $1::bigint AND state = 'proposed'
  AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
ORDER BY match_id
)sql";

inline constexpr const char* kInsertManualMatch = R"sql(
INSERT INTO reconciliation_matches (tenant_id, company_id, movement_id, origin, state, category, reasons,
                                    adjustments, created_by, decided_by, decided_at)
VALUES (vertice_current_tenant(), vertice_current_company(), $1::bigint, 'manual', 'accepted', $2,
        '[{"code": "manual", "text": "conciliación manual"}]', $3::jsonb, $4, $4, clock_timestamp())
RETURNING match_id::text AS id
)sql";

inline constexpr const char* kInsertMatchLines = R"sql(
INSERT INTO reconciliation_match_lines (match_id, tenant_id, company_id, invoice_id, amount, doc_amount)
SELECT $1::bigint, vertice_current_tenant(), vertice_current_company(), x.invoice_id, x.amount, x.doc_amount
FROM jsonb_to_recordset($2::jsonb) AS x(invoice_id bigint, amount numeric, doc_amount numeric)
)sql";

// The company's reconciliation at a glance ($1 account, $2 from, $3 to, $4 the clock's instant:
// ages count from its Mexico City day).
inline constexpr const char* kSummary = R"sql(
WITH m AS (
  SELECT * FROM bank_movements
  WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
    AND ($1::bigint IS NULL OR account_id = $1::bigint)
    AND ($2::date IS NULL OR booking_date >= $2::date) AND ($3::date IS NULL OR booking_date <= $3::date)
), open_ AS (
  SELECT abs(amount) - abs(reconciled_amount) AS left_,
         ($4::timestamptz AT TIME ZONE 'America/Mexico_City')::date - booking_date AS days FROM m
  WHERE status IN ('unreconciled', 'partial')
)
SELECT json_build_object(
  'movements', (SELECT count(*) FROM m),
  'by_status', (SELECT coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, count(*) AS n FROM m GROUP BY 1) s),
  'reconciled_share_count', (SELECT round(count(*) FILTER (WHERE status IN ('reconciled', 'ignored'))::numeric
                                          / nullif(count(*), 0), 4) FROM m),
  'reconciled_share_amount', (SELECT round(sum(CASE WHEN status = 'ignored' THEN abs(amount)
                                                    ELSE least(abs(reconciled_amount), abs(amount)) END)
                                           / nullif(sum(abs(amount)), 0), 4) FROM m),
  'unreconciled_amount', (SELECT coalesce(sum(left_), 0)::numeric(18,2)::text FROM open_),
  'unreconciled_by_age', json_build_object(
     '0_30', (SELECT coalesce(sum(left_) FILTER (WHERE days <= 30), 0)::numeric(18,2)::text FROM open_),
     '31_60', (SELECT coalesce(sum(left_) FILTER (WHERE days BETWEEN 31 AND 60), 0)::numeric(18,2)::text FROM open_),
     '61_90', (SELECT coalesce(sum(left_) FILTER (WHERE days BETWEEN 61 AND 90), 0)::numeric(18,2)::text FROM open_),
     '90_plus', (SELECT coalesce(sum(left_) FILTER (WHERE days > 90), 0)::numeric(18,2)::text FROM open_)),
  'pending_suggestions', (SELECT count(*) FROM reconciliation_matches r WHERE r.state = 'proposed'
                            AND r.tenant_id = vertice_current_tenant() AND r.company_id = vertice_current_company()
                            AND r.movement_id IN (SELECT movement_id FROM m))
)::text AS j
)sql";

// Rules a company adds: words that must all appear in a movement's text → a category.
inline constexpr const char* kListRules = R"sql(
SELECT json_build_object('items', coalesce(json_agg(json_build_object(
         'rule_id', rule_id::text, 'pattern', pattern, 'direction', direction, 'category', category,
         'created_by', created_by, 'created_at', created_at) ORDER BY rule_id), '[]'))::text AS j
FROM reconciliation_rules WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

inline constexpr const char* kInsertRule = R"sql(
INSERT INTO reconciliation_rules (tenant_id, company_id, pattern, direction, category, created_by)
VALUES (vertice_current_tenant(), vertice_current_company(), $1, $2, $3, $4)
RETURNING json_build_object('rule_id', rule_id::text, 'pattern', pattern, 'direction', direction,
                            'category', category)::text AS j, rule_id::text AS id
)sql";

inline constexpr const char* kDeleteRule = R"sql(
DELETE FROM reconciliation_rules
WHERE rule_id = $1::bigint AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
RETURNING pattern, category
)sql";

// Every statement above, for the test that each one touching a company's table states the
// company (tests/unit/tenancy_sql_test.cpp).
inline constexpr const char* kAll[] = {kMatchById,
                                       kMatchMovement,
                                       kLockMovement,
                                       kMovementHasAcceptedMatch,
                                       kOverAppliedDocument,
                                       kOpenDocument,
                                       kMarkDecided,
                                       kRecordEvent,
                                       kRefreshMovement,
                                       kProposedForMovement,
                                       kInsertManualMatch,
                                       kInsertMatchLines,
                                       kSummary,
                                       kListRules,
                                       kInsertRule,
                                       kDeleteRule};

}  // namespace vertice::reconciliation::sql
