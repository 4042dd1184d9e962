// What a person decides about reconciliation: accept, reject or undo a match (the match's
// lifecycle is a shared::StateMachine: proposed → accepted | rejected | superseded, accepted →
// undone), create a manual match whose amounts must add up, and read suggestions, rules and the
// summary. Every decision is an append-only reconciliation event plus the machine's history and
// audit rows; undo touches only the match undone; the movement's status follows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "db/pool.hpp"
#include "shared/audit.hpp"
#include "shared/decimal.hpp"
#include "shared/list.hpp"
#include "shared/state_machine.hpp"

namespace vertice::reconciliation {

using shared::Money;

const shared::StateMachine& MatchMachine();

// Who decides: the audit actor, the name kept on the match (e-mail or "api") and the role.
struct Decider {
  shared::Actor actor;
  std::string name;
  std::string role;
};

// Each returns the match as the API shows it (JSON text); 404 for another company's match.
db::Task<Result<std::string>> Accept(db::Transaction& tx, Decider who, std::string match_id);
db::Task<Result<std::string>> Reject(db::Transaction& tx, Decider who, std::string match_id);
db::Task<Result<std::string>> Undo(db::Transaction& tx, Decider who, std::string match_id);

struct ManualLine {
  std::string invoice;  // the document's row id or UUID, as the person gave it
  Money amount;         // pesos of the movement applied to it (signed like the movement)
};

struct ManualMatchRequest {
  std::string movement_id;
  std::optional<std::string> category;  // a movement that settles no document (fees, payroll…)
  std::vector<ManualLine> lines;
  std::optional<Money> bank_fee, bank_fee_iva;
};

// A document as it stands when the manual match is planned.
struct OpenDocument {
  int64_t invoice_id = 0;
  std::string currency;  // MXN, USD…
  std::string rate;      // its exchange rate (text, 6 decimals)
  Money open;            // what accepted matches have not settled yet, in its currency
};

struct PlannedLine {
  int64_t invoice_id = 0;
  Money amount;      // pesos of the movement
  Money doc_amount;  // the same in the document's currency
};

// Pure: the lines a manual match stores, or why it cannot be stored (a peso document receiving
// more than it has open; documents + fees not adding up to the movement unless it is categorised).
// `documents[i]` is the document of `request.lines[i]`.
Result<std::vector<PlannedLine>> PlanManualMatch(Money movement_amount, const ManualMatchRequest& request,
                                                 const std::vector<OpenDocument>& documents);

// Stores an accepted manual match; the movement's pending suggestions are superseded.
db::Task<Result<std::string>> CreateManual(db::Transaction& tx, Decider who, ManualMatchRequest request);

// Pending suggestions, oldest first; ?account_id= (shared/list.hpp pages).
const shared::ListDefinition& SuggestionList();

struct SummaryQuery {
  std::optional<std::string> account_id, from, to;
};
// Movements by status, share reconciled, and what is open by age in days from today in Mexico
// City by `clock` (JSON text).
db::Task<Result<std::string>> Summary(db::Transaction& tx, SummaryQuery query, const Clock& clock);

}  // namespace vertice::reconciliation
