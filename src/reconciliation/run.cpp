#include "reconciliation/run.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <set>

namespace vertice::reconciliation {

namespace json = boost::json;

namespace {

Money M(std::string_view text) {
  auto m = Money::Parse(text);
  return m ? *m : Money{};
}

// Open documents: vigente invoices and credit notes of the company, net of what accepted
// matches already applied to them (in the document's currency); a credit note with the invoices
// it credits (CfdiRelacionados TipoRelacion 01).
constexpr const char* kDocumentsSql = R"sql(
SELECT i.invoice_id, coalesce(i.uuid, '') AS uuid, i.serie, i.folio, i.fecha::date::text AS fecha, i.tipo,
       i.direction, i.moneda, i.metodo_pago, i.counterparty_rfc, i.counterparty_name,
       round(i.total, 2)::text AS total,
       greatest(round(i.total, 2) - coalesce(s.settled, 0), 0)::numeric(24,2)::text AS open,
       CASE WHEN i.tipo = 'E' THEN coalesce((SELECT string_agg(r.related_uuid, ',') FROM sat_invoice_relations r
                                              WHERE r.invoice_id = i.invoice_id AND r.tipo_relacion = '01'), '')
            ELSE '' END AS related
FROM sat_invoices i
LEFT JOIN (SELECT l.invoice_id, sum(abs(l.doc_amount)) AS settled
           FROM reconciliation_match_lines l JOIN reconciliation_matches r USING (match_id)
           WHERE r.state = 'accepted' GROUP BY l.invoice_id) s USING (invoice_id)
WHERE i.tenant_id = vertice_current_tenant() AND i.company_id = vertice_current_company()
  AND i.status = 'vigente' AND (i.tipo = 'I' OR (i.tipo = 'E' AND i.direction = 'issued'))
)sql";

// Payment complements: each DoctoRelacionado's pesos applied and its ImpPagado (the document's currency).
constexpr const char* kComplementsSql = R"sql(
SELECT i.invoice_id, a.fecha_pago::date::text AS fecha, a.pagado_mxn::text AS amount,
       round(a.pagado, 2)::text AS doc_amount
FROM sat_payment_applications a
JOIN sat_invoices p ON p.invoice_id = a.payment_invoice_id AND p.status = 'vigente'
JOIN sat_invoices i ON i.company_id = a.company_id AND i.uuid = a.invoice_uuid
WHERE a.tenant_id = vertice_current_tenant() AND a.company_id = vertice_current_company()
)sql";

// The company's USD documents carry the DOF FIX of their date as TipoCambio.
constexpr const char* kFxSql = R"sql(
SELECT i.fecha::date::text AS fecha, avg(i.tipo_cambio)::float8::text AS rate
FROM sat_invoices i
WHERE i.tenant_id = vertice_current_tenant() AND i.company_id = vertice_current_company()
  AND i.moneda = 'USD' AND i.tipo_cambio > 1
GROUP BY 1 ORDER BY 1
)sql";

constexpr const char* kMovementsSql = R"sql(
SELECT m.movement_id, m.booking_date::text AS fecha, m.amount::text AS amount, m.description, m.reference,
       m.counterparty_name, m.counterparty_account
FROM bank_movements m
WHERE m.tenant_id = vertice_current_tenant() AND m.company_id = vertice_current_company()
  AND m.status = 'unreconciled'
  AND ($1::bigint IS NULL OR m.account_id = $1::bigint)
  AND ($2::date IS NULL OR m.booking_date >= $2::date)
  AND ($3::date IS NULL OR m.booking_date <= $3::date)
  AND NOT EXISTS (SELECT 1 FROM reconciliation_matches r WHERE r.movement_id = m.movement_id
                    AND (r.state = 'accepted' OR (r.origin = 'manual' AND r.state = 'proposed')))
ORDER BY m.booking_date, m.movement_id
)sql";

