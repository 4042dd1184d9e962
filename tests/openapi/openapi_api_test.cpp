// GET /api/v1/openapi.json: public, the embedded src/api/openapi.json byte for byte, cacheable
// by its ETag; and a few answers of every kind of route, recorded for tests/openapi/validate.mjs.
#include <fstream>
#include <sstream>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

class OpenApiTest : public ApiTest {};

std::string SourceDocument() {
  std::ifstream in(VERTICE_OPENAPI_JSON, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(OpenApiTest, ServesTheEmbeddedDescriptionWithoutCredentials) {
  auto c = Client();
  auto r = c.Send("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.body, SourceDocument());
  auto doc = ParseJson(r.body).as_object();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(doc.at("paths").as_object().contains("/api/v1/openapi.json"));
  EXPECT_EQ(r.Header("cache-control"), "no-cache");
  auto etag = r.Header("etag");
  ASSERT_FALSE(etag.empty());

  auto again = c.Send("GET", "/api/v1/openapi.json", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("etag"), etag);

  auto other = c.Send("GET", "/api/v1/openapi.json", "", {{"If-None-Match", "\"something-else\""}});
  EXPECT_EQ(other.status, 200);
}

TEST_F(OpenApiTest, OtherApiAnswersStayUncached) {
  auto c = Client();
  auto r = c.Send("GET", "/api/v1/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(c.Send("POST", "/api/v1/openapi.json").status, 405);
}

// Reads no other suite makes, so that their answers are validated against the description too.
TEST_F(OpenApiTest, ReadsTheOtherSuitesDoNotMake) {
  auto cfo = SignIn("cfo@acme.mx");
  auto c = Client();
  for (const std::string path : {"/api/v1/invoices/payables", "/api/v1/invoices/payables?as_of=2026-01-31",
                                 "/api/v1/bank/csv-profiles", "/api/v1/mv/settings", "/api/v1/mv/metrics"}) {
    auto r = c.Send("GET", path, "", cfo.Bearer("acme"));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  }
}

}  // namespace
}  // namespace vertice::testing
