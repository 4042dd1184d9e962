// API keys through the shared DAL (api_keys table, key_hash written but never readable).
#include "members/api_keys.hpp"

#include <boost/json.hpp>

#include "auth/crypto.hpp"

namespace vertice::members::api_keys {

namespace json = boost::json;
using shared::ColumnType;

namespace {

const shared::Dal& ApiKeys() {
  static const shared::Dal dal({"api_keys",
                                "api_key_id",
                                false,
                                {{"name"},
                                 {"role"},
                                 {"key_prefix"},
                                 {"key_hash", ColumnType::kText, true, false, /*readable=*/false},
                                 {"created_by", ColumnType::kUuid},
                                 {"created_at", ColumnType::kTimestamp, false},
                                 {"last_used_at", ColumnType::kTimestamp, false},
                                 {"revoked_at", ColumnType::kTimestamp}}});
  return dal;
}

// The API's shape of a key row: "id" and "prefix" rather than the column names.
json::object KeyJson(const json::object& row) {
  return {{"id", row.at("api_key_id")},
          {"name", row.at("name")},
          {"role", row.at("role")},
          {"prefix", row.at("key_prefix")},
          {"created_at", row.at("created_at")},
          {"last_used_at", row.at("last_used_at")},
          {"revoked_at", row.at("revoked_at")}};
}

}  // namespace

Error KeyNotFound() { return NotFound("La llave no existe."); }

db::Task<Result<shared::Page>> List(db::Transaction& tx, shared::PageRequest page) {
  shared::ListOptions options{.limit = page.limit, .after = std::move(page.after)};
  VERTICE_CO_ASSIGN_OR_RETURN(auto keys, co_await ApiKeys().List(tx, std::move(options)));
  for (auto& item : keys.items) item = KeyJson(item);
  co_return keys;
}

std::string NewSecret() { return auth::NewToken("vk_"); }

db::Task<Result<json::object>> Create(db::Transaction& tx, shared::Actor actor, NewKey key) {
  shared::Values values{{"name", key.name},
                        {"role", key.role},
                        {"key_prefix", key.key.substr(0, 10)},
                        {"key_hash", auth::HashToken(key.key)},
                        {"created_by", actor.id}};
  VERTICE_CO_ASSIGN_OR_RETURN(auto row, co_await ApiKeys().Create(tx, std::move(values)));
  auto after = json::serialize(json::object{{"name", key.name}, {"role", key.role}});
  std::string id(row.at("api_key_id").as_string());
  VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor, "api_key.created", "api_key", id, "", after));
  co_return KeyJson(row);
}

db::Task<Status> Revoke(db::Transaction& tx, shared::Actor actor, std::string api_key_id) {
  auto row = co_await ApiKeys().Get(tx, api_key_id, /*lock=*/true);
  if (!row && row.error().kind == ErrorKind::kNotFound) co_return std::unexpected(KeyNotFound());
  if (!row) co_return std::unexpected(row.error());
  if (!row->at("revoked_at").is_null()) co_return Status{};  // already revoked: idempotent
  shared::Values values{{"revoked_at", "now"}};
  VERTICE_CO_TRY(co_await ApiKeys().Update(tx, api_key_id, std::move(values), std::nullopt));
  co_return co_await shared::RecordAudit(tx, actor, "api_key.revoked", "api_key", api_key_id);
}

}  // namespace vertice::members::api_keys