// Stores the run's decisions set-based: matches, their lines and their first event.
constexpr const char* kStoreSql = R"sql(
WITH d AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(movement_id bigint, origin text, state text, category text,
                                                  score numeric, reasons jsonb, adjustments jsonb, lines jsonb)
), ins AS (
  INSERT INTO reconciliation_matches (tenant_id, company_id, movement_id, run_id, origin, state, category, score,
                                      reasons, adjustments, created_by, decided_by, decided_at)
  SELECT vertice_current_tenant(), vertice_current_company(), d.movement_id, $1::bigint, d.origin, d.state,
         d.category, d.score, d.reasons, d.adjustments, $3,
         CASE WHEN d.state = 'accepted' THEN $3 END, CASE WHEN d.state = 'accepted' THEN clock_timestamp() END
  FROM d
  RETURNING match_id, movement_id, state, score, reasons
), lines AS (
  INSERT INTO reconciliation_match_lines (match_id, tenant_id, company_id, invoice_id, amount, doc_amount)
  SELECT ins.match_id, vertice_current_tenant(), vertice_current_company(), l.invoice_id, l.amount, l.doc_amount
  FROM ins JOIN d USING (movement_id),
       jsonb_to_recordset(d.lines) AS l(invoice_id bigint, amount numeric, doc_amount numeric)
), events AS (
  INSERT INTO reconciliation_events (tenant_id, company_id, match_id, event, actor, score, reasons)
  SELECT vertice_current_tenant(), vertice_current_company(), ins.match_id,
         CASE WHEN ins.state = 'accepted' THEN 'auto_accepted' ELSE 'proposed' END, $3, ins.score, ins.reasons
  FROM ins
)
SELECT coalesce(array_agg(movement_id) FILTER (WHERE state = 'accepted'), '{}')::text AS accepted FROM ins
)sql";

constexpr const char* kAccountExists = R"sql(
SELECT 1 FROM bank_accounts WHERE account_id = $1::bigint
  AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

// One run of a company at a time (two would propose the same documents twice).
constexpr const char* kLockCompanyRuns = "SELECT pg_advisory_xact_lock(7301, hashtext(vertice_current_company()))";

constexpr const char* kInsertRun = R"sql(
INSERT INTO reconciliation_runs (tenant_id, company_id, account_id, from_date, to_date, requested_by)
VALUES (vertice_current_tenant(), vertice_current_company(), $1::bigint, $2::date, $3::date, $4) RETURNING run_id
)sql";

// Earlier suggestions for the movements in range give way to this run's.
constexpr const char* kSupersedeSuggestions = R"sql(
WITH s AS (
  UPDATE reconciliation_matches r SET state = 'superseded' FROM bank_movements m
  WHERE r.movement_id = m.movement_id AND r.state = 'proposed' AND r.origin = 'suggestion'
    AND r.tenant_id = vertice_current_tenant() AND r.company_id = vertice_current_company()
    AND ($1::bigint IS NULL OR m.account_id = $1::bigint) AND ($2::date IS NULL OR m.booking_date >= $2::date)
    AND ($3::date IS NULL OR m.booking_date <= $3::date)
  RETURNING r.match_id)
INSERT INTO reconciliation_events (tenant_id, company_id, match_id, event, actor)
SELECT vertice_current_tenant(), vertice_current_company(), match_id, 'superseded', $4 FROM s
)sql";

constexpr const char* kRulesSql = R"sql(
SELECT pattern, direction, category FROM reconciliation_rules
WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() ORDER BY rule_id
)sql";

constexpr const char* kAliasesSql = R"sql(
SELECT payer_key, counterparty_rfc FROM reconciliation_aliases
WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

// What users rejected stays rejected: each rejected match as "movement:doc,doc" (or its category).
constexpr const char* kRejectedSql = R"sql(
SELECT r.movement_id::text || ':' || coalesce(string_agg(l.invoice_id::text, ',' ORDER BY l.invoice_id),
                                              r.category, '') AS k
FROM reconciliation_matches r LEFT JOIN reconciliation_match_lines l USING (match_id)
WHERE r.state = 'rejected' AND r.tenant_id = vertice_current_tenant() AND r.company_id = vertice_current_company()
GROUP BY r.match_id, r.movement_id, r.category
)sql";

constexpr const char* kRefreshMovements = "SELECT reconciliation_refresh_movements($1::bigint[])";

