// The people of a company: list, add (finding or creating the tenant's user), re-role and remove,
// each change with its audit row. A company always keeps an owner (KeepAnOwner, pure). Users are
// tenant-level (one login across the tenant's companies); memberships are company rows.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/pool.hpp"
#include "shared/audit.hpp"
#include "shared/dal.hpp"
#include "shared/paging.hpp"

namespace vertice::members {

// 404 for someone who is not a member of the company (or an id that is no user id).
Error MemberNotFound();

// A page of members as the API shows them (company_members: user_id, email, full_name, status,
// role, added_at), ordered by user_id.
db::Task<Result<shared::Page>> List(db::Transaction& tx, shared::PageRequest page);

// The password a new user starts with: the one given, or a temporary one shown once.
struct InitialPassword {
  std::string text;
  bool temporary = false;
};
InitialPassword ChooseInitialPassword(const std::optional<std::string>& given);

struct NewMember {
  std::string email;      // lower-case
  std::string full_name;  // "" when not given
  std::string role;       // a valid role (auth::IsValidRole)
  // Of the initial password, hashed before the transaction: Argon2id is slow and must not hold
  // row locks. Used only when the tenant has no user with this e-mail yet.
  std::string password_hash;
};

struct Added {
  boost::json::object member;  // as List shows it
  bool created_user = false;   // the e-mail was new to the tenant
};

// 409 member.already_member, or member.email_taken for an e-mail of another tenant.
db::Task<Result<Added>> Add(db::Transaction& tx, shared::Actor actor, NewMember member);

// Each 404s for someone who is not a member of the company, and refuses (422 member.last_owner)
// to leave the company without an owner. ChangeRole returns the member as List shows it.
db::Task<Result<boost::json::object>> ChangeRole(db::Transaction& tx, shared::Actor actor, std::string user_id,
                                                 std::string role);
db::Task<Status> Remove(db::Transaction& tx, shared::Actor actor, std::string user_id);

// A member's role changing: `to` is nullopt when the member is removed.
struct RoleChange {
  std::string user_id;
  std::string from;
  std::optional<std::string> to;
};

// Whether the change takes an owner away (only then must the owners be read).
bool StopsBeingOwner(const RoleChange& change);

// Pure, the last-owner rule: the company must keep at least one owner after `change`, given the
// ids of its owners before it.
Status KeepAnOwner(const RoleChange& change, const std::vector<std::string>& owners);

}  // namespace vertice::members
