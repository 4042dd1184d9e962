// The registry of verticals: the manifests the build discovered (registry.gen.cpp, generated
// from the folders of src/verticals/), checked and put in dependency order. Start-up refuses,
// with a message naming the vertical, duplicate names, route collisions, unknown or circular
// dependencies, permissions nobody declared, and contributions whose columns do not match
// universal_transactions_mv.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "migrate/plan.hpp"
#include "verticals/vertical.hpp"

namespace vertice::verticals {

// Generated: one manifest per folder, and the folder names themselves.
std::vector<VerticalManifest> DiscoveredVerticals();
std::vector<std::string> DiscoveredFolders();

class Registry {
 public:
  static Result<Registry> Build(const std::vector<VerticalManifest>& manifests);
  // The discovered verticals; a broken manifest is a programming error caught at start-up.
  static Result<Registry> Discover() { return Build(DiscoveredVerticals()); }

  const std::vector<VerticalManifest>& Verticals() const { return verticals_; }  // dependencies first
  const VerticalManifest* Find(std::string_view name) const;

  // The migration plan of the binary: core components, then verticals in dependency order
  // (each building on core and its depends), then the unified view.
  Result<migrate::Plan> MigrationPlan(const std::vector<migrate::EmbeddedFile>& files) const;

 private:
  std::vector<VerticalManifest> verticals_;
};

// Runs each contribution with LIMIT 0 and compares its columns with kUniversalColumns.
db::Task<Status> CheckContributions(db::Connection& conn, const Registry& registry);

}  // namespace vertice::verticals
