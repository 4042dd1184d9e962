// Migrations on an empty database: up → verify → down to 0 → up, edits refused, and two
// runners at once apply each migration exactly once.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "db/run_sync.hpp"
#include "migrate/runner.hpp"
#include "tests/support/test_database.hpp"

namespace vertice::migrate {

using testing::SqlValue;

namespace {

Result<int> RunUp(const std::string& url, const Plan& plan) {
  return db::RunSync<Result<int>>([&](boost::asio::any_io_executor ex) -> db::Task<Result<int>> {
    auto conn = co_await db::Connection::Connect(ex, url, std::chrono::seconds(5));
    if (!conn) co_return std::unexpected(conn.error());
    Runner runner(**conn, plan, [](const std::string&) {});
    co_return co_await runner.Up();
  });
}

template <typename Fn>
auto WithRunner(const std::string& url, const Plan& plan, Fn fn) {
  using R = typename decltype(fn(std::declval<Runner&>()))::value_type;
  return db::RunSync<R>([&](boost::asio::any_io_executor ex) -> db::Task<R> {
    auto conn = co_await db::Connection::Connect(ex, url, std::chrono::seconds(5));
    if (!conn) co_return std::unexpected(conn.error());
    Runner runner(**conn, plan, [](const std::string&) {});
    co_return co_await fn(runner);
  });
}

std::string PublicTables(const std::string& url) {
  return SqlValue(
      url,
      "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables WHERE schemaname = 'public'");
}

}  // namespace

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VERTICE_REQUIRE_DATABASE();
    db_ = testing::TestDatabase::Create(/*empty_database=*/true);
    auto plan = BuildPlan(EmbeddedMigrations());
    ASSERT_TRUE(plan);
    plan_ = *plan;
  }
  std::unique_ptr<testing::TestDatabase> db_;
  Plan plan_;
};

TEST_F(MigrationsTest, UpVerifyDownUpOnAnEmptyDatabase) {
  auto up = RunUp(db_->OwnerUrl(), plan_);
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(*up, static_cast<int>(plan_.migrations.size()));
  EXPECT_EQ(*RunUp(db_->OwnerUrl(), plan_), 0) << "a second up must do nothing";

  auto verified = WithRunner(db_->OwnerUrl(), plan_, [](Runner& r) { return r.Verify(); });
  EXPECT_TRUE(verified) << verified.error().message;

  // Core cannot go while a component built on it is applied; in reverse order, everything goes.
  auto refused = WithRunner(db_->OwnerUrl(), plan_, [](Runner& r) { return r.Down("core", 0); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "migrate.dependents_applied");
  for (auto it = plan_.components.rbegin(); it != plan_.components.rend(); ++it) {
    auto component = *it;
    auto down = WithRunner(db_->OwnerUrl(), plan_, [component](Runner& r) { return r.Down(component, 0); });
    ASSERT_TRUE(down) << component << ": " << down.error().message;
  }
  EXPECT_EQ(PublicTables(db_->OwnerUrl()), "schema_migrations");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM schema_migrations"), "0");

  auto again = RunUp(db_->OwnerUrl(), plan_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, static_cast<int>(plan_.migrations.size()));
}

TEST_F(MigrationsTest, EditingAnAppliedMigrationIsRefusedAndChangesNothing) {
  ASSERT_TRUE(RunUp(db_->OwnerUrl(), plan_));
  Plan edited = plan_;
  edited.migrations.front().up += "\n-- an innocent-looking edit\n";
  edited.migrations.front().checksum =
      Sha256Hex(edited.migrations.front().up + '\0' + edited.migrations.front().verify);
  auto before =
      SqlValue(db_->OwnerUrl(), "SELECT string_agg(name || checksum, ',' ORDER BY name) FROM schema_migrations");
  auto result = RunUp(db_->OwnerUrl(), edited);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "migrate.checksum_mismatch");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT string_agg(name || checksum, ',' ORDER BY name) FROM schema_migrations"),
            before);
}

TEST_F(MigrationsTest, AFailingVerifyLeavesNothingBehind) {
  Plan broken;
  broken.components = {"core"};
  Migration m;
  m.component = "core";
  m.name = "V0001__half";
  m.version = 1;
  m.up = "CREATE TABLE half_done (id int);";
  m.down = "DROP TABLE half_done;";
  m.verify = "DO $$ BEGIN RAISE EXCEPTION 'verify says no'; END $$;";
  m.checksum = Sha256Hex(m.up + '\0' + m.verify);
  broken.migrations.push_back(m);
  auto result = RunUp(db_->OwnerUrl(), broken);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "migrate.verify_failed");
  EXPECT_EQ(PublicTables(db_->OwnerUrl()), "schema_migrations");
}

TEST_F(MigrationsTest, TwoConcurrentRunnersApplyEachMigrationOnce) {
  boost::asio::io_context ioc;
  auto run = [&]() -> db::Task<Result<int>> {
    auto conn = co_await db::Connection::Connect(ioc.get_executor(), db_->OwnerUrl(), std::chrono::seconds(5));
    if (!conn) co_return std::unexpected(conn.error());
    Runner runner(**conn, plan_, [](const std::string&) {});
    co_return co_await runner.Up();
  };
  auto a = boost::asio::co_spawn(ioc, run(), boost::asio::use_future);
  auto b = boost::asio::co_spawn(ioc, run(), boost::asio::use_future);
  ioc.run();
  auto ra = a.get(), rb = b.get();
  ASSERT_TRUE(ra) << ra.error().message;
  ASSERT_TRUE(rb) << rb.error().message;
  EXPECT_EQ(*ra + *rb, static_cast<int>(plan_.migrations.size()));
  EXPECT_TRUE(*ra == 0 || *rb == 0);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM schema_migrations"),
            std::to_string(plan_.migrations.size()));
}

}  // namespace vertice::migrate
