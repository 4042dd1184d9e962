// /api/v1/reconciliation: runs of the matcher, suggestions with their score and reasons, accept,
// reject, manual matches (amounts must add up), undo of one match, and the summary. Every
// decision is an append-only event; undo touches only the match undone; a run never changes a
// manual decision.
#include <boost/json.hpp>

#include "api/app.hpp"
#include "api/sql_list.hpp"
#include "core/field_errors.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "reconciliation/run.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

const std::vector<std::string> kReaders{"owner", "ceo", "cfo", "accountant", "viewer"};
const std::vector<std::string> kReconcilers{"owner", "cfo", "accountant"};

Error MatchNotFound() { return NotFound("La conciliación no existe."); }

std::string ActorName(const RequestContext& ctx) { return ctx.principal ? ctx.principal->email : std::string("api"); }

db::Task<Result<http::Response>> Run(App& app, RequestContext& ctx, reconciliation::MatcherOptions options) {
  reconciliation::RunRequest req;
  req.options = options;
  if (!ctx.request.body.empty()) {
    VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
    auto account = body.String("account_id", false, 18);
    auto from = body.String("from", false, 10);
    auto to = body.String("to", false, 10);
    if (account && !IsRowId(*account)) body.Invalid("account_id", "debe ser el id de una cuenta");
    if (from && !shared::IsIsoDate(*from)) body.Invalid("from", "debe ser una fecha AAAA-MM-DD");
    if (to && !shared::IsIsoDate(*to)) body.Invalid("to", "debe ser una fecha AAAA-MM-DD");
    VERTICE_CO_TRY(body.Finish());
    if (account) req.account_id = std::stoll(*account);
    req.from_date = from.value_or("");
    req.to_date = to.value_or("");
  }
  req.requested_by = ActorName(ctx);
  VERTICE_CO_ASSIGN_OR_RETURN(auto report,
                              co_await reconciliation::RunReconciliation(app.Deps().pool, ctx.Scope(), req));
  co_return Json(200, reconciliation::RunReportJson(report));
}

// A match with its movement and documents, as the API shows it.
constexpr const char* kMatchJson = R"sql(
json_build_object(
  'match_id', r.match_id::text, 'origin', r.origin, 'state', r.state, 'category', r.category,
  'score', r.score, 'reasons', r.reasons, 'adjustments', r.adjustments, 'created_at', r.created_at,
  'decided_by', r.decided_by, 'decided_at', r.decided_at,
  'movement', json_build_object('movement_id', m.movement_id::text, 'account_id', m.account_id::text,
     'booking_date', m.booking_date, 'amount', m.amount::text, 'currency', m.currency,
     'description', m.description, 'reference', m.reference, 'status', m.status),
  'documents', coalesce((SELECT json_agg(json_build_object('invoice_id', i.invoice_id::text, 'uuid', i.uuid,
       'serie', i.serie, 'folio', i.folio, 'tipo', i.tipo, 'fecha', i.fecha, 'counterparty_rfc', i.counterparty_rfc,
       'counterparty_name', i.counterparty_name, 'total', round(i.total, 2)::text, 'moneda', i.moneda,
       'amount', l.amount::text, 'doc_amount', l.doc_amount::text) ORDER BY i.fecha, i.invoice_id)
     FROM reconciliation_match_lines l JOIN sat_invoices i USING (invoice_id) WHERE l.match_id = r.match_id), '[]'))
)sql";

