// /api/v1/members: owners add, list, re-role and remove the people of their company.
// Company-scoped reads and writes go through the shared DAL (company_members view, memberships);
// users are tenant-level rows (one login across the tenant's companies).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "api/app.hpp"
#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "db/constraints.hpp"
#include "http/json_body.hpp"
#include "shared/dal.hpp"
#include "shared/paging.hpp"

namespace vertice::api {

namespace json = boost::json;
using shared::ColumnType;

namespace {

const shared::Dal& MembersView() {
  static const shared::Dal dal({"company_members",
                                "user_id",
                                false,
                                {{"email", ColumnType::kText, false},
                                 {"full_name", ColumnType::kText, false},
                                 {"status", ColumnType::kText, false},
                                 {"role", ColumnType::kText, false, true},
                                 {"added_at", ColumnType::kTimestamp, false}}});
  return dal;
}

const shared::Dal& Memberships() {
  static const shared::Dal dal(
      {"memberships",
       "user_id",
       false,
       {{"role", ColumnType::kText, true, true}, {"created_at", ColumnType::kTimestamp, false}},
       /*id_writable=*/true});
  return dal;
}

void CheckRole(http::JsonBody& body, const std::optional<std::string>& role) {
  if (role && !auth::IsValidRole(*role)) {
    body.Invalid("role", "debe ser owner, ceo, cfo, accountant, cashier o viewer");
  }
}

Error MemberNotFound() { return NotFound("El miembro no existe."); }

// The keys adding a member can break, in the members' words (db::Remap). The e-mail key fires for
// a user of another tenant, whom row-level security hides: say only that the e-mail is taken.
constexpr db::ConstraintError kConstraints[] = {
    {"memberships_pkey", ErrorKind::kConflict, "member.already_member", "La persona ya es miembro de esta empresa."},
    {"users_email_key", ErrorKind::kConflict, "member.email_taken",
     "El correo ya está registrado en otra organización."},
};

// The member's membership row, locked for the rest of the transaction; 404 when not a member here.
db::Task<Result<json::object>> LockMembership(db::Transaction& tx, std::string user_id) {
  auto row = co_await Memberships().Get(tx, std::move(user_id), /*lock=*/true);
  if (!row && row.error().kind == ErrorKind::kNotFound) co_return std::unexpected(MemberNotFound());
  co_return row;
}

// An owner can never remove or demote the last owner of a company. Every owner row is locked so
// two owners demoting each other at once cannot both succeed.
db::Task<Status> KeepAnOwner(db::Transaction& tx, std::string user_id) {
  shared::ListOptions all_owners{.limit = 500, .equals = {{"role", "owner"}}, .lock = true};
  VERTICE_CO_ASSIGN_OR_RETURN(auto owners, co_await Memberships().List(tx, std::move(all_owners)));
  for (const auto& o : owners.items) {
    if (o.at("user_id").as_string() != user_id) co_return Status{};
  }
  co_return Fail(ErrorKind::kBusinessRule, "member.last_owner",
                 "La empresa debe conservar al menos un propietario (owner).");
}

}  // namespace

void RegisterMemberRoutes(App& app) {
  app.Add("GET", "/api/v1/members",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             VERTICE_CO_ASSIGN_OR_RETURN(auto page_request,
                                         shared::ParsePageRequest(ctx.request.query, /*uuid_cursor=*/true));
             auto page = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
               return MembersView().List(tx, {.limit = page_request.limit, .after = page_request.after});
             });
             if (!page) co_return std::unexpected(page.error());
             co_return Json(200, shared::PageJson(*page));
           },
           Access::kCompany, app.Can("members.read")});

  app.Add(
      "POST", "/api/v1/members",
      {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
         VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
         auto email = body.String("email", true, 254);
         auto full_name = body.String("full_name", false, 200);
         auto role = body.String("role", true, 20);
         auto password = body.String("password", false, 1024);
         if (email && !IsPlausibleEmail(*email)) body.Invalid("email", "no es un correo válido");
         if (password && (password->size() < 10)) body.Invalid("password", "debe tener al menos 10 caracteres");
         CheckRole(body, role);
         VERTICE_CO_TRY(body.Finish());
         auto normalized = ToLowerAscii(*email);
         std::string temporary = password ? std::string() : auth::NewToken("").substr(0, 16);
         // Hashed before the transaction: Argon2id is slow and must not hold row locks.
         std::string initial_password = password ? *password : temporary;
         auto hash = co_await app.Deps().auth.HashPasswordOffThread(std::move(initial_password));
         bool created_user = false;
         auto added = co_await app.Deps().pool.InTransaction(
             ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
               // users is tenant-level: row-level security limits it to the caller's tenant.
               VERTICE_CO_ASSIGN_OR_RETURN(
                   auto existing,
                   co_await tx.Query("SELECT user_id::text AS user_id FROM users WHERE email = $1", db::P(normalized)));
               std::string user_id;
               if (existing.Empty()) {
                 VERTICE_CO_ASSIGN_OR_RETURN(
                     auto inserted,
                     co_await tx.Query("INSERT INTO users (tenant_id, email, full_name, password_hash) "
                                       "VALUES ($1, $2, $3, $4) RETURNING user_id::text AS user_id",
                                       db::P(tx.Scope().tenant_id, normalized, full_name.value_or(""), hash)));
                 user_id = inserted.Str(0, "user_id");
                 created_user = true;
               } else {
                 user_id = existing.Str(0, "user_id");
               }
               shared::Values values{{"user_id", user_id}, {"role", *role}};
               auto membership = co_await Memberships().Create(tx, std::move(values));
               if (!membership) co_return std::unexpected(membership.error());
               auto after =
                   json::serialize(json::object{{"email", normalized}, {"role", *role}, {"new_user", created_user}});
               VERTICE_CO_TRY(
                   co_await shared::RecordAudit(tx, ctx.Actor(), "member.added", "membership", user_id, "", after));
               co_return co_await MembersView().Get(tx, user_id);
             });
         if (!added) co_return std::unexpected(db::Remap(added.error(), kConstraints));
         auto out = std::move(*added);
         if (created_user && !password) out["temporary_password"] = temporary;
         co_return Json(201, out);
       },
       Access::kCompany, app.Can("members.manage"), true});

  app.Add("PATCH", "/api/v1/members/{user_id}",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             const auto& user_id = ctx.params["user_id"];
             if (!IsUuid(user_id)) co_return std::unexpected(MemberNotFound());
             VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
             auto role = body.String("role", true, 20);
             CheckRole(body, role);
             VERTICE_CO_TRY(body.Finish());
             auto changed = co_await app.Deps().pool.InTransaction(
                 ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
                   VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await LockMembership(tx, user_id));
                   std::string old_role(before.at("role").as_string());
                   if (old_role == "owner" && *role != "owner") VERTICE_CO_TRY(co_await KeepAnOwner(tx, user_id));
                   shared::Values values{{"role", *role}};
                   VERTICE_CO_TRY(co_await Memberships().Update(tx, user_id, std::move(values), std::nullopt));
                   auto before_json = json::serialize(json::object{{"role", old_role}});
                   auto after_json = json::serialize(json::object{{"role", *role}});
                   VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "member.role_changed", "membership",
                                                               user_id, before_json, after_json));
                   co_return co_await MembersView().Get(tx, user_id);
                 });
             if (!changed) co_return std::unexpected(changed.error());
             co_return Json(200, *changed);
           },
           Access::kCompany, app.Can("members.manage"), true});

  app.Add("DELETE", "/api/v1/members/{user_id}",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             const auto& user_id = ctx.params["user_id"];
             if (!IsUuid(user_id)) co_return std::unexpected(MemberNotFound());
             auto removed =
                 co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Status> {
                   VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await LockMembership(tx, user_id));
                   std::string role(before.at("role").as_string());
                   if (role == "owner") VERTICE_CO_TRY(co_await KeepAnOwner(tx, user_id));
                   VERTICE_CO_TRY(co_await Memberships().Delete(tx, user_id, std::nullopt));
                   auto before_json = json::serialize(json::object{{"role", role}});
                   co_return co_await shared::RecordAudit(tx, ctx.Actor(), "member.removed", "membership", user_id,
                                                          before_json);
                 });
             if (!removed) co_return std::unexpected(removed.error());
             co_return NoContent();
           },
           Access::kCompany, app.Can("members.manage"), true});
}

}  // namespace vertice::api
