// /api/v1/api-keys: owners create (the key is shown once), list and revoke a company's API keys.
#include <boost/json.hpp>

#include "api/app.hpp"
#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

constexpr const char* kKeyColumns =
    "api_key_id::text AS id, name, role, key_prefix, "
    "to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, "
    "to_char(last_used_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS last_used_at, "
    "to_char(revoked_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS revoked_at";

json::object KeyJson(const db::Rows& r, int i) {
  auto opt = [&](std::string_view col) {
    auto v = r.Opt(i, col);
    return v ? json::value(*v) : json::value(nullptr);
  };
  return {{"id", r.Str(i, "id")},
          {"name", r.Str(i, "name")},
          {"role", r.Str(i, "role")},
          {"prefix", r.Str(i, "key_prefix")},
          {"created_at", r.Str(i, "created_at")},
          {"last_used_at", opt("last_used_at")},
          {"revoked_at", opt("revoked_at")}};
}

}  // namespace

void RegisterApiKeyRoutes(App& app) {
  app.Add("GET", "/api/v1/api-keys",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             auto rows = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
               return tx.Query(std::string("SELECT ") + kKeyColumns +
                                   " FROM api_keys WHERE company_id = $1 ORDER BY created_at, api_key_id LIMIT 500",
                               db::P(ctx.CompanyId()));
             });
             if (!rows) co_return std::unexpected(rows.error());
             json::array items;
             for (int i = 0; i < rows->Size(); ++i) items.push_back(KeyJson(*rows, i));
             co_return Json(200, json::object{{"items", std::move(items)}, {"next_after", nullptr}});
           },
           Access::kCompany,
           {"owner"},
           true});

  app.Add(
      "POST", "/api/v1/api-keys",
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
             ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<db::Rows>> {
               VERTICE_CO_ASSIGN_OR_RETURN(
                   auto rows,
                   co_await tx.Query(
                       std::string(
                           "INSERT INTO api_keys (tenant_id, company_id, name, role, key_prefix, key_hash, created_by) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $7::uuid) RETURNING ") +
                           kKeyColumns,
                       db::P(ctx.principal->tenant_id, ctx.CompanyId(), *name, *role, key.substr(0, 10),
                             auth::HashToken(key), ctx.principal->id)));
               auto after = json::serialize(json::object{{"name", *name}, {"role", *role}});
               VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "api_key.created", "api_key",
                                                           rows.Str(0, "id"), "", after));
               co_return rows;
             });
         if (!created) co_return std::unexpected(created.error());
         auto out = KeyJson(*created, 0);
         out["key"] = key;  // shown once; only its hash is stored
         co_return Json(201, out);
       },
       Access::kCompany,
       {"owner"},
       true});

  app.Add("DELETE", "/api/v1/api-keys/{id}",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             const auto& id = ctx.params["id"];
             if (!IsUuid(id)) co_return std::unexpected(NotFound("La llave no existe."));
             auto revoked =
                 co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Status> {
                   VERTICE_CO_ASSIGN_OR_RETURN(
                       auto rows, co_await tx.Query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) "
                                                    "WHERE company_id = $1 AND api_key_id = $2::uuid RETURNING name",
                                                    db::P(ctx.CompanyId(), id)));
                   if (rows.Empty()) co_return std::unexpected(NotFound("La llave no existe."));
                   VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "api_key.revoked", "api_key", id));
                   co_return Status{};
                 });
             if (!revoked) co_return std::unexpected(revoked.error());
             co_return NoContent();
           },
           Access::kCompany,
           {"owner"},
           true});
}

}  // namespace vertice::api