db::Task<Result<http::Response>> Suggestions(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto q, shared::ParseQueryString(ctx.request.query));
  FieldErrors errors;
  std::optional<std::string> account, after;
  int limit = 50;
  for (const auto& [key, value] : q) {
    if (key == "account_id") {
      if (errors.Check(IsRowId(value), key, "debe ser el id de una cuenta")) account = value;
    } else if (key == "after") {
      if (errors.Check(IsRowId(value), key, "no es un cursor de esta lista")) after = value;
    } else if (key == "limit") {
      auto n = shared::Decimal<0>::Parse(value);
      if (errors.Check(n && n->Units() >= 1 && n->Units() <= 200, key, "debe ser un entero de 1 a 200"))
        limit = static_cast<int>(n->Units());
    } else {
      errors.Add(key, "unknown_field", "no es un filtro conocido");
    }
  }
  VERTICE_CO_TRY(errors.ToStatus());
  std::string sql = std::string("SELECT ") + kMatchJson +
                    "::text AS j, r.match_id FROM reconciliation_matches r JOIN bank_movements m USING (movement_id) "
                    "WHERE r.tenant_id = vertice_current_tenant() AND r.company_id = vertice_current_company() "
                    "AND r.state = 'proposed' AND ($1::bigint IS NULL OR m.account_id = $1::bigint) "
                    "AND ($2::bigint IS NULL OR r.match_id > $2::bigint) ORDER BY r.match_id LIMIT " +
                    std::to_string(limit + 1);
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(sql, db::P(account, after)); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return JsonItemsPage(*rows, limit, "j", [&](int r) { return rows->Str(r, "match_id"); });
}

db::Task<Result<std::string>> MatchJson(db::Transaction& tx, const std::string& match_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows, co_await tx.Query(std::string("SELECT ") + kMatchJson +
                                       "::text AS j FROM reconciliation_matches r JOIN bank_movements m USING "
                                       "(movement_id) WHERE r.match_id = $1::bigint AND r.tenant_id = "
                                       "vertice_current_tenant() AND r.company_id = vertice_current_company()",
                                   db::P(match_id)));
  if (rows.Empty()) co_return std::unexpected(MatchNotFound());
  co_return rows.Str(0, "j");
}

// proposed → accepted | rejected; accepted → undone. One match, one event, the movement's status.
db::Task<Result<http::Response>> Decide(App& app, RequestContext& ctx, std::string action) {
  const std::string id = ctx.params.at("id");
  if (!IsRowId(id)) co_return std::unexpected(MatchNotFound());
  const std::string actor = ActorName(ctx);
  auto body =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto row,
            co_await tx.Query("SELECT r.state, r.movement_id FROM reconciliation_matches r WHERE r.match_id = "
                              "$1::bigint AND r.tenant_id = vertice_current_tenant() AND r.company_id = "
                              "vertice_current_company() FOR UPDATE",
                              db::P(id)));
        if (row.Empty()) co_return std::unexpected(MatchNotFound());
        const std::string state = row.Str(0, "state");
        const std::string movement = std::to_string(row.Int(0, "movement_id"));
        // The movement is locked so two decisions on it are serialised.
        VERTICE_CO_TRY(co_await tx.Query("SELECT 1 FROM bank_movements WHERE movement_id = $1::bigint FOR UPDATE",
                                         db::P(movement)));
        std::string to, event;
        if (action == "undo") {
          if (state != "accepted")
            co_return Fail(ErrorKind::kConflict, "reconciliation.not_accepted",
                           "Solo se deshace una conciliación aceptada.");
          to = "undone";
          event = "undone";
        } else {
          if (state != "proposed")
            co_return Fail(ErrorKind::kConflict, "reconciliation.not_proposed",
                           "La sugerencia ya no está pendiente (estado: " + state + ").");
          to = action == "accept" ? "accepted" : "rejected";
          event = to;
          if (action == "accept") {
            VERTICE_CO_ASSIGN_OR_RETURN(
                auto other, co_await tx.Query("SELECT 1 FROM reconciliation_matches WHERE movement_id = $1::bigint AND "
                                              "state = 'accepted'",
                                              db::P(movement)));
            if (!other.Empty())
              co_return Fail(ErrorKind::kConflict, "reconciliation.movement_reconciled",
                             "El movimiento ya está conciliado; deshaga esa conciliación primero.");
            // Documents cannot receive more than they have open.
            VERTICE_CO_ASSIGN_OR_RETURN(
                auto over,
                co_await tx.Query(
                    "SELECT i.uuid FROM reconciliation_match_lines l JOIN sat_invoices i USING (invoice_id) "
                    "WHERE l.match_id = $1::bigint AND abs(l.doc_amount) + coalesce((SELECT sum(abs(x.doc_amount)) "
                    "FROM reconciliation_match_lines x JOIN reconciliation_matches y USING (match_id) WHERE "
                    "x.invoice_id = l.invoice_id AND y.state = 'accepted'), 0) > round(i.total, 2) + 0.01",
                    db::P(id)));
            if (!over.Empty())
              co_return Fail(ErrorKind::kConflict, "reconciliation.document_settled",
                             "El documento " + over.Str(0, "uuid") + " ya no tiene saldo suficiente.");
          }
        }
        VERTICE_CO_TRY(
            co_await tx.Query("UPDATE reconciliation_matches SET state = $2, decided_by = $3, decided_at = "
                              "clock_timestamp() WHERE match_id = "
                              "$1::bigint",
                              db::P(id, to, actor)));
        VERTICE_CO_TRY(co_await tx.Query(
            "INSERT INTO reconciliation_events (tenant_id, company_id, match_id, event, actor) VALUES "
            "(vertice_current_tenant(), vertice_current_company(), $1::bigint, $2, $3)",
            db::P(id, event, actor)));
        VERTICE_CO_TRY(
            co_await tx.Query("SELECT reconciliation_refresh_movements(ARRAY[$1::bigint])", db::P(movement)));
        co_return co_await MatchJson(tx, id);
      });
  if (!body) co_return std::unexpected(body.error());
  co_return http::JsonResponse(200, *body);
}

