// Verticals against a real PostgreSQL: each vertical's migrations go up → verify → down → up
// on their own (the unified view is removed and rebuilt around them), and start-up's check
// refuses a contribution whose columns do not match universal_transactions_mv.
#include <gtest/gtest.h>

#include "db/run_sync.hpp"
#include "migrate/runner.hpp"
#include "tests/support/test_database.hpp"
#include "verticals/registry.hpp"

namespace vertice::verticals {
namespace {

using testing::SqlValue;

template <typename R, typename Fn>
R WithConnection(const std::string& url, Fn fn) {
  return db::RunSync<R>([&](boost::asio::any_io_executor ex) -> db::Task<R> {
    auto conn = co_await db::Connection::Connect(ex, url, std::chrono::seconds(5));
    if (!conn) co_return std::unexpected(conn.error());
    (*conn)->UsePreparedStatements(false);
    co_return co_await fn(**conn);
  });
}

class VerticalsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VERTICE_REQUIRE_DATABASE();
    db_ = testing::TestDatabase::Create(/*empty_database=*/true);
    auto registry = Registry::Discover();
    ASSERT_TRUE(registry);
    registry_ = std::make_unique<Registry>(*registry);
    auto plan = registry_->MigrationPlan(migrate::EmbeddedMigrations());
    ASSERT_TRUE(plan) << plan.error().message;
    plan_ = *plan;
  }
  Result<int> Run(std::function<db::Task<Result<int>>(migrate::Runner&)> fn) {
    return WithConnection<Result<int>>(db_->OwnerUrl(), [&](db::Connection& conn) -> db::Task<Result<int>> {
      migrate::Runner runner(conn, plan_, [](const std::string&) {});
      co_return co_await fn(runner);
    });
  }
  std::string Tables(const std::string& prefix) {
    return SqlValue(db_->OwnerUrl(),
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1 || '%'",
                    {prefix});
  }
  std::string ViewExists() {
    return SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM pg_class WHERE relname = 'universal_transactions_mv'");
  }
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Registry> registry_;
  migrate::Plan plan_;
};

TEST_F(VerticalsIntegrationTest, EachVerticalMigratesUpVerifyDownUpOnItsOwn) {
  ASSERT_TRUE(Run([](migrate::Runner& r) { return r.Up(); }));
  for (const auto& v : registry_->Verticals()) {
    SCOPED_TRACE(v.name);
    EXPECT_NE(Tables(v.name + "_"), "0");
    auto verified = Run([](migrate::Runner& r) -> db::Task<Result<int>> {
      VERTICE_CO_TRY(co_await r.Verify());
      co_return 0;
    });
    EXPECT_TRUE(verified) << verified.error().message;
    // Down: the vertical's tables go, the unified view is removed first, other verticals stay.
    auto name = v.name;
    auto down = Run([name](migrate::Runner& r) { return r.Down(name, 0); });
    ASSERT_TRUE(down) << down.error().message;
    EXPECT_EQ(Tables(v.name + "_"), "0");
    EXPECT_EQ(ViewExists(), "0");
    for (const auto& other : registry_->Verticals()) {
      if (other.name != v.name) {
        EXPECT_NE(Tables(other.name + "_"), "0") << other.name;
      }
    }
    // Up: the vertical and the view come back, the view built from every contribution.
    auto up = Run([](migrate::Runner& r) { return r.Up(); });
    ASSERT_TRUE(up) << up.error().message;
    EXPECT_EQ(*up, static_cast<int>(plan_.ForComponent(v.name).size()) + 1);
    EXPECT_EQ(ViewExists(), "1");
    EXPECT_NE(Tables(v.name + "_"), "0");
  }
  // The view serves the seed's case 5 queries on an empty database.
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT get_company_total_revenue('acme')"), "0.00");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT count(*) FROM (SELECT transaction_type, SUM(monto_total) AS total, COUNT(*) AS count "
                     "FROM universal_transactions_mv WHERE company_id = 'acme' AND fecha >= '2025-01-01' "
                     "GROUP BY transaction_type) q"),
            "0");
}

TEST_F(VerticalsIntegrationTest, StartupRefusesAContributionThatDoesNotFitTheView) {
  ASSERT_TRUE(Run([](migrate::Runner& r) { return r.Up(); }));
  auto check = [&](std::string sql) {
    VerticalManifest m;
    m.name = "broken";
    m.version = "1.0.0";
    m.contribution_sql = std::move(sql);
    m.transaction_types = {"x"};
    auto registry = Registry::Build({m});
    EXPECT_TRUE(registry);
    return WithConnection<Status>(db_->OwnerUrl(),
                                  [&](db::Connection& conn) { return CheckContributions(conn, *registry); });
  };
  EXPECT_TRUE(
      check("SELECT company_id, tenant_id, 'x'::text AS transaction_type, 'services_billings'::text AS "
            "source_table, billing_id::text AS source_id, billed_on AS fecha, amount::numeric AS monto_total, "
            "'MXN'::text AS moneda, status, 'broken'::text AS vertical FROM services_billings"));
  auto float_money = check(
      "SELECT company_id, tenant_id, 'x'::text AS transaction_type, 'b'::text AS source_table, billing_id::text AS "
      "source_id, billed_on AS fecha, amount::float8 AS monto_total, 'MXN'::text AS moneda, status, 'b'::text AS "
      "vertical FROM services_billings");
  ASSERT_FALSE(float_money);
  EXPECT_NE(float_money.error().message.find("'monto_total'"), std::string::npos) << float_money.error().message;
  auto missing = check("SELECT company_id, tenant_id FROM services_billings");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("returns 2 columns"), std::string::npos);
  auto renamed = check(
      "SELECT company_id, tenant_id, 'x'::text AS kind, 'b'::text AS source_table, billing_id::text AS source_id, "
      "billed_on AS fecha, amount AS monto_total, 'MXN'::text AS moneda, status, 'b'::text AS vertical "
      "FROM services_billings");
  ASSERT_FALSE(renamed);
  EXPECT_NE(renamed.error().message.find("'kind'"), std::string::npos);
  // Every registered vertical passes.
  auto real = WithConnection<Status>(db_->OwnerUrl(),
                                     [&](db::Connection& conn) { return CheckContributions(conn, *registry_); });
  EXPECT_TRUE(real) << real.error().message;
}

}  // namespace
}  // namespace vertice::verticals
