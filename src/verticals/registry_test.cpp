#include "verticals/registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "migrate/embedded.hpp"
#include "verticals/company_verticals.hpp"
#include "verticals/cpg/cpg.hpp"
#include "verticals/cpg/pricing.hpp"

namespace vertice::verticals {
namespace {

VerticalManifest Minimal(std::string name, std::vector<std::string> depends = {}) {
  VerticalManifest m;
  m.name = std::move(name);
  m.version = "1.0.0";
  m.depends = std::move(depends);
  m.permissions = {{"read", {"owner"}}};
  return m;
}

VerticalRoute Route(std::string method, std::string path, std::string permission = "read") {
  return {std::move(method), std::move(path), std::move(permission),
          [](VerticalRequest&) -> db::Task<Result<http::Response>> { co_return http::Response{}; }};
}

std::string BuildError(std::vector<VerticalManifest> manifests) {
  auto r = Registry::Build(std::move(manifests));
  return r ? "" : r.error().message;
}

// The build discovers verticals from folders: the registry holds exactly the folders present.
TEST(RegistryTest, HoldsExactlyTheFoldersOfSrcVerticals) {
  std::vector<std::string> on_disk;
  for (const auto& e : std::filesystem::directory_iterator(VERTICE_VERTICALS_DIR))
    if (e.is_directory() && std::filesystem::exists(e.path() / "CMakeLists.txt"))
      on_disk.push_back(e.path().filename().string());
  std::sort(on_disk.begin(), on_disk.end());
  auto folders = DiscoveredFolders();
  std::sort(folders.begin(), folders.end());
  EXPECT_EQ(folders, on_disk);
  auto registry = Registry::Discover();
  ASSERT_TRUE(registry) << registry.error().message;
  std::vector<std::string> names;
  for (const auto& v : registry->Verticals()) names.push_back(v.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, on_disk);
  for (const auto& v : registry->Verticals()) {
    EXPECT_FALSE(v.contribution_sql.empty()) << v.name << " has no sql/universal_contribution.sql";
    EXPECT_FALSE(v.routes.empty()) << v.name;
  }
}

TEST(RegistryTest, RefusesDuplicateNamesUnknownDependenciesAndCycles) {
  EXPECT_NE(BuildError({Minimal("cpg"), Minimal("cpg")}).find("two verticals are named 'cpg'"), std::string::npos);
  EXPECT_NE(BuildError({Minimal("cpg", {"erp"})}).find("depends on unknown vertical 'erp'"), std::string::npos);
  EXPECT_NE(BuildError({Minimal("a", {"b"}), Minimal("b", {"a"})}).find("circular dependency"), std::string::npos);
  EXPECT_EQ(BuildError({Minimal("a"), Minimal("b", {"a"})}), "");
}

TEST(RegistryTest, OrdersVerticalsAfterTheirDependencies) {
  auto r = Registry::Build({Minimal("zeta"), Minimal("alpha", {"zeta"}), Minimal("beta")});
  ASSERT_TRUE(r);
  std::vector<std::string> order;
  for (const auto& v : r->Verticals()) order.push_back(v.name);
  EXPECT_EQ(order, (std::vector<std::string>{"beta", "zeta", "alpha"}));
}

TEST(CompanyVerticalsTest, DependenciesHoldBothWays) {
  auto r = Registry::Build({Minimal("base"), Minimal("addon", {"base"})});
  ASSERT_TRUE(r);
  const auto& base = *r->Find("base");
  const auto& addon = *r->Find("addon");
  auto none = [](const std::string&) { return false; };
  auto all = [](const std::string&) { return true; };
  auto refused = CheckDependencies(*r, addon, /*enable=*/true, none);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "verticals.dependency_disabled");
  EXPECT_EQ(refused.error().details.at("requires"), "base");
  EXPECT_TRUE(CheckDependencies(*r, addon, true, all));
  auto in_use = CheckDependencies(*r, base, /*enable=*/false, all);
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().code, "verticals.required_by");
  EXPECT_TRUE(CheckDependencies(*r, base, false, [](const std::string& v) { return v == "base"; }));
  EXPECT_TRUE(CheckDependencies(*r, base, true, none)) << "a vertical without dependencies is always enabled";
}

TEST(RegistryTest, RefusesRouteCollisionsBadRoutesAndUndeclaredPermissions) {
  auto m = Minimal("cpg");
  m.routes = {Route("GET", "/pos/{id}"), Route("GET", "/pos/{code}")};
  EXPECT_NE(BuildError({m}).find("collide"), std::string::npos);
  m.routes = {Route("GET", "/pos/{id}"), Route("PATCH", "/pos/{id}")};
  EXPECT_EQ(BuildError({m}), "");
  m.routes = {Route("GET", "/pos", "sell")};
  EXPECT_NE(BuildError({m}).find("undeclared permission 'sell'"), std::string::npos);
  m.routes = {Route("GET", "pos")};
  EXPECT_NE(BuildError({m}).find("invalid route"), std::string::npos);
  m.routes = {};
  m.permissions = {{"read", {"janitor"}}};
  EXPECT_NE(BuildError({m}).find("unknown role 'janitor'"), std::string::npos);
}

