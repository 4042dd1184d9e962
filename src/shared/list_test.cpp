#include "shared/list.hpp"

#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <cstring>

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

// A page of rows as libpq would hand them over: every value text, nullptr for NULL.
db::Rows RowsOf(const std::vector<std::string>& names, const std::vector<std::vector<const char*>>& values) {
  PGresult* res = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<PGresAttDesc> attrs;
  for (const auto& n : names) attrs.push_back({const_cast<char*>(n.c_str()), 0, 0, 0, 25 /* text */, -1, -1});
  PQsetResultAttrs(res, static_cast<int>(attrs.size()), attrs.data());
  for (size_t r = 0; r < values.size(); ++r)
    for (size_t c = 0; c < values[r].size(); ++c) {
      const char* v = values[r][c];
      PQsetvalue(res, static_cast<int>(r), static_cast<int>(c), const_cast<char*>(v ? v : ""),
                 v ? static_cast<int>(std::strlen(v)) : -1);
    }
  return db::Rows(res);
}

TEST(ListTest, TheServerWritesAFlatItemsFieldsAsJsonStrings) {
  ListDefinition def = Events();
  def.item.clear();
  def.fields = {{"id", "e.id"}, {"note", "e.note"}};
  auto list = BuildList(def, "limit=1");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_NE(list->sql.find("SELECT (e.id)::text AS f0, (e.note)::text AS f1, (e.day)::text AS k0"), std::string::npos)
      << list->sql;
  auto rows = RowsOf({"f0", "f1", "k0", "k1", "k2"}, {{"7", "dice \"hola\"\n\\ ñ", "2026-01-31", "cpg_sales", "7"},
                                                      {"6", nullptr, "2026-01-30", "cpg_sales", "6"}});
  const auto page = boost::json::parse(ListPageBody(*list, rows)).as_object();
  ASSERT_EQ(page.at("items").as_array().size(), 1u) << "the extra row only says there is a next page";
  EXPECT_EQ(page.at("items").as_array()[0], (boost::json::object{{"id", "7"}, {"note", "dice \"hola\"\n\\ ñ"}}));
  EXPECT_EQ(DecodeCursor(page.at("next_after").as_string(), "-day", 4),
            (std::vector<std::string>{"-day", "2026-01-31", "cpg_sales", "7"}))
      << "the cursor is the last shown row's keys, read after the fields";

  auto last = RowsOf({"f0", "f1", "k0", "k1", "k2"}, {{"6", nullptr, "2026-01-30", "cpg_sales", "6"}});
  EXPECT_EQ(ListPageBody(*list, last), R"({"items":[{"id":"6","note":null}],"next_after":null})");
}

}  // namespace
}  // namespace vertice::shared
