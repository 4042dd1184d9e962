#include "auth/principal.hpp"

namespace vertice::auth {

bool IsValidRole(std::string_view role) {
  for (auto r : kRoles) {
    if (r == role) return true;
  }
  return false;
}

}  // namespace vertice::auth
