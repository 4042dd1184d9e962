#include "migrate/plan.hpp"

#include <gtest/gtest.h>

namespace vertice::migrate {

TEST(PlanTest, EmbeddedMigrationsFormAValidPlanWithCoreFirst) {
  auto plan = BuildPlan(EmbeddedMigrations());
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_FALSE(plan->migrations.empty());
  EXPECT_EQ(plan->components.front(), "core");
  for (const auto& m : plan->migrations) {
    if (m.kind == Kind::kVersioned) {
      EXPECT_TRUE(!m.down.empty() || m.irreversible) << m.name;
    }
    EXPECT_EQ(m.checksum.size(), 64u);
  }
}

TEST(PlanTest, VersionedRunBeforeRepeatableInVersionOrder) {
  std::vector<EmbeddedFile> files = {
      {"core", "R__views.sql", "SELECT 1;"},      {"core", "V0002__b.sql", "SELECT 2;"},
      {"core", "V0002__b.down.sql", "SELECT 2;"}, {"core", "V0001__a.sql", "SELECT 1;"},
      {"core", "V0001__a.down.sql", "SELECT 1;"}, {"cpg", "V0001__x.sql", "SELECT 1;"},
      {"cpg", "V0001__x.down.sql", "SELECT 1;"},
  };
  auto plan = BuildPlan(files);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->migrations.size(), 4u);
  EXPECT_EQ(plan->migrations[0].name, "V0001__a");
  EXPECT_EQ(plan->migrations[1].name, "V0002__b");
  EXPECT_EQ(plan->migrations[2].name, "R__views");
  EXPECT_EQ(plan->migrations[3].component, "cpg");
}

TEST(PlanTest, RefusesMissingDownUnlessIrreversible) {
  auto missing = BuildPlan({{"core", "V0001__a.sql", "SELECT 1;"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "migrate.invalid_plan");
  auto irreversible = BuildPlan({{"core", "V0001__a.sql", "-- vertice:irreversible\nSELECT 1;"}});
  ASSERT_TRUE(irreversible);
  EXPECT_TRUE(irreversible->migrations[0].irreversible);
}

TEST(PlanTest, RefusesDuplicateVersionsAndBadNames) {
  EXPECT_FALSE(BuildPlan({{"core", "V0001__a.sql", "x"},
                          {"core", "V0001__a.down.sql", "x"},
                          {"core", "V0001__b.sql", "x"},
                          {"core", "V0001__b.down.sql", "x"}}));
  EXPECT_FALSE(BuildPlan({{"core", "001_init.sql", "x"}}));
}

TEST(PlanTest, ChecksumCoversUpAndVerifyButNotDown) {
  auto a = BuildPlan({{"core", "V0001__a.sql", "SELECT 1;"}, {"core", "V0001__a.down.sql", "x"}});
  auto b = BuildPlan({{"core", "V0001__a.sql", "SELECT 1; "}, {"core", "V0001__a.down.sql", "x"}});
  auto c = BuildPlan({{"core", "V0001__a.sql", "SELECT 1;"}, {"core", "V0001__a.down.sql", "y"}});
  auto d = BuildPlan({{"core", "V0001__a.sql", "SELECT 1;"},
                      {"core", "V0001__a.down.sql", "x"},
                      {"core", "V0001__a.verify.sql", "SELECT 1;"}});
  EXPECT_NE(a->migrations[0].checksum, b->migrations[0].checksum);
  EXPECT_EQ(a->migrations[0].checksum, c->migrations[0].checksum);
  EXPECT_NE(a->migrations[0].checksum, d->migrations[0].checksum);
}

TEST(PlanTest, NoTransactionHeaderIsRecognised) {
  auto plan = BuildPlan(
      {{"core", "V0001__idx.sql", "-- vertice:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);"},
       {"core", "V0001__idx.down.sql", "DROP INDEX IF EXISTS i;"}});
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->migrations[0].no_transaction);
}

}  // namespace vertice::migrate
