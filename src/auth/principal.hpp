// Who is calling: a signed-in user (session) or an API key, with the companies and roles it holds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vertice::auth {

inline constexpr std::string_view kRoles[] = {"owner", "ceo", "cfo", "accountant", "cashier", "viewer"};
bool IsValidRole(std::string_view role);
// What a request is told when a role is not one of them.
inline constexpr const char* kValidRolesProblem = "debe ser owner, ceo, cfo, accountant, cashier o viewer";

struct Membership {
  std::string company_id;
  std::string company_name;
  std::string role;
};

struct Principal {
  enum class Kind { kSession, kApiKey };
  Kind kind = Kind::kSession;
  std::string id;  // user_id for sessions, api_key_id for keys
  std::string tenant_id;
  std::string email;      // sessions only
  std::string full_name;  // sessions only; the key's name for API keys
  std::string csrf_hash;  // sessions only
  std::chrono::system_clock::time_point expires_at = std::chrono::system_clock::time_point::max();
  std::vector<Membership> memberships;  // API keys: exactly their company

  const Membership* Find(std::string_view company_id) const {
    for (const auto& m : memberships) {
      if (m.company_id == company_id) return &m;
    }
    return nullptr;
  }
};

}  // namespace vertice::auth
