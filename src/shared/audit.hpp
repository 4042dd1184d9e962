// Append-only audit trail: every change a user or key makes is written in the same transaction.
#pragma once

#include <string>

#include "db/pool.hpp"

namespace vertice::shared {

struct Actor {
  std::string type;  // user, api_key, system
  std::string id;
  std::string tenant_id;
  std::string company_id;  // empty for tenant-level actions
  std::string request_id;
};

// action: "member.role_changed"; entity_type: "membership"; before/after: JSON text, empty → NULL.
// The row is written with the transaction's COMMIT, in the same round trip (Transaction::Defer):
// a write pays no round trip of its own for its audit, and a failed audit row fails the commit.
// (A task, so that callers need not change if writing it ever needs to wait.)
db::Task<Status> RecordAudit(db::Transaction& tx, Actor actor, std::string action, std::string entity_type,
                             std::string entity_id, std::string before_json = {}, std::string after_json = {});

}  // namespace vertice::shared