constexpr const char* kLearnAliases = R"sql(
INSERT INTO reconciliation_aliases (tenant_id, company_id, payer_key, counterparty_rfc)
SELECT vertice_current_tenant(), vertice_current_company(), x.k, x.rfc
FROM jsonb_to_recordset($1::jsonb) AS x(k text, rfc text)
ON CONFLICT (tenant_id, company_id, payer_key) DO UPDATE SET counterparty_rfc = EXCLUDED.counterparty_rfc,
                                                            updated_at = now()
)sql";

constexpr const char* kFinishRun = R"sql(
UPDATE reconciliation_runs SET finished_at = clock_timestamp(), movements = $2, auto_matched = $3,
  suggested = $4, classified = $5, unmatched = $6
WHERE run_id = $1 AND tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
)sql";

std::optional<std::string> Optional(const std::string& s) {
  return s.empty() ? std::optional<std::string>{} : std::optional<std::string>(s);
}

// What the matcher reads, loaded in the run's transaction.
struct RunInputs {
  std::vector<Document> documents;
  std::vector<PaymentEvidence> complements;
  std::vector<FxPoint> fx;
  std::vector<Rule> rules;
  std::map<std::string, std::string> aliases;
  std::vector<BankLine> lines;
  std::set<std::string> rejected;
};

Document DocumentOf(const db::Rows& rows, int i) {
  Document d;
  d.id = rows.Int(i, "invoice_id");
  d.uuid = rows.Str(i, "uuid");
  d.serie = rows.Str(i, "serie");
  d.folio = rows.Str(i, "folio");
  d.date = rows.Str(i, "fecha");
  d.tipo = rows.Get(i, "tipo").empty() ? 'I' : rows.Get(i, "tipo")[0];
  d.issued = rows.Get(i, "direction") == "issued";
  d.currency = rows.Str(i, "moneda");
  d.metodo_pago = rows.Str(i, "metodo_pago");
  d.counterparty_rfc = rows.Str(i, "counterparty_rfc");
  d.counterparty_name = rows.Str(i, "counterparty_name");
  d.total = M(rows.Get(i, "total"));
  d.open = M(rows.Get(i, "open"));
  const std::string related = rows.Str(i, "related");
  for (size_t from = 0; from < related.size();) {
    size_t comma = std::min(related.find(',', from), related.size());
    if (comma > from) d.related_uuids.push_back(related.substr(from, comma - from));
    from = comma + 1;
  }
  return d;
}

db::Task<Result<RunInputs>> LoadInputs(db::Transaction& tx, const db::Params& range) {
  RunInputs in;
  VERTICE_CO_ASSIGN_OR_RETURN(auto docs, co_await tx.Query(kDocumentsSql));
  in.documents.reserve(static_cast<size_t>(docs.Size()));
  for (int i = 0; i < docs.Size(); ++i) in.documents.push_back(DocumentOf(docs, i));
  VERTICE_CO_ASSIGN_OR_RETURN(auto complements, co_await tx.Query(kComplementsSql));
  for (int i = 0; i < complements.Size(); ++i)
    in.complements.push_back({complements.Int(i, "invoice_id"), complements.Str(i, "fecha"),
                              M(complements.Get(i, "amount")), M(complements.Get(i, "doc_amount"))});
  VERTICE_CO_ASSIGN_OR_RETURN(auto fx, co_await tx.Query(kFxSql));
  for (int i = 0; i < fx.Size(); ++i) in.fx.push_back({fx.Str(i, "fecha"), std::stod(fx.Str(i, "rate"))});
  VERTICE_CO_ASSIGN_OR_RETURN(auto rules, co_await tx.Query(kRulesSql));
  for (int i = 0; i < rules.Size(); ++i) {
    auto dir = rules.Get(i, "direction");
    in.rules.push_back({rules.Str(i, "pattern"), dir == "in" ? 1 : dir == "out" ? -1 : 0, rules.Str(i, "category")});
  }
  VERTICE_CO_ASSIGN_OR_RETURN(auto aliases, co_await tx.Query(kAliasesSql));
  for (int i = 0; i < aliases.Size(); ++i) in.aliases[aliases.Str(i, "payer_key")] = aliases.Str(i, "counterparty_rfc");
  VERTICE_CO_ASSIGN_OR_RETURN(auto lines, co_await tx.Query(kMovementsSql, range));
  in.lines.reserve(static_cast<size_t>(lines.Size()));
  for (int i = 0; i < lines.Size(); ++i)
    in.lines.push_back({lines.Int(i, "movement_id"), lines.Str(i, "fecha"), M(lines.Get(i, "amount")),
                        lines.Str(i, "description"), lines.Str(i, "reference"), lines.Str(i, "counterparty_name"),
                        lines.Str(i, "counterparty_account")});
  VERTICE_CO_ASSIGN_OR_RETURN(auto rejected, co_await tx.Query(kRejectedSql));
  for (int i = 0; i < rejected.Size(); ++i) in.rejected.insert(rejected.Str(i, "k"));
  co_return in;
}