// A manual match: movement + documents with amounts (or a category), validated to add up.
db::Task<Result<http::Response>> Manual(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto movement = body.String("movement_id", true, 18);
  auto category = body.String("category", false, 40);
  auto fee = body.String("bank_fee", false, 20);
  auto fee_iva = body.String("bank_fee_iva", false, 20);
  struct Want {
    std::string invoice;
    shared::Money amount;
  };
  std::vector<Want> wants;
  auto lines = body.Objects("lines", !category.has_value(), 50);
  for (auto* l : lines) {
    auto invoice = l->String("invoice_id", true, 36);
    auto amount = l->String("amount", true, 20);
    std::optional<shared::Money> m;
    if (amount) {
      auto parsed = shared::ParseStoredMoney(*amount);
      if (parsed && !parsed->IsZero())
        m = *parsed;
      else
        l->Invalid("amount", parsed ? "debe ser un importe distinto de cero" : parsed.error().message);
    }
    if (invoice && !IsRowId(*invoice) && !shared::IsValidCfdiUuid(*invoice))
      l->Invalid("invoice_id", "debe ser el id o el UUID de un comprobante");
    if (invoice && m) wants.push_back({*invoice, *m});
  }
  if (movement && !IsRowId(*movement)) body.Invalid("movement_id", "debe ser el id de un movimiento");
  if (category && !lines.empty())
    body.Invalid("category", "un movimiento se concilia con documentos o con una categoría");
  std::optional<shared::Money> fee_m, iva_m;
  if (fee) {
    auto parsed = shared::ParseStoredMoney(*fee);
    if (parsed)
      fee_m = *parsed;
    else
      body.Invalid("bank_fee", "debe ser un importe: " + parsed.error().message);
  }
  if (fee_iva) {
    auto parsed = shared::ParseStoredMoney(*fee_iva);
    if (parsed)
      iva_m = *parsed;
    else
      body.Invalid("bank_fee_iva", "debe ser un importe: " + parsed.error().message);
  }
  VERTICE_CO_TRY(body.Finish());
  const std::string actor = ActorName(ctx);
  auto result =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto mv,
            co_await tx.Query("SELECT amount::text AS amount FROM bank_movements WHERE movement_id = $1::bigint AND "
                              "tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() "
                              "FOR UPDATE",
                              db::P(*movement)));
        if (mv.Empty()) co_return std::unexpected(NotFound("El movimiento no existe."));
        auto amount = shared::Money::Parse(mv.Str(0, "amount")).value();
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto accepted,
            co_await tx.Query("SELECT 1 FROM reconciliation_matches WHERE movement_id = $1::bigint AND state "
                              "= 'accepted'",
                              db::P(*movement)));
        if (!accepted.Empty())
          co_return Fail(ErrorKind::kConflict, "reconciliation.movement_reconciled",
                         "El movimiento ya está conciliado; deshaga esa conciliación primero.");
        json::array doc_lines;
        // Each figure fits NUMERIC(18,2); their sum may still not fit int64 cents: a 400, not a throw.
        VERTICE_CO_ASSIGN_OR_RETURN(shared::Money sum,
                                    fee_m.value_or(shared::Money{}).Add(iva_m.value_or(shared::Money{})));
        for (const auto& w : wants) {
          VERTICE_CO_ASSIGN_OR_RETURN(
              auto doc,
              co_await tx.Query(
                  "SELECT i.invoice_id, i.moneda, coalesce(i.tipo_cambio, 1)::text AS rate, round(i.total, 2) - "
                  "coalesce((SELECT sum(abs(l.doc_amount)) FROM reconciliation_match_lines l JOIN "
                  "reconciliation_matches r USING (match_id) WHERE l.invoice_id = i.invoice_id AND r.state = "
                  "'accepted'), 0) AS open FROM sat_invoices i WHERE i.tenant_id = vertice_current_tenant() AND "
                  "i.company_id = vertice_current_company() AND i.status = 'vigente' AND "
                  "(i.invoice_id::text = $1 OR i.uuid = upper($1))",
                  db::P(w.invoice)));
          if (doc.Empty()) co_return std::unexpected(NotFound("El comprobante " + w.invoice + " no existe."));
          auto open = shared::Money::Parse(doc.Str(0, "open")).value_or(shared::Money{});
          if (doc.Str(0, "moneda") == "MXN" && w.amount.Abs() > open)
            co_return Fail(ErrorKind::kBusinessRule, "reconciliation.over_applied",
                           "El importe aplicado al comprobante " + w.invoice + " (" + w.amount.Abs().ToString() +
                               ") excede su saldo (" + open.ToString() + ").");
          VERTICE_CO_ASSIGN_OR_RETURN(sum, sum.Add(w.amount));
          // A foreign-currency document: the pesos at its exchange rate, in its currency.
          shared::Money doc_amount = w.amount;
          if (doc.Str(0, "moneda") != "MXN")
            if (auto rate = shared::Rate::Parse(doc.Str(0, "rate").substr(0, doc.Str(0, "rate").find('.') + 7)))
              doc_amount = w.amount.Div(*rate, shared::Rounding::kHalfUp).value_or(w.amount);
          doc_lines.push_back(json::object{{"invoice_id", doc.Int(0, "invoice_id")},
                                           {"amount", w.amount.ToString()},
                                           {"doc_amount", doc_amount.ToString()}});
        }
        if (!category && sum != amount)
          co_return Fail(ErrorKind::kBusinessRule, "reconciliation.amounts_do_not_add_up",
                         "Los importes (" + sum.ToString() + ") no suman el movimiento (" + amount.ToString() + ").");
        // Pending suggestions for the movement give way to the person's decision.
        VERTICE_CO_TRY(co_await tx.Query(
            "WITH s AS (UPDATE reconciliation_matches SET state = 'superseded' WHERE movement_id = $1::bigint AND "
            "state = "
            "'proposed' RETURNING match_id) INSERT INTO reconciliation_events (tenant_id, company_id, match_id, event, "
            "actor) SELECT vertice_current_tenant(), vertice_current_company(), match_id, 'superseded', $2 FROM s",
            db::P(*movement, actor)));
        json::object adjustments;
        if (fee_m) adjustments["bank_fee"] = fee_m->ToString();
        if (iva_m) adjustments["bank_fee_iva"] = iva_m->ToString();
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto ins,
            co_await tx.Query(
                "INSERT INTO reconciliation_matches (tenant_id, company_id, movement_id, origin, state, category, "
                "reasons, adjustments, created_by, decided_by, decided_at) VALUES (vertice_current_tenant(), "
                "vertice_current_company(), $1::bigint, 'manual', 'accepted', $2, '[\"conciliación manual\"]', "
                "$3::jsonb, $4, $4, clock_timestamp()) RETURNING match_id::text AS id",
                db::P(*movement, category, json::serialize(adjustments), actor)));
        const std::string match_id = ins.Str(0, "id");
        VERTICE_CO_TRY(co_await tx.Query(
            "INSERT INTO reconciliation_match_lines (match_id, tenant_id, company_id, invoice_id, amount, doc_amount) "
            "SELECT $1::bigint, vertice_current_tenant(), vertice_current_company(), x.invoice_id, x.amount, "
            "x.doc_amount "
            "FROM jsonb_to_recordset($2::jsonb) AS x(invoice_id bigint, amount numeric, doc_amount numeric)",
            db::P(match_id, json::serialize(doc_lines))));
        VERTICE_CO_TRY(co_await tx.Query(
            "INSERT INTO reconciliation_events (tenant_id, company_id, match_id, event, actor) VALUES "
            "(vertice_current_tenant(), vertice_current_company(), $1::bigint, 'accepted', $2)",
            db::P(match_id, actor)));
        VERTICE_CO_TRY(
            co_await tx.Query("SELECT reconciliation_refresh_movements(ARRAY[$1::bigint])", db::P(*movement)));
        co_return co_await MatchJson(tx, match_id);
      });
  if (!result) co_return std::unexpected(result.error());
  co_return http::JsonResponse(201, *result);
}

