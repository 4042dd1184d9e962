// A company's API keys: create (the key is shown once; only its hash is stored and it is never
// read back), list and revoke, each change with its audit row.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "db/pool.hpp"
#include "shared/audit.hpp"
#include "shared/dal.hpp"
#include "shared/paging.hpp"

namespace vertice::members::api_keys {

// 404 for another company's key (or an id that is no key id).
Error KeyNotFound();

// A page of keys as the API shows them (id, name, role, prefix, created_at, last_used_at,
// revoked_at), ordered by id.
db::Task<Result<shared::Page>> List(db::Transaction& tx, shared::PageRequest page);

// A new key's secret: "vk_" and a random token, made before the transaction.
std::string NewSecret();

struct NewKey {
  std::string name;  // 1..100 characters
  std::string role;  // a valid role (auth::IsValidRole)
  std::string key;   // NewSecret(); stored as its prefix and hash
};

// The key as List shows it (without the secret); created_by is the actor.
db::Task<Result<boost::json::object>> Create(db::Transaction& tx, shared::Actor actor, NewKey key);

// 404 for another company's key; revoking a revoked key changes nothing.
db::Task<Status> Revoke(db::Transaction& tx, shared::Actor actor, std::string api_key_id);

}  // namespace vertice::members::api_keys
