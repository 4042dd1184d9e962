// One lifecycle engine for every entity with a status (consignment, contract, reconciliation
// match): transitions are data; firing one locks the row, checks state, role and guard, updates
// the status and writes a status_history row and an audit row in the caller's transaction.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "db/pool.hpp"
#include "shared/audit.hpp"

namespace vertice::shared {

struct Transition {
  std::string from;
  std::string event;
  std::string to;
  std::vector<std::string> roles;  // empty: any role
  // Optional business check on the locked row, run in the firing transaction so it may read
  // what the rule needs (e.g. "the documents still have that balance open").
  std::function<db::Task<Status>(db::Transaction& tx, const db::Rows& row)> guard;
  // Other columns set together with the status (a table may require them: a cancelled invoice
  // has its cancellation time), as SQL assignments over Fire's `values` bound from $5 on, e.g.
  // "cancelled_at = coalesce($5::timestamptz, now())". Written here, never built from input.
  std::vector<std::string> also_set;
  std::string audit_action;  // empty: "<name>.<event>"
};

// What one firing adds: the values of the transition's also_set, and facts for the audit row
// (e.g. the cancellation's reason) besides the status.
struct FireDetails {
  db::Params values;
  boost::json::object audit_note;
};

struct StateMachineSpec {
  std::string name;   // stable prefix of error codes and audit actions: "cpg.consignment"
  std::string table;  // company-scoped table with tenant_id, company_id
  std::string id_column = "id";
  std::string status_column = "status";
  std::vector<Transition> transitions;
  // Optional: the error for an event the current state does not allow, when the API has its own
  // (e.g. 409 reconciliation.not_proposed); default 422 `<name>.invalid_transition`.
  std::function<Error(std::string_view state, std::string_view event)> refuse;
  std::string not_found = "El registro no existe.";
};

class StateMachine {
 public:
  // Throws std::logic_error on a malformed spec (bad identifiers, duplicate from+event): a
  // programming error caught by the vertical's own unit test.
  explicit StateMachine(StateMachineSpec spec);

  // Pure check: the transition for (state, event) if `role` may fire it, else 422
  // `<name>.invalid_transition` or `<name>.transition_not_allowed` naming state and event.
  Result<const Transition*> Find(std::string_view state, std::string_view event, std::string_view role) const;
  // Events `role` may fire from `state` (what a UI offers).
  std::vector<std::string> EventsFrom(std::string_view state, std::string_view role) const;

  // Fires `event` on the row `id` of the transaction's company; returns the new status.
  // Another request changing the same row at the same time gets 409 concurrent_update.
  db::Task<Result<std::string>> Fire(db::Transaction& tx, std::string id, std::string event, std::string role,
                                     Actor actor, FireDetails details) const;
  db::Task<Result<std::string>> Fire(db::Transaction& tx, std::string id, std::string event, std::string role,
                                     Actor actor) const {
    return Fire(tx, std::move(id), std::move(event), std::move(role), std::move(actor), FireDetails());
  }

  const StateMachineSpec& Spec() const { return spec_; }

 private:
  StateMachineSpec spec_;
  std::string select_sql_;
  std::vector<std::string> update_sql_;  // per transition
};

}  // namespace vertice::shared
