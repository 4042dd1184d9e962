// /api/v1/api-keys: owners create (the key is shown once), list and revoke a company's API keys,
// through the shared DAL (only the key's hash is stored, and it is never read back).
#include <boost/json.hpp>

#include "api/app.hpp"
#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"
#include "shared/dal.hpp"
#include "shared/paging.hpp"

namespace vertice::api {

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

Error KeyNotFound() { return NotFound("La llave no existe."); }

}  // namespace

void RegisterApiKeyRoutes(App& app) {
  app.Add("GET", "/api/v1/api-keys",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             VERTICE_CO_ASSIGN_OR_RETURN(auto page_request,
                                         shared::ParsePageRequest(ctx.request.query, /*uuid_cursor=*/true));
             auto page = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
               return ApiKeys().List(tx, {.limit = page_request.limit, .after = page_request.after});
             });
             if (!page) co_return std::unexpected(page.error());
             for (auto& item : page->items) item = KeyJson(item);
             co_return Json(200, shared::PageJson(*page));
           },
           Access::kCompany, app.Can("api_keys.manage"), true});

  app.Add("POST", "/api/v1/api-keys",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
             auto name = body.String("name", true, 100);
             auto role = body.String("role", true, 20);
             if (name && name->empty()) body.Invalid("name", "no puede estar vacío");
             if (role && !auth::IsValidRole(*role))
               body.Invalid("role", "debe ser owner, ceo, cfo, accountant, cashier o viewer");
             VERTICE_CO_TRY(body.Finish());
             auto key = auth::NewToken("vk_");
             auto created = co_await app.Deps().pool.InTransaction(
                 ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
                   shared::Values values{{"name", *name},
                                         {"role", *role},
                                         {"key_prefix", key.substr(0, 10)},
                                         {"key_hash", auth::HashToken(key)},
                                         {"created_by", ctx.principal->id}};
                   VERTICE_CO_ASSIGN_OR_RETURN(auto row, co_await ApiKeys().Create(tx, std::move(values)));
                   auto after = json::serialize(json::object{{"name", *name}, {"role", *role}});
                   std::string id(row.at("api_key_id").as_string());
                   VERTICE_CO_TRY(
                       co_await shared::RecordAudit(tx, ctx.Actor(), "api_key.created", "api_key", id, "", after));
                   co_return row;
                 });
             if (!created) co_return std::unexpected(created.error());
             auto out = KeyJson(*created);
             out["key"] = key;  // shown once; only its hash is stored
             co_return Json(201, out);
           },
           Access::kCompany, app.Can("api_keys.manage"), true});

  app.Add("DELETE", "/api/v1/api-keys/{id}",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             const auto& id = ctx.params["id"];
             if (!IsUuid(id)) co_return std::unexpected(KeyNotFound());
             auto revoked =
                 co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Status> {
                   auto row = co_await ApiKeys().Get(tx, id, /*lock=*/true);
                   if (!row)
                     co_return std::unexpected(row.error().kind == ErrorKind::kNotFound ? KeyNotFound() : row.error());
                   if (!row->at("revoked_at").is_null()) co_return Status{};  // already revoked: idempotent
                   shared::Values values{{"revoked_at", "now"}};
                   VERTICE_CO_TRY(co_await ApiKeys().Update(tx, id, std::move(values), std::nullopt));
                   co_return co_await shared::RecordAudit(tx, ctx.Actor(), "api_key.revoked", "api_key", id);
                 });
             if (!revoked) co_return std::unexpected(revoked.error());
             co_return NoContent();
           },
           Access::kCompany, app.Can("api_keys.manage"), true});
}

}  // namespace vertice::api
