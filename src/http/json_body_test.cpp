#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vertice::http {

TEST(JsonBodyTest, ReadsTypedFields) {
  auto body = JsonBody::Parse(R"({"email":"a@b.mx","active":true})");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->String("email", true), "a@b.mx");
  EXPECT_EQ(body->Bool("active", true), true);
  EXPECT_TRUE(body->Finish());
}

TEST(JsonBodyTest, MalformedJsonAndBadUtf8AndNonObjects) {
  EXPECT_EQ(JsonBody::Parse("{\"email\":").error().code, "invalid_json");
  EXPECT_EQ(JsonBody::Parse("[1,2]").error().code, "invalid_json");
  EXPECT_EQ(JsonBody::Parse("{\"a\":\"\xff\"}").error().code, "invalid_utf8");
  EXPECT_EQ(JsonBody::Parse("").error().code, "invalid_json");
}

TEST(JsonBodyTest, NulAndLoneSurrogateEscapesAreNotText) {
  auto nul = JsonBody::Parse(R"({"lines":[{"sku":"a"},{"sku":"b\u0000c"}]})");
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, "invalid_utf8");
  EXPECT_EQ(nul.error().details, (boost::json::object{{"field", "lines[1].sku"}}));
  EXPECT_EQ(JsonBody::Parse(R"({"name":"\u0000"})").error().details, (boost::json::object{{"field", "name"}}));
  EXPECT_EQ(JsonBody::Parse(R"({"na\u0000me":"x"})").error().code, "invalid_utf8");
  EXPECT_EQ(JsonBody::Parse(R"({"name":"\ud800"})").error().code, "invalid_utf8");
  EXPECT_EQ(JsonBody::Parse(R"({"name":"\udc00x"})").error().code, "invalid_utf8");
  EXPECT_TRUE(JsonBody::Parse(R"({"name":"\ud83d\ude00 \u00f1"})"));  // a real pair and ñ
}

TEST(JsonBodyTest, ReportsEveryViolationWithTheFirstCode) {
  auto body = JsonBody::Parse(R"({"email":42,"extra":1})");
  ASSERT_TRUE(body);
  body->String("email", true);
  body->String("password", true);
  auto st = body->Finish();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "invalid_field_type");
  EXPECT_EQ(st.error().kind, ErrorKind::kInvalidInput);
  const auto details = boost::json::serialize(st.error().details);
  EXPECT_NE(details.find("missing_field"), std::string::npos);
  EXPECT_NE(details.find("unknown_field"), std::string::npos);
}

TEST(JsonBodyTest, UnknownFieldAloneIsRefused) {
  auto body = JsonBody::Parse(R"({"email":"a@b.mx","is_admin":true})");
  body->String("email", true);
  EXPECT_EQ(body->Finish().error().code, "unknown_field");
}

}  // namespace vertice::http
