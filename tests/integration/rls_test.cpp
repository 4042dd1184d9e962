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

}  // namespace vertice
