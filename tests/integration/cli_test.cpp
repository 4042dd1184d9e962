// The operator's command line, end to end against a real database: what an operator types to set
// up a company (tenant, company, user, API key, bank account), import a statement, reconcile,
// export, refresh the unified view and check migrations — each command's exit code, output and
// effect. The net under any change to src/app.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/test_database.hpp"

namespace vertice::testing {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VERTICE_REQUIRE_DATABASE();
    db_ = TestDatabase::Create();
    dir_ = fs::temp_directory_path() / ("vertice-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `vertice <args>` with the test database's URLs (and `env`), bounded by a timeout.
  CliResult Run(const std::vector<std::string>& args, const std::string& env = "") const {
    const char* bin = std::getenv("VERTICE_BIN");
    if (bin == nullptr) return {127, "VERTICE_BIN is not set"};
    std::string cmd = "DATABASE_URL=" + Quote(db_->AppUrl()) + " VERTICE_ADMIN_DATABASE_URL=" + Quote(db_->OwnerUrl()) +
                      " " + env + " timeout 120 " + Quote(bin);
    for (const auto& a : args) cmd += " " + Quote(a);
    cmd += " 2>&1";
    CliResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }
  std::string Value(const std::string& sql, const std::vector<std::string>& params = {}) const {
    return SqlValue(db_->OwnerUrl(), sql, params);
  }

  std::unique_ptr<TestDatabase> db_;
  fs::path dir_;
};

TEST_F(CliTest, AnOperatorSetsUpACompanyImportsAStatementAndReconciles) {
  auto ok = [&](const std::vector<std::string>& args, const std::string& env = "") {
    auto r = Run(args, env);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ":\n" << r.output;
    return r.output;
  };
  ok({"tenant", "create", "--id", "t1", "--name", "Tenant Uno"});
  ok({"company", "create", "--tenant", "t1", "--id", "c1", "--name", "Uno SA de CV", "--rfc", "AAA010101AAA"});
  ok({"user", "create", "--company", "c1", "--email", "cfo@uno.mx", "--role", "cfo"},
     "VERTICE_PASSWORD=una-clave-larga-1");
  EXPECT_EQ(Value("SELECT role FROM memberships m JOIN users u USING (user_id) WHERE u.email = 'cfo@uno.mx'"), "cfo");
  // The same person in a second company of the tenant, with another role.
  ok({"company", "create", "--tenant", "t1", "--id", "c2", "--name", "Dos SA de CV", "--rfc", "AAA010101AAA"});
  ok({"user", "add", "--email", "CFO@uno.mx", "--company", "c2", "--role", "owner"});
  EXPECT_EQ(Value("SELECT string_agg(company_id || ':' || role, ',' ORDER BY company_id) FROM memberships m "
                  "JOIN users u USING (user_id) WHERE u.email = 'cfo@uno.mx'"),
            "c1:cfo,c2:owner");

  const auto key_out = ok({"apikey", "create", "--company", "c1", "--name", "Caja 1", "--role", "cashier"});
  EXPECT_EQ(Value("SELECT count(*) FROM api_keys WHERE company_id = 'c1' AND revoked_at IS NULL"), "1");
  const std::string key_id = Value("SELECT api_key_id::text FROM api_keys WHERE company_id = 'c1'");
  EXPECT_EQ(key_out.find(Value("SELECT key_hash FROM api_keys WHERE company_id = 'c1'")), std::string::npos)
      << "the key is shown, never its hash";
  ok({"apikey", "revoke", "--id", key_id});
  EXPECT_EQ(Value("SELECT count(*) FROM api_keys WHERE company_id = 'c1' AND revoked_at IS NULL"), "0");

  ok({"bank", "account", "create", "--company", "c1", "--clabe", "072180001234567897", "--name", "Banorte"});
  const std::string account = Value("SELECT account_id::text FROM bank_accounts WHERE company_id = 'c1'");
  ASSERT_FALSE(account.empty());

  const fs::path csv = dir_ / "enero.csv";
  std::ofstream(csv) << "id,date,description,reference,amount,balance\n"
                        "m1,2024-01-02,SPEI RECIBIDO CLIENTE A,,1500.00,1500.00\n"
                        "m2,2024-01-03,COMISION SPEI,,-5.80,1494.20\n";
  ok({"import", "statement", "--company", "c1", "--account", account, csv.string()});
  EXPECT_EQ(Value("SELECT count(*) FROM bank_movements WHERE company_id = 'c1'"), "2");
  ok({"import", "statement", "--company", "c1", "--account", account, csv.string()});  // idempotent
  EXPECT_EQ(Value("SELECT count(*) FROM bank_movements WHERE company_id = 'c1'"), "2");

  ok({"recon", "run", "--company", "c1"});
  EXPECT_EQ(Value("SELECT count(*) FROM reconciliation_runs WHERE company_id = 'c1'"), "1");
  const fs::path predictions = dir_ / "predictions.json";
  ok({"recon", "export", "--company", "c1", "-o", predictions.string()});
  std::ifstream in(predictions);
  const std::string exported((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(exported.find("\"movements\""), std::string::npos) << exported;

  ok({"refresh", "--company", "c1"});
  ok({"migrate", "status"});
  ok({"migrate", "verify"});
}

TEST_F(CliTest, MistakesAreExplainedWithAUsageExitCode) {
  auto unknown = Run({"import", "statement", "--company", "nadie", (dir_ / "x.csv").string()});
  EXPECT_NE(unknown.exit_code, 0);
  auto user = Run({"user", "create", "--company", "nadie", "--email", "x@y.mx"}, "VERTICE_PASSWORD=una-clave-larga-1");
  EXPECT_EQ(user.exit_code, 2) << user.output;
  EXPECT_NE(user.output.find("no existe la empresa nadie"), std::string::npos) << user.output;
  auto no_password = Run({"user", "create", "--email", "x@y.mx", "--tenant", "t1"});
  EXPECT_EQ(no_password.exit_code, 2) << no_password.output;
  auto stranger = Run({"user", "add", "--email", "nadie@x.mx", "--company", "c1", "--role", "viewer"});
  EXPECT_NE(stranger.exit_code, 0) << stranger.output;
  EXPECT_NE(stranger.output.find("nadie@x.mx"), std::string::npos) << stranger.output;
  auto nothing = Run({});
  EXPECT_NE(nothing.exit_code, 0);
}

}  // namespace
}  // namespace vertice::testing
