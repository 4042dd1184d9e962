#include "http/router.hpp"

#include <gtest/gtest.h>

#include "http/error_response.hpp"

namespace vertice::http {

TEST(RouterTest, MatchesTemplatesAndExtractsParams) {
  Router<int> r;
  ASSERT_TRUE(r.Add("GET", "/api/v1/members", 1));
  ASSERT_TRUE(r.Add("PATCH", "/api/v1/members/{user_id}", 2));
  EXPECT_FALSE(r.Add("GET", "/api/v1/members", 3));
  auto m = r.Find("PATCH", "/api/v1/members/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(*m.route, 2);
  EXPECT_EQ(m.params["user_id"], "abc");
  EXPECT_EQ(m.path_template, "/api/v1/members/{user_id}");
}

TEST(RouterTest, DistinguishesUnknownPathFromWrongMethod) {
  Router<int> r;
  r.Add("GET", "/api/v1/members", 1);
  auto wrong_method = r.Find("DELETE", "/api/v1/members");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.method_mismatch);
  auto unknown = r.Find("GET", "/api/v1/nothing");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_FALSE(unknown.method_mismatch);
}

TEST(ErrorResponseTest, OneStatusPerKindAndNoInternalText) {
  EXPECT_EQ(StatusFor(ErrorKind::kInvalidInput), 400);
  EXPECT_EQ(StatusFor(ErrorKind::kNotFound), 404);
  EXPECT_EQ(StatusFor(ErrorKind::kBusinessRule), 422);
  EXPECT_EQ(StatusFor(ErrorKind::kUnavailable), 503);
  auto r = ErrorResponse(Error{ErrorKind::kInternal, "internal", "Error interno.", {}, "SECRET stack"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("SECRET"), std::string::npos);
  EXPECT_NE(r.body.find(R"("code":"internal")"), std::string::npos);
}

}  // namespace vertice::http
