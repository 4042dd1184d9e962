#include "http/json_body.hpp"

#include <gtest/gtest.h>

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

TEST(JsonBodyTest, ReportsEveryViolationWithTheFirstCode) {
  auto body = JsonBody::Parse(R"({"email":42,"extra":1})");
  ASSERT_TRUE(body);
  body->String("email", true);
  body->String("password", true);
  auto st = body->Finish();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "invalid_field_type");
  EXPECT_EQ(st.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(st.error().details.find("missing_field"), std::string::npos);
  EXPECT_NE(st.error().details.find("unknown_field"), std::string::npos);
}

TEST(JsonBodyTest, UnknownFieldAloneIsRefused) {
  auto body = JsonBody::Parse(R"({"email":"a@b.mx","is_admin":true})");
  body->String("email", true);
  EXPECT_EQ(body->Finish().error().code, "unknown_field");
}

}  // namespace vertice::http
