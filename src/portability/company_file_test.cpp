// The company file's header and last line: what import trusts before it reads a row.
#include "portability/company_file.hpp"

#include <gtest/gtest.h>

#include "core/digest.hpp"

namespace vertice::portability {
namespace {

Header Sample() {
  Header h;
  h.vertice_version = "0.1.0 (abc1234)";
  h.exported_at = "2026-12-04T04:00:00Z";
  h.tenant_id = "demo";
  h.tenant_name = "Demo";
  h.company_id = "acme";
  h.legal_name = "Acme Distribuciones SA de CV";
  h.migrations = {{"core", 1}, {"core", 2}, {"cpg", 1}};
  h.tables = {{"companies", 1, "aa", TableMode::kCompany}, {"users", 3, "bb", TableMode::kMerge}};
  return h;
}

TEST(CompanyFileTest, TheHeaderReadsBackAsWritten) {
  const auto line = HeaderLine(Sample());
  ASSERT_TRUE(line.ends_with("\n"));
  auto h = ParseHeader(line);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->company_id, "acme");
  EXPECT_EQ(h->tenant_name, "Demo");
  EXPECT_EQ(h->migrations, Sample().migrations);
  ASSERT_EQ(h->tables.size(), 2u);
  EXPECT_EQ(h->tables[1].name, "users");
  EXPECT_EQ(h->tables[1].rows, 3);
  EXPECT_EQ(h->tables[1].mode, TableMode::kMerge);
}

TEST(CompanyFileTest, AnythingButAVersionOneCompanyFileIsRefused) {
  EXPECT_FALSE(ParseHeader("not json"));
  EXPECT_FALSE(ParseHeader(R"({"format":"something-else","format_version":1})"));
  auto later = HeaderLine(Sample());
  later.replace(later.find("\"format_version\":1"), 18, "\"format_version\":2");
  auto r = ParseHeader(later);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("format_version is 2"), std::string::npos) << r.error().message;
  auto no_rows = HeaderLine(Sample());
  no_rows.replace(no_rows.find("\"rows\":1"), 8, "\"rows\":-1");
  EXPECT_FALSE(ParseHeader(no_rows));
}

TEST(CompanyFileTest, TheLastLineIsToldApartFromRows) {
  auto t = ParseTrailer(TrailerLine(42, "ab12"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->rows, 42);
  EXPECT_EQ(t->sha256, "ab12");
  EXPECT_FALSE(ParseTrailer(R"({"table":"end","row":{}})"));
}

TEST(CompanyFileTest, ATableChecksumIgnoresRowOrderButNotContent) {
  const std::string a(32, 'a'), b(32, 'b');
  EXPECT_EQ(TableChecksum({a, b}), TableChecksum({b, a}));
  EXPECT_EQ(TableChecksum({a, b}), Sha256Hex(a + b));
  EXPECT_NE(TableChecksum({a, b}), TableChecksum({a, a}));
  EXPECT_EQ(TableChecksum({}), Sha256Hex(""));
}

TEST(CompanyFileTest, TheRunningDigestIsTheDigestOfEverythingFedToIt) {
  RunningDigest d;
  d.Update("hola ");
  d.Update("mundo\n");
  EXPECT_EQ(d.Hex(), Sha256Hex("hola mundo\n"));
}

}  // namespace
}  // namespace vertice::portability
