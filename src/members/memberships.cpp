// Memberships through the shared DAL (company_members view, memberships table); users through the
// named statements in queries.hpp.
#include "members/memberships.hpp"

#include <boost/json.hpp>

#include "auth/crypto.hpp"
#include "db/constraints.hpp"
#include "members/queries.hpp"

namespace vertice::members {

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

// The company's owners, every row locked so two owners demoting each other at once cannot both
// succeed.
db::Task<Result<std::vector<std::string>>> LockOwners(db::Transaction& tx) {
  shared::ListOptions all_owners{.limit = 500, .equals = {{"role", "owner"}}, .lock = true};
  VERTICE_CO_ASSIGN_OR_RETURN(auto owners, co_await Memberships().List(tx, std::move(all_owners)));
  std::vector<std::string> ids;
  for (const auto& o : owners.items) ids.emplace_back(o.at("user_id").as_string());
  co_return ids;
}

// The last-owner rule over the locked owners, when the change takes an owner away.
db::Task<Status> CheckKeepsAnOwner(db::Transaction& tx, RoleChange change) {
  if (!StopsBeingOwner(change)) co_return Status{};
  VERTICE_CO_ASSIGN_OR_RETURN(auto owners, co_await LockOwners(tx));
  co_return KeepAnOwner(change, owners);
}

// The tenant's user with this e-mail, created when there is none; true when created.
db::Task<Result<std::pair<std::string, bool>>> FindOrCreateUser(db::Transaction& tx, const NewMember& m) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto existing, co_await tx.Query(sql::kUserByEmail, db::P(m.email)));
  if (!existing.Empty()) co_return std::pair{existing.Str(0, "user_id"), false};
  VERTICE_CO_ASSIGN_OR_RETURN(auto inserted, co_await tx.Query(sql::kInsertUser, db::P(tx.Scope().tenant_id, m.email,
                                                                                       m.full_name, m.password_hash)));
  co_return std::pair{inserted.Str(0, "user_id"), true};
}

db::Task<Result<Added>> AddUnmapped(db::Transaction& tx, shared::Actor actor, NewMember m) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto user, co_await FindOrCreateUser(tx, m));
  const std::string user_id = user.first;
  const bool created_user = user.second;
  shared::Values values{{"user_id", user_id}, {"role", m.role}};
  VERTICE_CO_TRY(co_await Memberships().Create(tx, std::move(values)));
  auto after = json::serialize(json::object{{"email", m.email}, {"role", m.role}, {"new_user", created_user}});
  VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor, "member.added", "membership", user_id, "", after));
  VERTICE_CO_ASSIGN_OR_RETURN(auto member, co_await MembersView().Get(tx, user_id));
  co_return Added{std::move(member), created_user};
}

}  // namespace

Error MemberNotFound() { return NotFound("El miembro no existe."); }

db::Task<Result<shared::Page>> List(db::Transaction& tx, shared::PageRequest page) {
  shared::ListOptions options{.limit = page.limit, .after = std::move(page.after)};
  co_return co_await MembersView().List(tx, std::move(options));
}

InitialPassword ChooseInitialPassword(const std::optional<std::string>& given) {
  if (given) return {*given, false};
  return {auth::NewToken("").substr(0, 16), true};
}

db::Task<Result<Added>> Add(db::Transaction& tx, shared::Actor actor, NewMember member) {
  auto added = co_await AddUnmapped(tx, std::move(actor), std::move(member));
  if (!added) co_return std::unexpected(db::Remap(std::move(added.error()), kConstraints));
  co_return added;
}

db::Task<Result<json::object>> ChangeRole(db::Transaction& tx, shared::Actor actor, std::string user_id,
                                          std::string role) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await LockMembership(tx, user_id));
  RoleChange change{user_id, std::string(before.at("role").as_string()), role};
  VERTICE_CO_TRY(co_await CheckKeepsAnOwner(tx, change));
  shared::Values values{{"role", role}};
  VERTICE_CO_TRY(co_await Memberships().Update(tx, user_id, std::move(values), std::nullopt));
  auto before_json = json::serialize(json::object{{"role", change.from}});
  auto after_json = json::serialize(json::object{{"role", role}});
  VERTICE_CO_TRY(
      co_await shared::RecordAudit(tx, actor, "member.role_changed", "membership", user_id, before_json, after_json));
  co_return co_await MembersView().Get(tx, user_id);
}

db::Task<Status> Remove(db::Transaction& tx, shared::Actor actor, std::string user_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await LockMembership(tx, user_id));
  RoleChange change{user_id, std::string(before.at("role").as_string()), std::nullopt};
  VERTICE_CO_TRY(co_await CheckKeepsAnOwner(tx, change));
  VERTICE_CO_TRY(co_await Memberships().Delete(tx, user_id, std::nullopt));
  auto before_json = json::serialize(json::object{{"role", change.from}});
  co_return co_await shared::RecordAudit(tx, actor, "member.removed", "membership", user_id, before_json);
}

bool StopsBeingOwner(const RoleChange& change) { return change.from == "owner" && change.to != "owner"; }

Status KeepAnOwner(const RoleChange& change, const std::vector<std::string>& owners) {
  if (!StopsBeingOwner(change)) return {};
  for (const auto& owner : owners)
    if (owner != change.user_id) return {};
  return Fail(ErrorKind::kBusinessRule, "member.last_owner",
              "La empresa debe conservar al menos un propietario (owner).");
}

}  // namespace vertice::members
