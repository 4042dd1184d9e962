#include "reconciliation/decisions.hpp"

#include <boost/json.hpp>

#include "reconciliation/queries.hpp"
#include "shared/validation.hpp"

namespace vertice::reconciliation {

namespace json = boost::json;

namespace {

Error MatchNotFound() { return NotFound("La conciliación no existe."); }

Error MovementReconciled() {
  return Fail(ErrorKind::kConflict, "reconciliation.movement_reconciled",
              "El movimiento ya está conciliado; deshaga esa conciliación primero.")
      .error();
}

// Accepting a suggestion: its movement is not reconciled by another match, and no document of it
// would receive more than it has open.
db::Task<Status> AcceptGuard(db::Transaction& tx, const db::Rows& match) {
  const std::string movement = match.Str(0, "movement_id");
  const std::string id = match.Str(0, "match_id");
  VERTICE_CO_ASSIGN_OR_RETURN(auto other, co_await tx.Query(sql::kMovementHasAcceptedMatch, db::P(movement)));
  if (!other.Empty()) co_return std::unexpected(MovementReconciled());
  VERTICE_CO_ASSIGN_OR_RETURN(auto over, co_await tx.Query(sql::kOverAppliedDocument, db::P(id)));
  if (!over.Empty())
    co_return Fail(ErrorKind::kConflict, "reconciliation.document_settled",
                   "El documento " + over.Str(0, "uuid") + " ya no tiene saldo suficiente.");
  co_return Status{};
}

// The API's answers for a decision the match's state does not allow.
Error Refuse(std::string_view state, std::string_view event) {
  if (event == "undo")
    return Fail(ErrorKind::kConflict, "reconciliation.not_accepted", "Solo se deshace una conciliación aceptada.")
        .error();
  return Fail(ErrorKind::kConflict, "reconciliation.not_proposed",
              "La sugerencia ya no está pendiente (estado: " + std::string(state) + ").")
      .error();
}

db::Task<Result<std::string>> MatchJson(db::Transaction& tx, const std::string& match_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kMatchById, db::P(match_id)));
  if (rows.Empty()) co_return std::unexpected(MatchNotFound());
  co_return rows.Str(0, "j");
}

// Fires `event` on a match: the movement is locked first so decisions on it are serialised (and
// in the order a manual match takes its locks), then the machine checks state and guard and writes
// history and audit; the match records who decided, the event log grows, the movement follows.
db::Task<Result<std::string>> Decide(db::Transaction& tx, Decider who, std::string match_id, std::string event) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto match, co_await tx.Query(sql::kMatchMovement, db::P(match_id)));
  if (match.Empty()) co_return std::unexpected(MatchNotFound());
  const std::string movement = match.Str(0, "movement_id");
  VERTICE_CO_TRY(co_await tx.Query(sql::kLockMovement, db::P(movement)));
  VERTICE_CO_ASSIGN_OR_RETURN(auto to, co_await MatchMachine().Fire(tx, match_id, event, who.role, who.actor));
  VERTICE_CO_TRY(co_await tx.Query(sql::kMarkDecided, db::P(match_id, who.name)));
  VERTICE_CO_TRY(co_await tx.Query(sql::kRecordEvent, db::P(match_id, to, who.name)));
  VERTICE_CO_TRY(co_await tx.Query(sql::kRefreshMovement, db::P(movement)));
  co_return co_await MatchJson(tx, match_id);
}

}  // namespace

const shared::StateMachine& MatchMachine() {
  static const shared::StateMachine machine({"reconciliation.match",
                                             "reconciliation_matches",
                                             "match_id",
                                             "state",
                                             {{"proposed", "accept", "accepted", {}, AcceptGuard},
                                              {"proposed", "reject", "rejected", {}, {}},
                                              {"proposed", "supersede", "superseded", {}, {}},
                                              {"accepted", "undo", "undone", {}, {}}},
                                             Refuse});
  return machine;
}

db::Task<Result<std::string>> Accept(db::Transaction& tx, Decider who, std::string match_id) {
  co_return co_await Decide(tx, std::move(who), std::move(match_id), "accept");
}
db::Task<Result<std::string>> Reject(db::Transaction& tx, Decider who, std::string match_id) {
  co_return co_await Decide(tx, std::move(who), std::move(match_id), "reject");
}
db::Task<Result<std::string>> Undo(db::Transaction& tx, Decider who, std::string match_id) {
  co_return co_await Decide(tx, std::move(who), std::move(match_id), "undo");
}

