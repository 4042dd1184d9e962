// /api/v1/members: owners add, list, re-role and remove the people of their company; and
// /api/v1/companies: an owner creates another company of the tenant. The rules
// (finding or creating the tenant's user, the last owner, the audit) live in
// src/members/memberships.hpp; these handlers parse, call and serialise.
#include "api/app.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"
#include "members/companies.hpp"
#include "members/memberships.hpp"
#include "shared/paging.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace {

void CheckRole(http::JsonBody& body, const std::optional<std::string>& role) {
  if (role && !auth::IsValidRole(*role)) {
    body.Invalid("role", auth::kValidRolesProblem);
  }
}

db::Task<Result<http::Response>> List(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto page_request, shared::ParsePageRequest(ctx.request.query, /*uuid_cursor=*/true));
  auto page = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::List(tx, page_request); });
  if (!page) co_return std::unexpected(page.error());
  co_return Json(200, shared::PageJson(*page));
}

db::Task<Result<http::Response>> Add(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto email = body.String("email", true, 254);
  auto full_name = body.String("full_name", false, 200);
  auto role = body.String("role", true, 20);
  auto given_password = body.String("password", false, 1024);
  if (email && !IsPlausibleEmail(*email)) body.Invalid("email", "no es un correo válido");
  if (given_password && given_password->size() < 10) body.Invalid("password", "debe tener al menos 10 caracteres");
  CheckRole(body, role);
  VERTICE_CO_TRY(body.Finish());
  const auto password = members::ChooseInitialPassword(given_password);
  members::NewMember member{ToLowerAscii(*email), full_name.value_or(""), *role, ""};
  // Hashed before the transaction: Argon2id is slow and must not hold row locks.
  std::string to_hash = password.text;
  member.password_hash = co_await app.Deps().auth.HashPasswordOffThread(std::move(to_hash));
  const shared::Actor actor = ctx.Actor();
  auto added = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::Add(tx, actor, member); });
  if (!added) co_return std::unexpected(added.error());
  auto out = std::move(added->member);
  if (added->created_user && password.temporary) out["temporary_password"] = password.text;
  co_return Json(201, out);
}

db::Task<Result<http::Response>> ChangeRole(App& app, RequestContext& ctx) {
  const std::string user_id = ctx.params["user_id"];
  if (!IsUuid(user_id)) co_return std::unexpected(members::MemberNotFound());
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto role = body.String("role", true, 20);
  CheckRole(body, role);
  VERTICE_CO_TRY(body.Finish());
  const shared::Actor actor = ctx.Actor();
  auto changed = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::ChangeRole(tx, actor, user_id, *role); });
  if (!changed) co_return std::unexpected(changed.error());
  co_return Json(200, *changed);
}

db::Task<Result<http::Response>> Remove(App& app, RequestContext& ctx) {
  const std::string user_id = ctx.params["user_id"];
  if (!IsUuid(user_id)) co_return std::unexpected(members::MemberNotFound());
  const shared::Actor actor = ctx.Actor();
  auto removed = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::Remove(tx, actor, user_id); });
  if (!removed) co_return std::unexpected(removed.error());
  co_return NoContent();
}

db::Task<Result<http::Response>> CreateCompany(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto id = body.String("company_id", true, 63);
  auto name = body.String("legal_name", true, 300);
  auto rfc = body.String("rfc", true, 13);
  if (id && !IsValidSlug(*id)) body.Invalid("company_id", "debe ser una clave en minúsculas como 'acme-norte'");
  if (name && name->empty()) body.Invalid("legal_name", "no puede estar vacío");
  if (rfc && shared::CheckRfc(*rfc) == shared::RfcStatus::kInvalid) body.Invalid("rfc", "no es un RFC válido");
  VERTICE_CO_TRY(body.Finish());
  const shared::Actor actor = ctx.Actor();
  if (actor.type != "user")
    co_return Fail(ErrorKind::kForbidden, "forbidden", "Una empresa la crea una persona, no una llave de API.");
  members::NewCompany company{*id, *name, *rfc};
  auto created = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return members::CreateCompany(tx, actor, company); });
  if (!created) co_return std::unexpected(created.error());
  app.Deps().auth.Forget(ctx.token);  // the creator's next request lists the new company
  co_return Json(201, *created);
}

}  // namespace

void RegisterMemberRoutes(App& app) {
  app.Add("GET", "/api/v1/members",
          {[&app](RequestContext& ctx) { return List(app, ctx); }, Access::kCompany, app.Can("members.read")});
  app.Add("POST", "/api/v1/members",
          {[&app](RequestContext& ctx) { return Add(app, ctx); }, Access::kCompany, app.Can("members.manage"), true});
  app.Add("PATCH", "/api/v1/members/{user_id}",
          {[&app](RequestContext& ctx) { return ChangeRole(app, ctx); }, Access::kCompany, app.Can("members.manage"),
           true});
  app.Add("POST", "/api/v1/companies",
          {[&app](RequestContext& ctx) { return CreateCompany(app, ctx); }, Access::kCompany,
           app.Can("companies.create"), true});
  app.Add(
      "DELETE", "/api/v1/members/{user_id}",
      {[&app](RequestContext& ctx) { return Remove(app, ctx); }, Access::kCompany, app.Can("members.manage"), true});
}

}  // namespace vertice::api