TEST(RegistryTest, NameMustBeTheFolderAndContributionsNeedTransactionTypes) {
  auto m = Minimal("cpg");
  m.folder = "retail";
  EXPECT_NE(BuildError({m}).find("must be the folder's"), std::string::npos);
  m.folder = "cpg";
  m.contribution_sql = "SELECT 1";
  EXPECT_NE(BuildError({m}).find("transaction_types"), std::string::npos);
}

TEST(RegistryTest, MigrationPlanRunsCoreThenVerticalsThenTheUnifiedView) {
  auto registry = Registry::Discover();
  ASSERT_TRUE(registry);
  auto plan = registry->MigrationPlan(migrate::EmbeddedMigrations());
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_GE(plan->components.size(), 3u);
  EXPECT_EQ(plan->components.front(), "core");
  EXPECT_EQ(plan->components.back(), "universal");
  auto pos = [&](const std::string& c) {
    return std::find(plan->components.begin(), plan->components.end(), c) - plan->components.begin();
  };
  EXPECT_LT(pos("cfdi"), pos("cpg"));
  EXPECT_EQ(plan->builds_on.at("cpg"), (std::vector<std::string>{"core"}));
  auto universal = plan->ForComponent("universal");
  ASSERT_EQ(universal.size(), 1u);
  EXPECT_FALSE(universal.front()->down.empty()) << "the unified view must know how to remove itself";
  // Every registered contribution is part of the view, none edited into core SQL by hand.
  for (const auto& v : registry->Verticals())
    EXPECT_NE(universal.front()->up.find("-- vertical: " + v.name), std::string::npos) << v.name;
}

// Every (state, event) pair of the consignment machine: the allowed ones go where the business
// expects, everything else is refused with the machine's code.
TEST(CpgConsignmentMachineTest, AllowsExactlyTheBusinessTransitions) {
  const auto& machine = cpg::ConsignmentMachine();
  const std::vector<std::string> states = {"draft",   "delivered", "partially_settled",
                                           "settled", "returned",  "cancelled"};
  const std::vector<std::string> events = {"deliver", "report", "return", "settle_partial", "settle", "cancel"};
  const std::map<std::pair<std::string, std::string>, std::string> allowed = {
      {{"draft", "deliver"}, "delivered"},
      {{"draft", "cancel"}, "cancelled"},
      {{"delivered", "report"}, "delivered"},
      {{"delivered", "return"}, "returned"},
      {{"delivered", "settle_partial"}, "partially_settled"},
      {{"delivered", "settle"}, "settled"},
      {{"delivered", "cancel"}, "cancelled"},
      {{"partially_settled", "report"}, "partially_settled"},
      {{"partially_settled", "settle_partial"}, "partially_settled"},
      {{"partially_settled", "settle"}, "settled"},
  };
  for (const auto& s : states) {
    for (const auto& e : events) {
      auto t = machine.Find(s, e, "owner");
      auto it = allowed.find({s, e});
      if (it == allowed.end()) {
        ASSERT_FALSE(t) << s << " --" << e << "--> should be refused";
        EXPECT_EQ(t.error().code, "cpg.consignment.invalid_transition");
      } else {
        ASSERT_TRUE(t) << s << " --" << e << "--> should be allowed";
        EXPECT_EQ((*t)->to, it->second);
      }
    }
  }
  // Cancelling goods already at the retailer is a manager's decision.
  auto by_accountant = machine.Find("delivered", "cancel", "accountant");
  ASSERT_FALSE(by_accountant);
  EXPECT_EQ(by_accountant.error().code, "cpg.consignment.transition_not_allowed");
  EXPECT_TRUE(machine.Find("draft", "cancel", "accountant"));
}

TEST(CpgPricingTest, RoundsOncePerLineHalfUp) {
  auto q = shared::Quantity::Parse("3").value();
  auto p = shared::UnitPrice::Parse("10.505").value();
  auto line = cpg::PriceLine(q, p, shared::Rate::Parse("0.16").value());
  ASSERT_TRUE(line);
  EXPECT_EQ(line->subtotal.ToString(), "31.52");  // 31.515 → 31.52, not 3 × 10.51
  EXPECT_EQ(line->iva.ToString(), "5.04");        // 5.0432
  auto tiny = cpg::PriceLine(shared::Quantity::Parse("0.001").value(), shared::UnitPrice::Parse("4.999999").value(),
                             shared::Rate::Parse("0").value());
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->subtotal.ToString(), "0.00");  // 0.004999999: one rounding, not two
}

}  // namespace
}  // namespace vertice::verticals
