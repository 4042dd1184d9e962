// /api/v1/members: owners add, list, re-role and remove the people of their company.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "api/app.hpp"
#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

constexpr const char* kSelectMembers =
    "SELECT u.user_id::text AS user_id, u.email, u.full_name, u.status, m.role, "
    "to_char(m.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS added_at "
    "FROM memberships m JOIN users u ON u.user_id = m.user_id "
    "WHERE m.company_id = $1 AND ($2::uuid IS NULL OR m.user_id = $2::uuid) AND ($3::uuid IS NULL OR m.user_id > "
    "$3::uuid) "
    "ORDER BY m.user_id LIMIT $4";

json::object MemberJson(const db::Rows& r, int i) {
  return {{"user_id", r.Str(i, "user_id")}, {"email", r.Str(i, "email")}, {"full_name", r.Str(i, "full_name")},
          {"status", r.Str(i, "status")},   {"role", r.Str(i, "role")},   {"added_at", r.Str(i, "added_at")}};
}

std::string QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

void CheckRole(http::JsonBody& body, const std::optional<std::string>& role) {
  if (role && !auth::IsValidRole(*role)) {
    body.Invalid("role", "debe ser owner, ceo, cfo, accountant, cashier o viewer");
  }
}

// The member's role, locked for the rest of the transaction; 404 when not a member here.
db::Task<Result<std::string>> LockedRole(db::Transaction& tx, const std::string& company_id,
                                         const std::string& user_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows,
      co_await tx.Query("SELECT role FROM memberships WHERE company_id = $1 AND user_id = $2::uuid FOR UPDATE",
                        db::P(company_id, user_id)));
  if (rows.Empty()) co_return std::unexpected(NotFound("El miembro no existe."));
  co_return rows.Str(0, "role");
}

// An owner can never remove or demote the last owner of a company.
db::Task<Status> KeepAnOwner(db::Transaction& tx, const std::string& company_id, const std::string& user_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows,
      co_await tx.Query("SELECT count(*) FILTER (WHERE user_id <> $2::uuid) AS others FROM "
                        "(SELECT user_id FROM memberships WHERE company_id = $1 AND role = 'owner' FOR UPDATE) o",
                        db::P(company_id, user_id)));
  if (rows.Int(0, "others") == 0) {
    co_return Fail(ErrorKind::kBusinessRule, "member.last_owner",
                   "La empresa debe conservar al menos un propietario (owner).");
  }
  co_return Status{};
}

}  // namespace

