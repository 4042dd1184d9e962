#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/text.hpp"
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

TEST(ErrorResponseTest, DetailsAreTheErrorsObjectAndNullWhenEmpty) {
  auto none = boost::json::parse(ErrorResponse(Error{ErrorKind::kNotFound, "not_found", "No."}).body);
  EXPECT_TRUE(none.at("error").at("details").is_null());
  Error e{ErrorKind::kInvalidInput, "invalid_field", "Mal.", boost::json::object{{"field", "lines[2].amount"}}};
  auto some = boost::json::parse(ErrorResponse(e).body);
  EXPECT_EQ(some.at("error").at("details"), (boost::json::object{{"field", "lines[2].amount"}}));
  // A client's bytes quoted in the details (a file's words) still make a UTF-8 document.
  e.details["word"] = "caf\xe9";
  auto body = ErrorResponse(e).body;
  EXPECT_TRUE(IsValidUtf8(body));
  EXPECT_TRUE(boost::json::parse(body).at("error").at("details").at("word").is_string());
}

// Every Retry-After value a response carries, joined by ",".
std::string RetryAfterOf(const Response& r) {
  std::string out;
  for (const auto& [name, value] : r.headers)
    if (name == "Retry-After") out += (out.empty() ? "" : ",") + value;
  return out;
}

TEST(ErrorResponseTest, RetryAfterIsTheErrorsOwnWaitOrAShortDefault) {
  Error limited{ErrorKind::kRateLimited, "auth.rate_limited", "Espere."};
  limited.retry_after = std::chrono::seconds(17);
  EXPECT_EQ(RetryAfterOf(ErrorResponse(limited)), "17");
  EXPECT_EQ(RetryAfterOf(ErrorResponse(Error{ErrorKind::kUnavailable, "database_unavailable", "No."})),
            std::to_string(kDefaultRetryAfter.count()));
  EXPECT_EQ(RetryAfterOf(ErrorResponse(Error{ErrorKind::kConflict, "conflict", "Ya."})), "");
}

}  // namespace vertice::http