// "movement:doc,doc" (documents sorted) or "movement:category": how a rejection is remembered.
std::string DecisionKey(const Decision& d) {
  std::vector<int64_t> ids;
  for (const auto& l : d.lines) ids.push_back(l.document_id);
  std::sort(ids.begin(), ids.end());
  std::string key = std::to_string(d.movement_id) + ":";
  for (size_t k = 0; k < ids.size(); ++k) key += (k ? "," : "") + std::to_string(ids[k]);
  if (ids.empty()) key += d.category;
  return key;
}

json::object StoredMatch(const Decision& d) {
  json::array reasons;
  // Each reason as {code, text}: the code for the screen to label, the text with its figures.
  for (const auto& r : d.reasons) reasons.push_back(json::object{{"code", r.code}, {"text", r.text}});
  json::array doc_lines;
  for (const auto& l : d.lines)
    doc_lines.push_back(json::object{
        {"invoice_id", l.document_id}, {"amount", l.amount.ToString()}, {"doc_amount", l.doc_amount.ToString()}});
  json::object adjustments;
  if (!d.bank_fee.IsZero()) adjustments["bank_fee"] = d.bank_fee.ToString();
  if (!d.bank_fee_iva.IsZero()) adjustments["bank_fee_iva"] = d.bank_fee_iva.ToString();
  return json::object{{"movement_id", d.movement_id},
                      {"origin", d.automatic ? "auto" : "suggestion"},
                      {"state", d.automatic ? "accepted" : "proposed"},
                      {"category", d.category.empty() ? json::value(nullptr) : json::value(d.category)},
                      {"score", std::round(d.score * 1000) / 1000},
                      {"reasons", std::move(reasons)},
                      {"adjustments", std::move(adjustments)},
                      {"lines", std::move(doc_lines)}};
}

// What a run stores: its matches, its counts, and the payers it learned (automatic matches only).
struct RunPlan {
  json::array matches;
  std::map<std::string, std::string> learned;
};

RunPlan PlanRun(const std::vector<Decision>& decisions, const std::set<std::string>& rejected, RunReport& r) {
  RunPlan plan;
  for (const auto& d : decisions) {
    if (d.kind == Decision::Kind::kNothing || rejected.contains(DecisionKey(d))) {
      ++r.unmatched;
      continue;
    }
    plan.matches.push_back(StoredMatch(d));
    if (d.kind == Decision::Kind::kCategory)
      ++r.classified;
    else if (d.automatic)
      ++r.auto_matched;
    else
      ++r.suggested;
    if (d.automatic && !d.payer_key.empty() && !d.payer_rfc.empty()) plan.learned[d.payer_key] = d.payer_rfc;
  }
  return plan;
}

db::Task<Status> StoreRun(db::Transaction& tx, const RunReport& r, const RunPlan& plan, const std::string& actor) {
  const std::string run_id = std::to_string(r.run_id);
  VERTICE_CO_ASSIGN_OR_RETURN(auto stored,
                              co_await tx.Query(kStoreSql, db::P(run_id, json::serialize(plan.matches), actor)));
  VERTICE_CO_TRY(co_await tx.Query(kRefreshMovements, db::P(stored.Str(0, "accepted"))));
  if (!plan.learned.empty()) {
    json::array a;
    for (const auto& [k, v] : plan.learned) a.push_back(json::object{{"k", k}, {"rfc", v}});
    VERTICE_CO_TRY(co_await tx.Query(kLearnAliases, db::P(json::serialize(a))));
  }
  VERTICE_CO_TRY(co_await tx.Query(
      kFinishRun, db::P(run_id, std::to_string(r.movements), std::to_string(r.auto_matched),
                        std::to_string(r.suggested), std::to_string(r.classified), std::to_string(r.unmatched))));
  co_return Status{};
}

}  // namespace

