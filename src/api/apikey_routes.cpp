// /api/v1/api-keys: owners create (the key is shown once), list and revoke a company's API keys.
// The keys' storage (only the hash, never read back) and audit live in src/members/api_keys.hpp;
// these handlers parse, call and serialise.
#include "api/app.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"
#include "members/api_keys.hpp"
#include "shared/paging.hpp"

namespace vertice::api {

namespace {

db::Task<Result<http::Response>> List(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto page_request, shared::ParsePageRequest(ctx.request.query, /*uuid_cursor=*/true));
  auto page = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::api_keys::List(tx, page_request); });
  if (!page) co_return std::unexpected(page.error());
  co_return Json(200, shared::PageJson(*page));
}

db::Task<Result<http::Response>> Create(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto name = body.String("name", true, 100);
  auto role = body.String("role", true, 20);
  if (name && name->empty()) body.Invalid("name", "no puede estar vacío");
  if (role && !auth::IsValidRole(*role)) body.Invalid("role", auth::kValidRolesProblem);
  VERTICE_CO_TRY(body.Finish());
  const members::api_keys::NewKey key{*name, *role, members::api_keys::NewSecret()};
  const shared::Actor actor = ctx.Actor();
  auto created = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::api_keys::Create(tx, actor, key); });
  if (!created) co_return std::unexpected(created.error());
  auto out = std::move(*created);
  out["key"] = key.key;  // shown once; only its hash is stored
  co_return Json(201, out);
}

db::Task<Result<http::Response>> Revoke(App& app, RequestContext& ctx) {
  const std::string id = ctx.params["id"];
  if (!IsUuid(id)) co_return std::unexpected(members::api_keys::KeyNotFound());
  const shared::Actor actor = ctx.Actor();
  auto revoked = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::api_keys::Revoke(tx, actor, id); });
  if (!revoked) co_return std::unexpected(revoked.error());
  co_return NoContent();
}

}  // namespace

void RegisterApiKeyRoutes(App& app) {
  app.Add("GET", "/api/v1/api-keys",
          {[&app](RequestContext& ctx) { return List(app, ctx); }, Access::kCompany, app.Can("api_keys.manage"), true});
  app.Add(
      "POST", "/api/v1/api-keys",
      {[&app](RequestContext& ctx) { return Create(app, ctx); }, Access::kCompany, app.Can("api_keys.manage"), true});
  app.Add(
      "DELETE", "/api/v1/api-keys/{id}",
      {[&app](RequestContext& ctx) { return Revoke(app, ctx); }, Access::kCompany, app.Can("api_keys.manage"), true});
}

}  // namespace vertice::api
