#include "migrate/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>

namespace vertice::migrate {

namespace {

Error PlanError(const std::string& message) {
  return Error{ErrorKind::kInternal, "migrate.invalid_plan", message, {}, message};
}

bool HasHeader(std::string_view sql, std::string_view marker) {
  // Headers are comment lines at the top of the file.
  size_t pos = 0;
  while (pos < sql.size()) {
    auto end = sql.find('\n', pos);
    auto line = sql.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.starts_with("--")) break;
    if (line.find(marker) != std::string_view::npos) return true;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return false;
}

}  // namespace

std::vector<const Migration*> Plan::ForComponent(const std::string& component) const {
  std::vector<const Migration*> out;
  for (const auto& m : migrations) {
    if (m.component == component) out.push_back(&m);
  }
  return out;
}

Result<Plan> BuildPlan(const std::vector<EmbeddedFile>& files, const std::vector<std::string>& component_order) {
  static const std::regex kVersioned(R"(^V(\d{4})__([a-z0-9_]+)(\.down|\.verify)?\.sql$)");
  static const std::regex kRepeatable(R"(^R__([a-z0-9_]+)(\.down)?\.sql$)");
  std::map<std::pair<std::string, std::string>, Migration> by_key;  // (component, name)
  std::map<std::pair<std::string, int>, std::string> versions;
  for (const auto& f : files) {
    std::string file(f.name);
    std::string component(f.component);
    std::smatch m;
    if (std::regex_match(file, m, kVersioned)) {
      int version = std::stoi(m[1]);
      std::string name = fmt::format("V{}__{}", m[1].str(), m[2].str());
      auto [it, inserted] = versions.emplace(std::pair{component, version}, name);
      if (!inserted && it->second != name)
        return std::unexpected(
            PlanError(fmt::format("{}: version {} used twice ({} and {})", component, version, it->second, name)));
      auto& mig = by_key[{component, name}];
      mig.component = component;
      mig.kind = Kind::kVersioned;
      mig.version = version;
      mig.name = name;
      std::string suffix = m[3];
      if (suffix.empty())
        mig.up = f.content;
      else if (suffix == ".down")
        mig.down = f.content;
      else
        mig.verify = f.content;
    } else if (std::regex_match(file, m, kRepeatable)) {
      std::string name = fmt::format("R__{}", m[1].str());
      auto& mig = by_key[{component, name}];
      mig.component = component;
      mig.kind = Kind::kRepeatable;
      mig.name = name;
      (m[2].matched ? mig.down : mig.up) = f.content;
    } else {
      return std::unexpected(PlanError(fmt::format("{}: unrecognised migration file name {}", component, file)));
    }
  }
  Plan plan;
  // The listed components first (those that have migrations), then the rest by name.
  std::vector<std::string> components;
  for (const auto& c : component_order)
    if (std::any_of(by_key.begin(), by_key.end(), [&](const auto& kv) { return kv.first.first == c; }) &&
        std::find(components.begin(), components.end(), c) == components.end())
      components.push_back(c);
  const size_t listed = components.size();
  for (const auto& [key, mig] : by_key) {
    if (std::find(components.begin(), components.end(), key.first) == components.end()) components.push_back(key.first);
  }
  std::sort(components.begin() + static_cast<long>(listed), components.end());
  // Derived objects built over every other component (the unified view) come last.
  auto derived = std::find(components.begin(), components.end(), kDerivedComponent);
  if (derived != components.end()) std::rotate(derived, derived + 1, components.end());
  for (auto& [key, mig] : by_key) {
    if (mig.up.empty())
      return std::unexpected(PlanError(fmt::format("{}: {} has no up script", mig.component, mig.name)));
    mig.no_transaction = HasHeader(mig.up, "vertice:no-transaction");
    mig.irreversible = HasHeader(mig.up, "vertice:irreversible");
    if (mig.kind == Kind::kVersioned && mig.down.empty() && !mig.irreversible)
      return std::unexpected(PlanError(
          fmt::format("{}: {} has no .down.sql and is not marked -- vertice:irreversible", mig.component, mig.name)));
    mig.checksum = Sha256Hex(mig.up + '\0' + mig.verify);
  }
  for (const auto& component : components) {
    std::vector<Migration> v, r;
    for (auto& [key, mig] : by_key) {
      if (key.first != component) continue;
      (mig.kind == Kind::kVersioned ? v : r).push_back(mig);
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
    std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (auto& m : v) plan.migrations.push_back(std::move(m));
    for (auto& m : r) plan.migrations.push_back(std::move(m));
  }
  // Components in the plan are only those that have files.
  for (const auto& c : components) {
    if (!plan.ForComponent(c).empty()) plan.components.push_back(c);
  }
  return plan;
}

}  // namespace vertice::migrate