constexpr const char* kSummarySql = R"sql(
WITH m AS (
  SELECT * FROM bank_movements
  WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company()
    AND ($1::bigint IS NULL OR account_id = $1::bigint)
    AND ($2::date IS NULL OR booking_date >= $2::date) AND ($3::date IS NULL OR booking_date <= $3::date)
), open_ AS (
  SELECT abs(amount) - abs(reconciled_amount) AS left_, current_date - booking_date AS days FROM m
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

db::Task<Result<http::Response>> Summary(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto q, shared::ParseQueryString(ctx.request.query));
  FieldErrors errors;
  std::optional<std::string> account, from, to;
  for (const auto& [key, value] : q) {
    if (key == "account_id") {
      if (errors.Check(IsRowId(value), key, "debe ser el id de una cuenta")) account = value;
    } else if (key == "from" || key == "to") {
      if (errors.Check(shared::IsIsoDate(value), key, "debe ser una fecha AAAA-MM-DD"))
        (key == "from" ? from : to) = value;
    } else {
      errors.Add(key, "unknown_field", "no es un filtro conocido");
    }
  }
  VERTICE_CO_TRY(errors.ToStatus());
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(kSummarySql, db::P(account, from, to)); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return http::JsonResponse(200, rows->Str(0, "j"));
}