Result<std::vector<PlannedLine>> PlanManualMatch(Money movement_amount, const ManualMatchRequest& request,
                                                 const std::vector<OpenDocument>& documents) {
  // Each figure fits NUMERIC(18,2); their sum may still not fit int64 cents: a 400, not a throw.
  VERTICE_ASSIGN_OR_RETURN(Money sum, request.bank_fee.value_or(Money{}).Add(request.bank_fee_iva.value_or(Money{})));
  std::vector<PlannedLine> lines;
  for (size_t i = 0; i < request.lines.size() && i < documents.size(); ++i) {
    const ManualLine& want = request.lines[i];
    const OpenDocument& doc = documents[i];
    const bool in_pesos = doc.currency == "MXN";
    if (in_pesos && want.amount.Abs() > doc.open)
      return Fail(ErrorKind::kBusinessRule, "reconciliation.over_applied",
                  "El importe aplicado al comprobante " + want.invoice + " (" + want.amount.Abs().ToString() +
                      ") excede su saldo (" + doc.open.ToString() + ").");
    VERTICE_ASSIGN_OR_RETURN(sum, sum.Add(want.amount));
    // A foreign-currency document receives the pesos at its own exchange rate.
    Money doc_amount = want.amount;
    if (!in_pesos)
      if (auto rate = shared::Rate::Parse(doc.rate))
        doc_amount = want.amount.Div(*rate, shared::Rounding::kHalfUp).value_or(want.amount);
    lines.push_back({doc.invoice_id, want.amount, doc_amount});
  }
  if (!request.category && sum != movement_amount)
    return Fail(ErrorKind::kBusinessRule, "reconciliation.amounts_do_not_add_up",
                "Los importes (" + sum.ToString() + ") no suman el movimiento (" + movement_amount.ToString() + ").");
  return lines;
}

db::Task<Result<std::string>> CreateManual(db::Transaction& tx, Decider who, ManualMatchRequest request) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto movement, co_await tx.Query(sql::kLockMovement, db::P(request.movement_id)));
  if (movement.Empty()) co_return std::unexpected(NotFound("El movimiento no existe."));
  VERTICE_CO_ASSIGN_OR_RETURN(auto accepted,
                              co_await tx.Query(sql::kMovementHasAcceptedMatch, db::P(request.movement_id)));
  if (!accepted.Empty()) co_return std::unexpected(MovementReconciled());

  std::vector<OpenDocument> documents;
  for (const auto& line : request.lines) {
    VERTICE_CO_ASSIGN_OR_RETURN(auto doc, co_await tx.Query(sql::kOpenDocument, db::P(line.invoice)));
    if (doc.Empty()) co_return std::unexpected(NotFound("El comprobante " + line.invoice + " no existe."));
    documents.push_back({doc.Int(0, "invoice_id"), doc.Str(0, "moneda"), doc.Str(0, "rate"),
                         Money::Parse(doc.Str(0, "open")).value_or(Money{})});
  }
  const Money amount = Money::Parse(movement.Str(0, "amount")).value_or(Money{});
  VERTICE_CO_ASSIGN_OR_RETURN(auto planned, PlanManualMatch(amount, request, documents));

  // Pending suggestions for the movement give way to the person's decision.
  VERTICE_CO_ASSIGN_OR_RETURN(auto proposed, co_await tx.Query(sql::kProposedForMovement, db::P(request.movement_id)));
  for (int r = 0; r < proposed.Size(); ++r) {
    const std::string id = proposed.Str(r, "match_id");
    VERTICE_CO_TRY(co_await MatchMachine().Fire(tx, id, "supersede", who.role, who.actor));
    VERTICE_CO_TRY(co_await tx.Query(sql::kRecordEvent, db::P(id, std::string("superseded"), who.name)));
  }

  json::object adjustments;
  if (request.bank_fee) adjustments["bank_fee"] = request.bank_fee->ToString();
  if (request.bank_fee_iva) adjustments["bank_fee_iva"] = request.bank_fee_iva->ToString();
  json::array lines;
  for (const auto& l : planned)
    lines.push_back(json::object{
        {"invoice_id", l.invoice_id}, {"amount", l.amount.ToString()}, {"doc_amount", l.doc_amount.ToString()}});
  const std::string adjustments_json = json::serialize(adjustments);
  const std::string lines_json = json::serialize(lines);
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto inserted, co_await tx.Query(sql::kInsertManualMatch,
                                       db::P(request.movement_id, request.category, adjustments_json, who.name)));
  const std::string match_id = inserted.Str(0, "id");
  VERTICE_CO_TRY(co_await tx.Query(sql::kInsertMatchLines, db::P(match_id, lines_json)));
  VERTICE_CO_TRY(co_await tx.Query(sql::kRecordEvent, db::P(match_id, std::string("accepted"), who.name)));
  VERTICE_CO_TRY(co_await tx.Query(sql::kRefreshMovement, db::P(request.movement_id)));
  co_return co_await MatchJson(tx, match_id);
}

const shared::ListDefinition& SuggestionList() {
  static const shared::ListDefinition def{
      .source = sql::kMatchSource,
      .scope = std::string(sql::kMatchScope) + " AND r.state = 'proposed'",
      .item = sql::kMatchItem,
      .filters = {shared::EqualsRowId("account_id", "m.account_id")},
      .sorts = {{"match_id", {{"r.match_id", shared::KeyType::kBigint, false}}}},
  };
  return def;
}

db::Task<Result<std::string>> Summary(db::Transaction& tx, SummaryQuery query, const Clock& clock) {
  const std::string now = shared::IsoUtc(clock.Now());
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                              co_await tx.Query(sql::kSummary, db::P(query.account_id, query.from, query.to, now)));
  co_return rows.Str(0, "j");
}

}  // namespace vertice::reconciliation
