// /api/v1/reconciliation: runs of the matcher, suggestions, accept / reject / undo, manual
// matches, rules and the summary. The rules live in src/reconciliation (decisions.hpp, run.hpp);
// these handlers parse, call and serialise.
#include <boost/json.hpp>

#include "api/app.hpp"
#include "core/field_errors.hpp"
#include "core/text.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "reconciliation/decisions.hpp"
#include "reconciliation/queries.hpp"
#include "reconciliation/run.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

Error MatchNotFound() { return NotFound("La conciliación no existe."); }

reconciliation::Decider DeciderOf(const RequestContext& ctx) {
  return {ctx.Actor(), ctx.principal ? ctx.principal->email : std::string("api"),
          ctx.membership ? ctx.membership->role : std::string()};
}

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
  req.requested_by = DeciderOf(ctx).name;
  VERTICE_CO_ASSIGN_OR_RETURN(auto report,
                              co_await reconciliation::RunReconciliation(app.Deps().pool, ctx.Scope(), req));
  co_return Json(200, reconciliation::RunReportJson(report));
}

using DecisionFn = db::Task<Result<std::string>> (*)(db::Transaction&, reconciliation::Decider, std::string);

// accept | reject | undo of one match; the rules are reconciliation's match machine.
db::Task<Result<http::Response>> Decide(App& app, RequestContext& ctx, DecisionFn decide) {
  const std::string id = ctx.params.at("id");
  if (!IsRowId(id)) co_return std::unexpected(MatchNotFound());
  const reconciliation::Decider who = DeciderOf(ctx);
  auto match =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) { return decide(tx, who, id); });
  if (!match) co_return std::unexpected(match.error());
  co_return http::JsonResponse(200, *match);
}

std::optional<shared::Money> ReadMoney(http::JsonBody& body, const std::optional<std::string>& text,
                                       std::string_view field) {
  if (!text) return std::nullopt;
  auto parsed = shared::ParseStoredMoney(*text);
  if (parsed) return *parsed;
  body.Invalid(std::string(field), "debe ser un importe: " + parsed.error().message);
  return std::nullopt;
}

// A manual match: movement + documents with amounts (or a category).
db::Task<Result<http::Response>> Manual(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  reconciliation::ManualMatchRequest request;
  auto movement = body.String("movement_id", true, 18);
  request.category = body.String("category", false, 40);
  auto fee = body.String("bank_fee", false, 20);
  auto fee_iva = body.String("bank_fee_iva", false, 20);
  auto lines = body.Objects("lines", !request.category.has_value(), 50);
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
    if (invoice && m) request.lines.push_back({*invoice, *m});
  }
  if (movement && !IsRowId(*movement)) body.Invalid("movement_id", "debe ser el id de un movimiento");
  if (request.category && !lines.empty())
    body.Invalid("category", "un movimiento se concilia con documentos o con una categoría");
  request.bank_fee = ReadMoney(body, fee, "bank_fee");
  request.bank_fee_iva = ReadMoney(body, fee_iva, "bank_fee_iva");
  VERTICE_CO_TRY(body.Finish());
  request.movement_id = *movement;
  const reconciliation::Decider who = DeciderOf(ctx);
  auto match = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return reconciliation::CreateManual(tx, who, request); });
  if (!match) co_return std::unexpected(match.error());
  co_return http::JsonResponse(201, *match);
}

db::Task<Result<http::Response>> Summary(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto q, shared::ParseQueryString(ctx.request.query));
  FieldErrors errors;
  reconciliation::SummaryQuery query;
  for (const auto& [key, value] : q) {
    if (key == "account_id") {
      if (errors.Check(IsRowId(value), key, "debe ser el id de una cuenta")) query.account_id = value;
    } else if (key == "from" || key == "to") {
      if (errors.Check(shared::IsIsoDate(value), key, "debe ser una fecha AAAA-MM-DD"))
        (key == "from" ? query.from : query.to) = value;
    } else {
      errors.Add(key, "unknown_field", "no es un filtro conocido");
    }
  }
  VERTICE_CO_TRY(errors.ToStatus());
  const Clock& clock = app.Deps().clock;
  auto summary = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return reconciliation::Summary(tx, query, clock); });
  if (!summary) co_return std::unexpected(summary.error());
  co_return http::JsonResponse(200, *summary);
}

// Rules a company adds: words that must all appear in a movement's text → a category.
db::Task<Result<http::Response>> ListRules(App& app, RequestContext& ctx) {
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(reconciliation::sql::kListRules); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return http::JsonResponse(200, rows->Str(0, "j"));
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
  const std::string actor = DeciderOf(ctx).name;
  auto row =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto ins,
                                    co_await tx.Query(reconciliation::sql::kInsertRule,
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
    VERTICE_CO_ASSIGN_OR_RETURN(auto del, co_await tx.Query(reconciliation::sql::kDeleteRule, db::P(id)));
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
          {[&app, options](RequestContext& ctx) { return Run(app, ctx, options); }, Access::kCompany,
           app.Can("reconciliation.decide"), false, Budget::kLong});
  app.Add("GET", "/api/v1/reconciliation/suggestions",
          {[&app](RequestContext& ctx) { return ListPage(app, ctx, reconciliation::SuggestionList()); },
           Access::kCompany, app.Can("reconciliation.read")});
  const std::pair<const char*, DecisionFn> decisions[] = {
      {"accept", reconciliation::Accept}, {"reject", reconciliation::Reject}, {"undo", reconciliation::Undo}};
  for (const auto& [action, decide] : decisions)
    app.Add("POST", std::string("/api/v1/reconciliation/matches/{id}/") + action,
            {[&app, decide](RequestContext& ctx) { return Decide(app, ctx, decide); }, Access::kCompany,
             app.Can("reconciliation.decide")});
  app.Add(
      "POST", "/api/v1/reconciliation/manual",
      {[&app](RequestContext& ctx) { return Manual(app, ctx); }, Access::kCompany, app.Can("reconciliation.decide")});
  app.Add(
      "GET", "/api/v1/reconciliation/rules",
      {[&app](RequestContext& ctx) { return ListRules(app, ctx); }, Access::kCompany, app.Can("reconciliation.read")});
  app.Add("POST", "/api/v1/reconciliation/rules",
          {[&app](RequestContext& ctx) { return CreateRule(app, ctx); }, Access::kCompany,
           app.Can("reconciliation.decide")});
  app.Add("DELETE", "/api/v1/reconciliation/rules/{id}",
          {[&app](RequestContext& ctx) { return DeleteRule(app, ctx); }, Access::kCompany,
           app.Can("reconciliation.decide")});
  app.Add(
      "GET", "/api/v1/reconciliation/summary",
      {[&app](RequestContext& ctx) { return Summary(app, ctx); }, Access::kCompany, app.Can("reconciliation.read")});
}

}  // namespace vertice::api