// Rules a company adds: words that must all appear in a movement's text → a category.
db::Task<Result<http::Response>> ListRules(App& app, RequestContext& ctx) {
  auto rows = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
    return tx.Query(
        "SELECT coalesce(json_agg(json_build_object('rule_id', rule_id::text, 'pattern', pattern, 'direction', "
        "direction, 'category', category, 'created_by', created_by, 'created_at', created_at) ORDER BY rule_id), "
        "'[]')::text AS j FROM reconciliation_rules WHERE tenant_id = vertice_current_tenant() AND company_id = "
        "vertice_current_company()");
  });
  if (!rows) co_return std::unexpected(rows.error());
  co_return http::JsonResponse(200, "{\"items\":" + rows->Str(0, "j") + "}");
}

db::Task<Result<http::Response>> CreateRule(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto pattern = body.String("pattern", true, 200);
  auto direction = body.String("direction", false, 3);
  auto category = body.String("category", true, 41);
  if (pattern && pattern->size() < 2) body.Invalid("pattern", "debe tener al menos 2 caracteres");
  if (direction && *direction != "in" && *direction != "out" && *direction != "any")
    body.Invalid("direction", "debe ser in, out o any");
  if (category && (category->size() < 2 || !std::islower(static_cast<unsigned char>((*category)[0])) ||
                   category->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos))
    body.Invalid("category", "minúsculas, dígitos y guion bajo, empezando con letra (p. ej. renta_oficinas)");
  VERTICE_CO_TRY(body.Finish());
  const std::string actor = ActorName(ctx);
  auto row =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto ins,
            co_await tx.Query("INSERT INTO reconciliation_rules (tenant_id, company_id, pattern, direction, "
                              "category, created_by) VALUES (vertice_current_tenant(), vertice_current_company(), "
                              "$1, $2, $3, $4) RETURNING json_build_object('rule_id', rule_id::text, 'pattern', "
                              "pattern, 'direction', direction, 'category', category)::text AS j, rule_id::text AS id",
                              db::P(*pattern, direction.value_or("any"), *category, actor)));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "reconciliation.rule_created",
                                                    "reconciliation_rule", ins.Str(0, "id"), {}, ins.Str(0, "j")));
        co_return ins.Str(0, "j");
      });
  if (!row) co_return std::unexpected(row.error());
  co_return http::JsonResponse(201, *row);
}