void RegisterMemberRoutes(App& app) {
  app.Add("GET", "/api/v1/members",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             auto limit_text = QueryParam(ctx.request.query, "limit");
             auto after = QueryParam(ctx.request.query, "after");
             long limit = 50;
             if (!limit_text.empty()) {
               try {
                 limit = std::stol(limit_text);
               } catch (...) {
                 limit = -1;
               }
               if (limit < 1 || limit > 200) {
                 co_return Fail(ErrorKind::kInvalidInput, "invalid_limit", "limit debe estar entre 1 y 200.");
               }
             }
             if (!after.empty() && !IsUuid(after)) {
               co_return Fail(ErrorKind::kInvalidInput, "invalid_cursor", "after no es un cursor válido.");
             }
             auto rows = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
               return tx.Query(kSelectMembers,
                               db::P(ctx.CompanyId(), std::nullopt, after.empty() ? std::nullopt : std::optional(after),
                                     std::to_string(limit + 1)));
             });
             if (!rows) co_return std::unexpected(rows.error());
             json::array items;
             int n = std::min<int>(rows->Size(), static_cast<int>(limit));
             for (int i = 0; i < n; ++i) items.push_back(MemberJson(*rows, i));
             json::object out{{"items", std::move(items)}};
             out["next_after"] = rows->Size() > limit ? json::value(rows->Str(n - 1, "user_id")) : json::value(nullptr);
             co_return Json(200, out);
           },
           Access::kCompany,
           {"owner", "ceo", "cfo"}});

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
         auto hash = co_await app.Deps().auth.HashPasswordOffThread(password ? *password : temporary);
         bool created_user = false;
         auto added = co_await app.Deps().pool.InTransaction(
             ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<db::Rows>> {
               VERTICE_CO_ASSIGN_OR_RETURN(
                   auto existing,
                   co_await tx.Query("SELECT user_id::text AS user_id FROM users WHERE email = $1", db::P(normalized)));
               std::string user_id;
               if (existing.Empty()) {
                 VERTICE_CO_ASSIGN_OR_RETURN(
                     auto inserted,
                     co_await tx.Query(
                         "INSERT INTO users (tenant_id, email, full_name, password_hash) VALUES ($1, $2, $3, $4) "
                         "RETURNING user_id::text AS user_id",
                         db::P(ctx.principal->tenant_id, normalized, full_name.value_or(""), hash)));
                 user_id = inserted.Str(0, "user_id");
                 created_user = true;
               } else {
                 user_id = existing.Str(0, "user_id");
               }
               auto membership = co_await tx.Query(
                   "INSERT INTO memberships (tenant_id, company_id, user_id, role) VALUES ($1, $2, $3::uuid, $4)",
                   db::P(ctx.principal->tenant_id, ctx.CompanyId(), user_id, *role));
               if (!membership) {
                 auto e = membership.error();
                 if (e.kind == ErrorKind::kConflict) {
                   e.code = "member.already_member";
                   e.message = "La persona ya es miembro de esta empresa.";
                 }
                 co_return std::unexpected(e);
               }
               auto after =
                   json::serialize(json::object{{"email", normalized}, {"role", *role}, {"new_user", created_user}});
               VERTICE_CO_TRY(
                   co_await shared::RecordAudit(tx, ctx.Actor(), "member.added", "membership", user_id, "", after));
               co_return co_await tx.Query(kSelectMembers, db::P(ctx.CompanyId(), user_id, std::nullopt, "1"));
             });
         if (!added) {
           auto e = added.error();
           // The e-mail belongs to a user of another tenant: say only that it is taken.
           if (e.kind == ErrorKind::kConflict && e.code == "conflict") {
             e.code = "member.email_taken";
             e.message = "El correo ya está registrado en otra organización.";
             e.details.clear();
           }
           co_return std::unexpected(e);
         }
         auto out = MemberJson(*added, 0);
         if (created_user && !password) out["temporary_password"] = temporary;
         co_return Json(201, out);
       },
       Access::kCompany,
       {"owner"},
       true});

  app.Add("PATCH", "/api/v1/members/{user_id}",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             const auto& user_id = ctx.params["user_id"];
             if (!IsUuid(user_id)) co_return std::unexpected(NotFound("El miembro no existe."));
             VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
             auto role = body.String("role", true, 20);
             CheckRole(body, role);
             VERTICE_CO_TRY(body.Finish());
             auto changed = co_await app.Deps().pool.InTransaction(
                 ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<db::Rows>> {
                   VERTICE_CO_ASSIGN_OR_RETURN(auto old_role, co_await LockedRole(tx, ctx.CompanyId(), user_id));
                   if (old_role == "owner" && *role != "owner")
                     VERTICE_CO_TRY(co_await KeepAnOwner(tx, ctx.CompanyId(), user_id));
                   VERTICE_CO_TRY(co_await tx.Query(
                       "UPDATE memberships SET role = $3 WHERE company_id = $1 AND user_id = $2::uuid",
                       db::P(ctx.CompanyId(), user_id, *role)));
                   auto before_json = json::serialize(json::object{{"role", old_role}});
                   auto after_json = json::serialize(json::object{{"role", *role}});
                   VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "member.role_changed", "membership",
                                                               user_id, before_json, after_json));
                   co_return co_await tx.Query(kSelectMembers, db::P(ctx.CompanyId(), user_id, std::nullopt, "1"));
                 });
             if (!changed) co_return std::unexpected(changed.error());
             co_return Json(200, MemberJson(*changed, 0));
           },
           Access::kCompany,
           {"owner"},
           true});

  app.Add(
      "DELETE", "/api/v1/members/{user_id}",
      {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
         const auto& user_id = ctx.params["user_id"];
         if (!IsUuid(user_id)) co_return std::unexpected(NotFound("El miembro no existe."));
         auto removed =
             co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Status> {
               VERTICE_CO_ASSIGN_OR_RETURN(auto role, co_await LockedRole(tx, ctx.CompanyId(), user_id));
               if (role == "owner") VERTICE_CO_TRY(co_await KeepAnOwner(tx, ctx.CompanyId(), user_id));
               VERTICE_CO_TRY(co_await tx.Query("DELETE FROM memberships WHERE company_id = $1 AND user_id = $2::uuid",
                                                db::P(ctx.CompanyId(), user_id)));
               auto before_json = json::serialize(json::object{{"role", role}});
               VERTICE_CO_TRY(
                   co_await shared::RecordAudit(tx, ctx.Actor(), "member.removed", "membership", user_id, before_json));
               co_return Status{};
             });
         if (!removed) co_return std::unexpected(removed.error());
         co_return NoContent();
       },
       Access::kCompany,
       {"owner"},
       true});
}

}  // namespace vertice::api
