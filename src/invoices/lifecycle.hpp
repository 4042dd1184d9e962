// An invoice as the API shows it, and its lifecycle: a stamped CFDI is vigente until it is
// cancelled (vigente → cancelada, through the shared state machine, which writes the history and
// the audit). Cancelling records when and why, and the balances of what it touched follow.
#pragma once

#include <optional>
#include <string>

#include "db/pool.hpp"
#include "shared/audit.hpp"
#include "shared/state_machine.hpp"

namespace vertice::invoices {

const shared::StateMachine& InvoiceMachine();

// The id in a path: a CFDI UUID (any case) or the numeric id of an unstamped draft.
struct InvoiceKey {
  enum class Kind { kUuid, kRowId } kind;
  std::string value;  // upper-case UUID or digits
};
std::optional<InvoiceKey> ParseInvoiceKey(std::string_view id);

// The invoice's JSON (one shape everywhere); 404 when the company has no such invoice.
db::Task<Result<std::string>> Detail(db::Transaction& tx, InvoiceKey key);

struct Cancellation {
  std::string uuid;  // upper case
  std::string reason;
  std::optional<std::string> motivo;           // SAT's 01–04
  std::optional<std::string> substitute_uuid;  // required by motivo 01
  std::optional<std::string> cancelled_at;     // ISO 8601 with zone; empty: now
};
// "Motivo 01 (sustituye …): reason", as it is kept on the invoice.
std::string CancelReasonText(const Cancellation& c);

// Cancels a vigente CFDI; 409 invoices.already_cancelled when it is not vigente. Returns Detail.
db::Task<Result<std::string>> Cancel(db::Transaction& tx, shared::Actor actor, std::string role, Cancellation c);

}  // namespace vertice::invoices
