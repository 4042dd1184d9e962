#include "shared/report.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vertice::shared {

ReportDefinition Universal() {
  ReportDefinition def{"universal_transactions_mv",
                       "fecha",
                       {{"transaction_type", "transaction_type"}, {"vertical", "vertical"}},
                       {{"total", "sum(monto_total)"}, {"count", "count(*)"}},
                       {{"vertical", "vertical"}, {"transaction_type", "transaction_type"}}};
  def.WithDateBuckets();
  return def;
}

db::TenantScope Acme() { return {"demo", "acme", ""}; }

TEST(ReportTest, BuildsTheSeedsCaseFiveQueryWithEveryValueBound) {
  auto req = ParseReportQuery("group_by=transaction_type&measures=total,count&from=2025-01-01&sort=-total");
  ASSERT_TRUE(req);
  auto q = BuildReport(Universal(), *req, Acme());
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->sql,
            "SELECT transaction_type AS \"transaction_type\", sum(monto_total) AS \"total\", count(*) AS \"count\" "
            "FROM \"universal_transactions_mv\" WHERE tenant_id = $1 AND company_id = $2 AND \"fecha\" >= $3::date "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT $4");
  EXPECT_EQ(q->params.size(), 4u);
  EXPECT_EQ(q->params[1], "acme");
  EXPECT_EQ(q->params[2], "2025-01-01");
  EXPECT_EQ(q->columns, (std::vector<std::string>{"transaction_type", "total", "count"}));
}

TEST(ReportTest, MonthBucketsAndInFilters) {
  auto req = ParseReportQuery("group_by=month,vertical&filter.vertical=cpg,services&to=2025-12-31");
  auto q = BuildReport(Universal(), *req, Acme());
  ASSERT_TRUE(q);
  EXPECT_NE(q->sql.find("date_trunc('month', \"fecha\")::date AS \"month\""), std::string::npos);
  EXPECT_NE(q->sql.find("\"vertical\"::text = ANY($4::text[])"), std::string::npos);
  EXPECT_EQ(q->params[3], "{\"cpg\",\"services\"}");
}

TEST(ReportTest, FilterValuesWithQuotesStayValues) {
  auto req = ParseReportQuery("filter.vertical=a%22%2C%22b%27%3B%20DROP%20TABLE%20users%3B--");
  auto q = BuildReport(Universal(), *req, Acme());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->sql.find("DROP"), std::string::npos);
  // The comma splits two values; each is quoted and escaped inside the bound text[] literal.
  EXPECT_EQ(q->params[2], R"({"a\"","\"b'; DROP TABLE users;--"})");
}

TEST(ReportTest, InjectionAttemptsInIdentifiersAreRejectedNamingTheField) {
  struct Case {
    const char* query;
    const char* field;
  };
  for (const auto& c : {Case{"group_by=transaction_type%3B%20DROP%20TABLE%20users", "group_by"},
                        Case{"group_by=%22vertical%22", "group_by"}, Case{"measures=sum(monto_total)", "measures"},
                        Case{"measures=total--", "measures"}, Case{"sort=1%20desc", "sort"},
                        Case{"sort=company_id", "sort"}, Case{"filter.company_id=globex", "filter.company_id"},
                        Case{"filter.vertical%27=x", "filter.vertical'"}, Case{"group_by=tenant_id", "group_by"},
                        Case{"from=2025-01-01%27%20OR%201%3D1", "from"}, Case{"limit=100000", "limit"}}) {
    auto req = ParseReportQuery(c.query);
    ASSERT_TRUE(req) << c.query;
    auto q = BuildReport(Universal(), *req, Acme());
    ASSERT_FALSE(q) << c.query;
    EXPECT_EQ(q.error().kind, ErrorKind::kInvalidInput);
    const auto details = boost::json::serialize(q.error().details);
    EXPECT_NE(details.find(std::string("\"field\":\"") + c.field + "\""), std::string::npos)
        << c.query << " " << details;
  }
}

TEST(ReportTest, UnknownParametersAndMalformedEncodingAre400) {
  EXPECT_EQ(ParseReportQuery("group_by=vertical&company_id=globex").error().code, "unknown_field");
  EXPECT_FALSE(ParseReportQuery("group_by=%ZZ"));
  EXPECT_FALSE(ParseReportQuery("limit=ten"));
}

TEST(ReportTest, CompanyComesOnlyFromTheScope) {
  auto q = BuildReport(Universal(), *ParseReportQuery("group_by=vertical"), {"demo", "globex", ""});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->params[1], "globex");
  EXPECT_NE(q->sql.find("company_id = $2"), std::string::npos);
}

}  // namespace vertice::shared

namespace vertice::shared {

TEST(ReportTest, DayAndWeekBucketsAndDecodedValues) {
  auto req = ParseReportQuery("group_by=week&filter.transaction_type=cpg%5Fpos,invoice+x");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->filters[0].second, (std::vector<std::string>{"cpg_pos", "invoice x"}));
  auto q = BuildReport(Universal(), *req, Acme());
  ASSERT_TRUE(q);
  EXPECT_NE(q->sql.find("date_trunc('week', \"fecha\")::date AS \"week\""), std::string::npos);
  auto day = BuildReport(Universal(), *ParseReportQuery("group_by=day&measures=count"), Acme());
  EXPECT_NE(day->sql.find("\"fecha\"::date AS \"day\""), std::string::npos);
}

TEST(ReportTest, ReversedDateRangeAndEmptyMeasuresAre400) {
  auto reversed = BuildReport(Universal(), *ParseReportQuery("from=2025-12-31&to=2025-01-01"), Acme());
  ASSERT_FALSE(reversed);
  EXPECT_NE(boost::json::serialize(reversed.error().details).find("\"field\":\"to\""), std::string::npos);
  ReportDefinition empty{"universal_transactions_mv", "fecha", {}, {}, {}};
  EXPECT_FALSE(BuildReport(empty, ReportRequest{}, Acme()));
}

TEST(ReportTest, ARangeSourceGetsTheBoundDatesAsArgumentsAndNoDateCondition) {
  ReportDefinition def{"revenue_rollup", "fecha", {{"vertical", "vertical"}}, {{"total", "sum(total)"}}, {}};
  def.source_takes_range = true;
  def.having = "sum(count) <> 0";
  def.WithDateBuckets();
  auto q = BuildReport(def, *ParseReportQuery("group_by=vertical&from=2025-01-15"), Acme());
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->sql,
            "SELECT vertical AS \"vertical\", sum(total) AS \"total\" FROM \"revenue_rollup\"($3::date, NULL::date, "
            "false) AS r WHERE tenant_id = $1 AND company_id = $2 GROUP BY 1 HAVING sum(count) <> 0 ORDER BY 1 "
            "LIMIT $4");
  EXPECT_EQ(q->params[2], "2025-01-15");
  // A day or week grouping asks the source for day rows.
  auto weekly = BuildReport(def, *ParseReportQuery("group_by=week&to=2025-03-31"), Acme());
  ASSERT_TRUE(weekly);
  EXPECT_NE(weekly->sql.find("\"revenue_rollup\"(NULL::date, $3::date, true)"), std::string::npos);
}

}  // namespace vertice::shared
