#include "verticals/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace vertice::verticals {

namespace {

Error RegistryError(const std::string& message) {
  return Error{ErrorKind::kInternal, "verticals.invalid_registry", message, {}, message};
}

const std::set<std::string, std::less<>> kRoles = {"owner", "ceo", "cfo", "accountant", "cashier", "viewer"};

// "/pos/{id}" and "/pos/{code}" are the same route to the router.
std::string RouteShape(const VerticalRoute& r) {
  return r.method + " " + std::regex_replace(r.path, std::regex(R"(\{[^}]*\})"), "{}");
}

Status CheckManifest(const VerticalManifest& m) {
  static const std::regex kName("^[a-z][a-z0-9_]{0,30}$");
  static const std::regex kPath(R"(^(/([a-z0-9_\-]+|\{[a-z_]+\}))+$)");
  static const std::set<std::string, std::less<>> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (!std::regex_match(m.name, kName))
    return std::unexpected(RegistryError(fmt::format("invalid vertical name '{}'", m.name)));
  if (!m.folder.empty() && m.folder != m.name)
    return std::unexpected(RegistryError(
        fmt::format("vertical '{}' lives in folder '{}': the name must be the folder's", m.name, m.folder)));
  if (m.version.empty()) return std::unexpected(RegistryError(fmt::format("vertical '{}' has no version", m.name)));
  for (const auto& [permission, roles] : m.permissions)
    for (const auto& role : roles)
      if (!kRoles.contains(role))
        return std::unexpected(RegistryError(
            fmt::format("vertical '{}': permission '{}' names unknown role '{}'", m.name, permission, role)));
  std::map<std::string, std::string> shapes;
  for (const auto& r : m.routes) {
    if (!kMethods.contains(r.method) || !std::regex_match(r.path, kPath))
      return std::unexpected(
          RegistryError(fmt::format("vertical '{}': invalid route {} {}", m.name, r.method, r.path)));
    if (!m.permissions.contains(r.permission))
      return std::unexpected(RegistryError(fmt::format("vertical '{}': route {} {} needs undeclared permission '{}'",
                                                       m.name, r.method, r.path, r.permission)));
    auto [it, inserted] = shapes.emplace(RouteShape(r), r.path);
    if (!inserted)
      return std::unexpected(RegistryError(fmt::format("vertical '{}': routes {} {} and {} {} collide", m.name,
                                                       r.method, it->second, r.method, r.path)));
  }
  if (!m.contribution_sql.empty() && m.transaction_types.empty())
    return std::unexpected(RegistryError(
        fmt::format("vertical '{}' contributes to the unified view but declares no transaction_types", m.name)));
  return Status{};
}

}  // namespace

Result<Registry> Registry::Build(const std::vector<VerticalManifest>& manifests) {
  std::map<std::string, const VerticalManifest*> by_name;
  for (const auto& m : manifests) {
    VERTICE_TRY(CheckManifest(m));
    if (!by_name.emplace(m.name, &m).second)
      return std::unexpected(RegistryError(fmt::format("two verticals are named '{}'", m.name)));
  }
  for (const auto& m : manifests)
    for (const auto& d : m.depends)
      if (!by_name.contains(d))
        return std::unexpected(RegistryError(fmt::format("vertical '{}' depends on unknown vertical '{}'", m.name, d)));
  // Dependency order (Kahn), ties by name so the order is stable.
  Registry out;
  std::set<std::string> placed;
  while (out.verticals_.size() < manifests.size()) {
    const VerticalManifest* next = nullptr;
    for (const auto& [name, m] : by_name) {
      if (placed.contains(name)) continue;
      if (std::all_of(m->depends.begin(), m->depends.end(), [&](const auto& d) { return placed.contains(d); })) {
        next = m;
        break;
      }
    }
    if (next == nullptr) {
      std::string rest;
      for (const auto& [name, m] : by_name)
        if (!placed.contains(name)) rest += (rest.empty() ? "" : ", ") + name;
      return std::unexpected(RegistryError("circular dependency among verticals: " + rest));
    }
    placed.insert(next->name);
    out.verticals_.push_back(*next);
  }
  return out;
}

const VerticalManifest* Registry::Find(std::string_view name) const {
  for (const auto& v : verticals_)
    if (v.name == name) return &v;
  return nullptr;
}

Result<migrate::Plan> Registry::MigrationPlan(const std::vector<migrate::EmbeddedFile>& files) const {
  std::set<std::string> vertical_components, core_components;
  for (const auto& v : verticals_) vertical_components.insert(v.name);
  for (const auto& f : files) {
    std::string c(f.component);
    if (c != "core" && c != migrate::kDerivedComponent && !vertical_components.contains(c)) core_components.insert(c);
  }
  // Core components in dependency order (bank reconciles against cfdi's documents), then any
  // other core component by name, then the verticals.
  std::vector<std::string> order = {"core"};
  for (const char* c : {"cfdi", "bank"})
    if (core_components.erase(c)) order.emplace_back(c);
  order.insert(order.end(), core_components.begin(), core_components.end());
  for (const auto& v : verticals_) order.push_back(v.name);
  VERTICE_ASSIGN_OR_RETURN(auto plan, migrate::BuildPlan(files, order));
  for (const auto& v : verticals_) {
    auto& builds_on = plan.builds_on[v.name];
    builds_on = {"core"};
    builds_on.insert(builds_on.end(), v.depends.begin(), v.depends.end());
  }
  return plan;
}

db::Task<Status> CheckContributions(db::Connection& conn, const Registry& registry) {
  // PostgreSQL type OIDs of text, date and numeric.
  const std::map<std::string_view, unsigned> kOids = {{"text", 25}, {"date", 1082}, {"numeric", 1700}};
  constexpr size_t kCount = std::size(kUniversalColumns);
  for (const auto& v : registry.Verticals()) {
    if (v.contribution_sql.empty()) continue;
    auto rows = co_await conn.Execute("SELECT * FROM (" + v.contribution_sql + ") AS contribution LIMIT 0");
    if (!rows) {
      co_return std::unexpected(RegistryError(
          fmt::format("vertical '{}': its universal contribution does not run: {}", v.name, rows.error().internal)));
    }
    if (static_cast<size_t>(rows->Columns()) != kCount) {
      co_return std::unexpected(
          RegistryError(fmt::format("vertical '{}': its universal contribution returns {} columns; the view has {}",
                                    v.name, rows->Columns(), kCount)));
    }
    for (size_t i = 0; i < kCount; ++i) {
      const auto& want = kUniversalColumns[i];
      auto col = static_cast<int>(i);
      if (rows->ColumnName(col) != want.name || rows->ColumnType(col) != kOids.at(want.type)) {
        co_return std::unexpected(RegistryError(
            fmt::format("vertical '{}': universal contribution column {} is '{}' (type oid {}); expected '{}' {}",
                        v.name, i + 1, rows->ColumnName(col), rows->ColumnType(col), want.name, want.type)));
      }
    }
  }
  co_return Status{};
}

}  // namespace vertice::verticals
