// One lifecycle engine for every entity with a status (consignment, contract, reconciliation):
// transitions are data; firing one locks the row, checks state, role and guard, updates the
// status and writes a status_history row and an audit row in the caller's transaction.
#pragma once

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
  // Optional business check on the locked row (e.g. "all goods accounted for").
  std::function<Status(const db::Rows& row)> guard;
};

struct StateMachineSpec {
  std::string name;   // stable prefix of error codes and audit actions: "cpg.consignment"
  std::string table;  // company-scoped table with tenant_id, company_id
  std::string id_column = "id";
  std::string status_column = "status";
  std::vector<Transition> transitions;
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
                                     Actor actor) const;

  const StateMachineSpec& Spec() const { return spec_; }

 private:
  StateMachineSpec spec_;
  std::string select_sql_;
  std::string update_sql_;
};

}  // namespace vertice::shared
