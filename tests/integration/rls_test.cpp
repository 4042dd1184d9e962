// Row-level security is the second line of tenant isolation: even a query that forgets the
// company filter, or runs without the per-transaction settings, sees nothing it should not.
#include <gtest/gtest.h>

#include "admin/admin.hpp"
#include "auth/crypto.hpp"
#include "db/run_sync.hpp"
#include "tests/support/test_database.hpp"

namespace vertice {

using testing::Sql;
using testing::SqlValue;

class RlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::DatabaseAvailable()) return;
    auth::InitCrypto();
    db_ = testing::TestDatabase::Create().release();
    auto st = db::RunSync<Status>([](boost::asio::any_io_executor ex) -> db::Task<Status> {
      auto conn = co_await db::Connection::Connect(ex, db_->OwnerUrl(), std::chrono::seconds(5));
      if (!conn) co_return std::unexpected(conn.error());
      co_return co_await admin::LoadDemo(**conn, true);
    });
    ASSERT_TRUE(st) << st.error().internal;
  }
  static void TearDownTestSuite() { delete db_; }
  void SetUp() override { VERTICE_REQUIRE_DATABASE(); }

  // Runs statements as the server's role inside one transaction with the given settings.
  static std::string AsApp(const std::string& tenant, const std::string& company, const std::string& query) {
    return SqlValue(
        db_->AppUrl(),
        "WITH s AS (SELECT set_config('vertice.tenant_id', $1, true), set_config('vertice.company_id', $2, true)) "
        "SELECT (" +
            query + ") FROM s",
        {tenant, company});
  }
  static inline testing::TestDatabase* db_ = nullptr;
};

TEST_F(RlsTest, WithoutTheSettingTheServerRoleSeesNoRows) {
  ASSERT_GT(std::stoi(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM companies")), 0);
  for (const char* table : {"tenants", "companies", "users", "memberships", "api_keys", "audit_log"}) {
    EXPECT_EQ(SqlValue(db_->AppUrl(), std::string("SELECT count(*) FROM ") + table), "0") << table;
  }
}

TEST_F(RlsTest, TheSettingShowsOnlyThatTenantAndCompany) {
  EXPECT_EQ(AsApp("demo", "acme", "SELECT count(*) FROM companies"), "2");
  EXPECT_EQ(AsApp("other", "", "SELECT count(*) FROM companies"), "0");
  EXPECT_EQ(AsApp("demo", "acme", "SELECT count(*) FROM audit_log WHERE company_id = 'globex'"), "0");
  EXPECT_GT(std::stoi(AsApp("demo", "acme", "SELECT count(*) FROM audit_log")), 0);
}

TEST_F(RlsTest, TheServerRoleCannotWriteIntoAnotherCompany) {
  auto user = SqlValue(db_->OwnerUrl(), "SELECT user_id FROM users WHERE email = 'cfo@acme.mx'");
  const auto globex_members = SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM memberships WHERE company_id = 'globex'");
  EXPECT_THROW(Sql(db_->AppUrl(),
                   "WITH s AS (SELECT set_config('vertice.tenant_id', 'demo', true), set_config('vertice.company_id', "
                   "'acme', true)) "
                   "INSERT INTO memberships (tenant_id, company_id, user_id, role) SELECT 'demo', 'globex', $1::uuid, "
                   "'owner' FROM s",
                   {user}),
               std::runtime_error);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM memberships WHERE company_id = 'globex'"), globex_members);
}

TEST_F(RlsTest, AuditLogIsAppendOnlyAndSessionsAreUnreachable) {
  EXPECT_THROW(Sql(db_->AppUrl(), "UPDATE audit_log SET action = 'x'"), std::runtime_error);
  EXPECT_THROW(Sql(db_->AppUrl(), "DELETE FROM audit_log"), std::runtime_error);
  EXPECT_THROW(Sql(db_->OwnerUrl(), "DELETE FROM audit_log"), std::runtime_error);  // even the owner
  EXPECT_THROW(Sql(db_->AppUrl(), "SELECT count(*) FROM sessions"), std::runtime_error);
}

TEST_F(RlsTest, TheServerRoleOwnsNothing) {
  EXPECT_EQ(
      SqlValue(db_->OwnerUrl(),
               "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'vertice_app'"),
      "0");
}

// The owner-privileged functions resolve names with pg_temp last: whatever the caller creates in
// its temporary schema never stands in for a real table or function inside them.
TEST_F(RlsTest, EverySecurityDefinerFunctionSearchesPgTempLast) {
  ASSERT_GT(std::stoi(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM pg_proc WHERE prosecdef")), 10);
  auto bad = Sql(db_->OwnerUrl(),
                 "SELECT p.oid::regprocedure::text, coalesce(array_to_string(p.proconfig, ' | '), '(none)') "
                 "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                 "WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                 "  AND NOT coalesce('search_path=pg_catalog, public, pg_temp' = ANY (p.proconfig), false) "
                 "ORDER BY 1");
  std::string list;
  for (const auto& row : bad) list += row[0] + ": " + row[1] + "\n";
  EXPECT_TRUE(bad.empty()) << "SECURITY DEFINER functions without SET search_path = pg_catalog, public, pg_temp:\n"
                           << list;
}

TEST_F(RlsTest, ATemporaryTableCannotStandInForUsersInsideTheLoginLookup) {
  auto tenant = db::RunSync<Result<std::string>>([](boost::asio::any_io_executor ex) -> db::Task<Result<std::string>> {
    auto conn = co_await db::Connection::Connect(ex, db_->AppUrl(), std::chrono::seconds(5));
    if (!conn) co_return std::unexpected(conn.error());
    (*conn)->UsePreparedStatements(false);
    VERTICE_CO_TRY(co_await (*conn)->ExecuteScript(
        "CREATE TEMP TABLE users (user_id uuid, tenant_id text, email text, password_hash text, status text); "
        "INSERT INTO users VALUES (gen_random_uuid(), 'intruso', 'cfo@acme.mx', 'x', 'active')"));
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto rows, co_await (*conn)->Execute("SELECT tenant_id FROM auth_login_lookup('cfo@acme.mx', '127.0.0.1')"));
    if (rows.Size() != 1) co_return std::string("rows: ") + std::to_string(rows.Size());
    co_return rows.Str(0, "tenant_id");
  });
  ASSERT_TRUE(tenant) << tenant.error().internal;
  EXPECT_EQ(*tenant, "demo");
}

}  // namespace vertice