json::object RunReportJson(const RunReport& r) {
  return {{"run_id", std::to_string(r.run_id)},
          {"movements", r.movements},
          {"auto_matched", r.auto_matched},
          {"suggested", r.suggested},
          {"classified", r.classified},
          {"unmatched", r.unmatched},
          {"duration_ms", std::round(r.duration_ms * 10) / 10}};
}

// Opens the run (the company's runs serialised, earlier suggestions in range superseded), loads what
// the matcher reads, matches, and stores the decisions — all in one transaction.
db::Task<Result<RunReport>> RunReconciliation(db::Pool& pool, const db::TenantScope& scope, RunRequest req) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<std::string> account =
      req.account_id ? std::optional<std::string>(std::to_string(*req.account_id)) : std::nullopt;
  const db::Params range = db::P(account, Optional(req.from_date), Optional(req.to_date));
  auto report = co_await pool.InTransaction(scope, [&](db::Transaction& tx) -> db::Task<Result<RunReport>> {
    RunReport r;
    if (account) {
      VERTICE_CO_ASSIGN_OR_RETURN(auto found, co_await tx.Query(kAccountExists, db::P(account)));
      if (found.Empty())
        co_return Fail(ErrorKind::kNotFound, "bank.account_not_found", "La cuenta bancaria no existe.");
    }
    VERTICE_CO_TRY(co_await tx.Query(kLockCompanyRuns));
    db::Params run_params = range;
    run_params.push_back(req.requested_by);
    VERTICE_CO_ASSIGN_OR_RETURN(auto run, co_await tx.Query(kInsertRun, run_params));
    r.run_id = run.Int(0, "run_id");
    VERTICE_CO_TRY(co_await tx.Query(kSupersedeSuggestions, run_params));
    VERTICE_CO_ASSIGN_OR_RETURN(auto in, co_await LoadInputs(tx, range));
    r.movements = static_cast<int>(in.lines.size());
    Matcher matcher(std::move(in.documents), in.complements, in.fx, std::move(in.rules), std::move(in.aliases),
                    req.options);
    const auto plan = PlanRun(matcher.Run(std::move(in.lines)), in.rejected, r);
    VERTICE_CO_TRY(co_await StoreRun(tx, r, plan, req.requested_by));
    co_return r;
  });
  if (report)
    report->duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  co_return report;
}

db::Task<Result<json::object>> ExportPredictions(db::Pool& pool, const db::TenantScope& scope) {
  auto rows = co_await pool.InTransaction(scope, [&](db::Transaction& tx) {
    return tx.Query(R"sql(
SELECT coalesce(json_object_agg(x.id, x.entry), '{}')::text AS movements FROM (
  SELECT coalesce(nullif(m.bank_reference, ''), m.movement_id::text) AS id,
         CASE WHEN r.match_id IS NULL THEN json_build_object('matches', '[]'::json, 'auto', false)
              ELSE json_build_object(
                'matches', coalesce((SELECT json_agg(json_build_object('uuid', i.uuid, 'amount', l.amount::text,
                                                                      'doc_amount', l.doc_amount::text)
                                                    ORDER BY l.invoice_id)
                                     FROM reconciliation_match_lines l JOIN sat_invoices i USING (invoice_id)
                                     WHERE l.match_id = r.match_id), '[]'::json),
                'adjustments', r.adjustments, 'category', r.category, 'score', r.score,
                'auto', r.state = 'accepted') END AS entry
  FROM bank_movements m
  LEFT JOIN LATERAL (SELECT * FROM reconciliation_matches r WHERE r.movement_id = m.movement_id
                       AND r.state IN ('accepted', 'proposed') ORDER BY (r.state = 'accepted') DESC, r.match_id DESC
                       LIMIT 1) r ON true
  WHERE m.tenant_id = vertice_current_tenant() AND m.company_id = vertice_current_company()) x
)sql");
  });
  if (!rows) co_return std::unexpected(rows.error());
  json::object out{{"schema", "recon-truth/1"}, {"generator", "vertice"}};
  out["movements"] = json::parse(rows->Str(0, "movements"));
  co_return out;
}

}  // namespace vertice::reconciliation
