#include "shared/list.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vertice::shared {
namespace {

ListDefinition Events() {
  return {
      .source = "events e",
      .scope = "e.company_id = vertice_current_company()",
      .item = "json_build_object('id', e.id)",
      .filters = {EqualsOneOf("kind", "e.kind", {"a", "b"}), DateOnOrAfter("from", "e.day"), InList("tag", "e.tag")},
      .sorts =
          {{"-day",
            {{"e.day", KeyType::kDate, true}, {"e.source", KeyType::kText, false}, {"e.id", KeyType::kBigint, false}}},
           {"id", {{"e.id", KeyType::kBigint, false}}}},
  };
}

TEST(ListTest, ACursorRoundTripsAndNamesItsOrder) {
  const std::vector<std::string> parts{"-day", "2026-01-31", "cpg_sales", "42"};
  const auto token = EncodeCursor(parts);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << "a cursor travels in a query string as it is";
  EXPECT_EQ(DecodeCursor(token, "-day", 4), parts);
  EXPECT_FALSE(DecodeCursor(token, "id", 4)) << "a cursor of another order";
  EXPECT_FALSE(DecodeCursor(token, "-day", 2)) << "a cursor of another shape";
  for (const char* bad : {"", "garbage", "%%%", "W10", "WyJ4Il0"})  // "W10" is [], "WyJ4Il0" is ["x"]
    EXPECT_FALSE(DecodeCursor(bad, "-day", 4)) << bad;
}

TEST(ListTest, FiltersAreBoundAndTheCompanyIsAlwaysThere) {
  auto list = BuildList(Events(), "kind=a&from=2026-01-01&tag=x,y&limit=10");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_NE(list->sql.find("WHERE e.company_id = vertice_current_company() AND e.kind = $1"), std::string::npos)
      << list->sql;
  EXPECT_NE(list->sql.find("e.day >= $2::date"), std::string::npos);
  EXPECT_EQ(list->sql.find("2026-01-01"), std::string::npos) << "values are bound, never written into SQL";
  EXPECT_NE(list->sql.find("ORDER BY e.day DESC, e.source, e.id LIMIT 11"), std::string::npos) << list->sql;
  ASSERT_EQ(list->params.size(), 3u);
  EXPECT_EQ(list->params[2], "x,y");
}

TEST(ListTest, EveryRefusedParameterIsReportedAtOnce) {
  auto list = BuildList(Events(), "kind=c&from=ayer&limit=0&sort=name&color=red&after=zzz");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, ErrorKind::kInvalidInput);
  const std::string details = boost::json::serialize(list.error().details);
  for (const char* field : {"kind", "from", "limit", "sort", "color", "after"})
    EXPECT_NE(details.find(std::string("\"") + field + "\""), std::string::npos) << field;
}

TEST(ListTest, TheNextPageStartsAfterTheLastRowInEachKeysDirection) {
  auto token = EncodeCursor({"-day", "2026-01-31", "cpg_sales", "42"});
  auto list = BuildList(Events(), "after=" + token);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_NE(list->sql.find(
                "(e.day <= $1::date AND ((e.day < $1::date) OR (e.day = $1::date AND (e.source, e.id) > ($2::text, "
                "$3::bigint))))"),
            std::string::npos)
      << list->sql;
  // Keys that all descend compare as one row (an index range).
  auto by_id = BuildList(Events(), "sort=id&after=" + EncodeCursor({"id", "7"}));
  ASSERT_TRUE(by_id);
  EXPECT_NE(by_id->sql.find("((e.id > $1::bigint))"), std::string::npos) << by_id->sql;
  // A key that is not what the order's column holds is not a cursor of this list.
  EXPECT_FALSE(BuildList(Events(), "after=" + EncodeCursor({"-day", "yesterday", "t", "1"})));
  EXPECT_FALSE(BuildList(Events(), "sort=id&after=" + token)) << "a cursor of the default order";
}

TEST(ListTest, TheSelectionIgnoresPagingButNotFilters) {
  auto selection = BuildSelection(Events(), "kind=b&limit=5&after=x&sort=id");
  ASSERT_TRUE(selection);
  EXPECT_EQ(selection->where, "e.company_id = vertice_current_company() AND e.kind = $1");
  EXPECT_FALSE(BuildSelection(Events(), "kind=z"));
}

}  // namespace
}  // namespace vertice::shared
