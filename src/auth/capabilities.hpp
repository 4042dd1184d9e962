// What each role may do, named: one table that the router enforces (a route names the
// capability it needs), GET /api/v1/auth/me returns per company, and the web app reads instead of
// re-typing role lists. Core capabilities are here; a vertical adds "<vertical>.<permission>"
// from its manifest when its routes are mounted.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vertice::auth {

class Capabilities {
 public:
  // The core table (dashboard.read, invoices.import, reconciliation.decide, …).
  static Capabilities Core();

  // Throws std::logic_error if the name is already declared: a programming error.
  void Add(std::string name, std::vector<std::string> roles);
  // The roles holding `name`. Throws std::logic_error for a name nobody declared, so a typo in a
  // route fails at startup (and in every API test), not as a silent 403.
  const std::vector<std::string>& Roles(std::string_view name) const;
  // Every capability `role` holds, sorted.
  std::vector<std::string> Of(std::string_view role) const;
  const std::map<std::string, std::vector<std::string>, std::less<>>& All() const { return table_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> table_;
};

}  // namespace vertice::auth