db::Task<Result<http::Response>> DeleteRule(App& app, RequestContext& ctx) {
  const std::string id = ctx.params.at("id");
  if (!IsRowId(id)) co_return std::unexpected(NotFound("La regla no existe."));
  auto done = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto del, co_await tx.Query("DELETE FROM reconciliation_rules WHERE rule_id = $1::bigint AND tenant_id = "
                                    "vertice_current_tenant() AND company_id = vertice_current_company() RETURNING "
                                    "pattern, category",
                                    db::P(id)));
    if (del.Empty()) co_return std::unexpected(NotFound("La regla no existe."));
    // (Built outside the co_await: GCC 12 cannot compile braced lists inside one.)
    json::object before;
    before["pattern"] = del.Str(0, "pattern");
    before["category"] = del.Str(0, "category");
    const std::string before_json = json::serialize(before);
    VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "reconciliation.rule_deleted", "reconciliation_rule",
                                                id, before_json, {}));
    co_return Status{};
  });
  if (!done) co_return std::unexpected(done.error());
  co_return NoContent();
}

}  // namespace

void RegisterReconciliationRoutes(App& app, double auto_threshold, double auto_margin) {
  reconciliation::MatcherOptions options;
  options.auto_threshold = auto_threshold;
  options.auto_margin = auto_margin;
  app.Add("POST", "/api/v1/reconciliation/run",
          {[&app, options](RequestContext& ctx) { return Run(app, ctx, options); }, Access::kCompany, kReconcilers,
           false, Budget::kLong});
  app.Add("GET", "/api/v1/reconciliation/suggestions",
          {[&app](RequestContext& ctx) { return Suggestions(app, ctx); }, Access::kCompany, kReaders});
  for (const char* action : {"accept", "reject", "undo"})
    app.Add("POST", std::string("/api/v1/reconciliation/matches/{id}/") + action,
            {[&app, action](RequestContext& ctx) { return Decide(app, ctx, action); }, Access::kCompany, kReconcilers});
  app.Add("POST", "/api/v1/reconciliation/manual",
          {[&app](RequestContext& ctx) { return Manual(app, ctx); }, Access::kCompany, kReconcilers});
  app.Add("GET", "/api/v1/reconciliation/rules",
          {[&app](RequestContext& ctx) { return ListRules(app, ctx); }, Access::kCompany, kReaders});
  app.Add("POST", "/api/v1/reconciliation/rules",
          {[&app](RequestContext& ctx) { return CreateRule(app, ctx); }, Access::kCompany, kReconcilers});
  app.Add("DELETE", "/api/v1/reconciliation/rules/{id}",
          {[&app](RequestContext& ctx) { return DeleteRule(app, ctx); }, Access::kCompany, kReconcilers});
  app.Add("GET", "/api/v1/reconciliation/summary",
          {[&app](RequestContext& ctx) { return Summary(app, ctx); }, Access::kCompany, kReaders});
}

}  // namespace vertice::api
