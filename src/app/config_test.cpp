#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace vertice::app {

namespace {
std::function<const char*(const char*)> FakeEnv(const std::map<std::string, std::string>& env) {
  return [env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}
}  // namespace

TEST(ConfigTest, FlagsBeatEnvironmentWhichBeatsTheFile) {
  std::string path = ::testing::TempDir() + "/vertice-config-test.toml";
  std::ofstream(path) << "listen = \"127.0.0.1:7000\"\npool_size = 4\nthreads = 3\nlog_level = \"warn\"\n";
  auto c = LoadConfig(path, {{"listen", "127.0.0.1:9000"}},
                      FakeEnv({{"VERTICE_POOL_SIZE", "8"}, {"VERTICE_LISTEN", "127.0.0.1:8000"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen, "127.0.0.1:9000");  // flag
  EXPECT_EQ(c->pool_size, 8);              // environment
  EXPECT_EQ(c->threads, 3);                // file
  EXPECT_EQ(c->log_level, "warn");
  std::remove(path.c_str());
}

TEST(ConfigTest, DatabaseUrlFromEnvironmentAndAdminDefaultsToIt) {
  auto c = LoadConfig(std::nullopt, {}, FakeEnv({{"DATABASE_URL", "postgresql://app@db/v"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->database_url, "postgresql://app@db/v");
  EXPECT_EQ(c->admin_database_url, "postgresql://app@db/v");
  EXPECT_GE(c->threads, 1);
}

TEST(ConfigTest, RejectsUnknownKeysAndBadValuesWithTheirSource) {
  auto bad = LoadConfig(std::nullopt, {}, FakeEnv({{"VERTICE_POOL_SIZE", "lots"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("VERTICE_POOL_SIZE"), std::string::npos);
  std::string path = ::testing::TempDir() + "/vertice-config-bad.toml";
  std::ofstream(path) << "colour = \"blue\"\n";
  auto unknown = LoadConfig(path, {}, FakeEnv({}));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("colour"), std::string::npos);
  std::remove(path.c_str());
}

TEST(ConfigTest, RefreshSchedulesAreCronExpressionsCheckedAtLoad) {
  std::string path = ::testing::TempDir() + "/vertice-config-cron.toml";
  std::ofstream(path) << "refresh_schedule = \"30 * * * *\"\nleader_lease_seconds = 5\n"
                         "[schedules]\n\"services.monthly_billing\" = \"0 6 * * *\"\n";
  auto c = LoadConfig(path, {}, FakeEnv({{"VERTICE_REFRESH_EVENTS_SCHEDULE", "*/2 * * * *"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->refresh_schedule, "30 * * * *");
  EXPECT_EQ(c->refresh_events_schedule, "*/2 * * * *");
  EXPECT_EQ(c->leader_lease_seconds, 5);
  EXPECT_EQ(c->schedules.at("services.monthly_billing"), "0 6 * * *");
  EXPECT_EQ(c->listen_database_url, c->database_url);
  auto bad = LoadConfig(std::nullopt, {}, FakeEnv({{"VERTICE_REFRESH_SCHEDULE", "every hour"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("VERTICE_REFRESH_SCHEDULE"), std::string::npos) << bad.error().message;
  std::ofstream(path) << "[schedules]\n\"services.monthly_billing\" = \"61 * * * *\"\n";
  auto bad_job = LoadConfig(path, {}, FakeEnv({}));
  ASSERT_FALSE(bad_job);
  EXPECT_NE(bad_job.error().message.find("schedules.services.monthly_billing"), std::string::npos);
  std::remove(path.c_str());
}

TEST(ConfigTest, BehindPgBouncerPreparedStatementsAreOffAndListenIsDirect) {
  auto c = LoadConfig(std::nullopt, {{"db_pooler", "pgbouncer"}},
                      FakeEnv({{"DATABASE_URL", "postgresql://app@127.0.0.1:6432/v"},
                               {"VERTICE_LISTEN_DATABASE_URL", "postgresql://app@127.0.0.1:5432/v"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->db_prepared_statements);
  EXPECT_EQ(c->listen_database_url, "postgresql://app@127.0.0.1:5432/v");
  auto no_listen = LoadConfig(std::nullopt, {{"db_pooler", "pgbouncer"}},
                              FakeEnv({{"DATABASE_URL", "postgresql://app@127.0.0.1:6432/v"}}));
  ASSERT_FALSE(no_listen);
  EXPECT_NE(no_listen.error().message.find("listen_database_url"), std::string::npos) << no_listen.error().message;
  auto prepared = LoadConfig(std::nullopt, {{"db_pooler", "pgbouncer"}, {"db_prepared_statements", "true"}},
                             FakeEnv({{"DATABASE_URL", "postgresql://app@127.0.0.1:6432/v"},
                                      {"VERTICE_LISTEN_DATABASE_URL", "postgresql://app@127.0.0.1:5432/v"}}));
  ASSERT_FALSE(prepared);
  EXPECT_NE(prepared.error().message.find("db_prepared_statements"), std::string::npos);
  auto unknown = LoadConfig(std::nullopt, {{"db_pooler", "pgpool"}}, FakeEnv({}));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("--db_pooler"), std::string::npos) << unknown.error().message;
  EXPECT_TRUE(LoadConfig(std::nullopt, {}, FakeEnv({}))->db_prepared_statements);
}

TEST(ConfigTest, CsvStatementProfilesAreReadAndCheckedAtLoad) {
  std::string path = ::testing::TempDir() + "/vertice-config-csv.toml";
  std::ofstream(path) << "[csv_profiles.banorte-empresas]\n"
                         "encoding = \"latin-1\"\ndelimiter = \";\"\nskip_rows = 3\ndate_format = \"%d/%m/%Y\"\n"
                         "sign = \"debit_credit\"\ndate = [\"Fecha de operación\", \"Fecha\"]\n"
                         "description = [\"Concepto\"]\ndebit = \"Retiros\"\ncredit = \"Depósitos\"\n"
                         "thousands_separator = \"\"\n";
  auto c = LoadConfig(path, {}, FakeEnv({}));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->csv_profiles.size(), 1u);
  const auto& p = c->csv_profiles.front();
  EXPECT_EQ(p.name, "banorte-empresas");
  EXPECT_EQ(p.encoding, bank::CsvEncoding::kLatin1);
  EXPECT_EQ(p.delimiter, ';');
  EXPECT_EQ(p.skip_rows, 3);
  EXPECT_EQ(p.sign, bank::CsvSign::kDebitCredit);
  EXPECT_EQ(p.date.size(), 2u);
  EXPECT_EQ(p.thousands_separator, '\0');
  // A debit/credit profile without its columns, and an unknown key, are refused with the key.
  std::ofstream(path) << "[csv_profiles.x]\ndate = \"Fecha\"\nsign = \"debit_credit\"\n";
  auto missing = LoadConfig(path, {}, FakeEnv({}));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("csv_profiles.x.debit"), std::string::npos) << missing.error().message;
  std::ofstream(path) << "[csv_profiles.x]\ndate = \"Fecha\"\namount = \"Importe\"\ncolour = \"red\"\n";
  auto unknown = LoadConfig(path, {}, FakeEnv({}));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("csv_profiles.x.colour"), std::string::npos) << unknown.error().message;
  std::remove(path.c_str());
}

TEST(ConfigTest, ReconciliationThresholdAndMargin) {
  auto c = LoadConfig(std::nullopt, {}, FakeEnv({{"VERTICE_RECON_AUTO_THRESHOLD", "9.5"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_DOUBLE_EQ(c->recon_auto_threshold, 9.5);
  EXPECT_DOUBLE_EQ(c->recon_auto_margin, 3.0);
  auto bad = LoadConfig(std::nullopt, {}, FakeEnv({{"VERTICE_RECON_AUTO_MARGIN", "mucho"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("VERTICE_RECON_AUTO_MARGIN"), std::string::npos);
}

TEST(ConfigTest, TrustedProxiesFromTheFileOrTheEnvironmentAndNothingElse) {
  EXPECT_TRUE(LoadConfig(std::nullopt, {}, FakeEnv({}))->trusted_proxies.empty());  // trust nobody by default
  std::string path = ::testing::TempDir() + "/vertice-config-proxies.toml";
  std::ofstream(path) << "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n";
  auto file = LoadConfig(path, {}, FakeEnv({}));
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  auto env = LoadConfig(path, {}, FakeEnv({{"VERTICE_TRUSTED_PROXIES", "127.0.0.1, 192.168.0.0/16"}}));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->trusted_proxies.size(), 2u);
  auto bad = LoadConfig(std::nullopt, {}, FakeEnv({{"VERTICE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("proxy.internal"), std::string::npos) << bad.error().message;
  std::remove(path.c_str());
}

TEST(ConfigTest, DsnPasswordsAreRedacted) {
  EXPECT_EQ(RedactDsn("postgresql://vertice_app:s3cret@127.0.0.1:5432/vertice"),
            "postgresql://vertice_app:***@127.0.0.1:5432/vertice");
  EXPECT_EQ(RedactDsn("host=db user=app password=s3cret dbname=v"), "host=db user=app password=*** dbname=v");
  EXPECT_EQ(RedactDsn("postgresql://app@db/v"), "postgresql://app@db/v");
}

}  // namespace vertice::app
