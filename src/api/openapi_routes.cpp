// GET /api/v1/openapi.json: the API's OpenAPI 3.1 description (src/api/openapi.json, embedded at
// build time by cmake/EmbedOpenApi.cmake). Public, revalidated by its ETag.
#include <fmt/format.h>

#include <string>

#include "api/app.hpp"
#include "core/digest.hpp"

namespace vertice::api {

void RegisterOpenApiRoutes(App& app) {
  app.Add("GET", "/api/v1/openapi.json",
          {[](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             static const std::string etag = fmt::format("\"{}\"", Sha256Hex(OpenApiDocument()).substr(0, 32));
             http::Response r;
             // Clients may keep it, but ask again each time (a new build may change it): 304 then.
             r.SetHeader("Cache-Control", "no-cache");
             r.SetHeader("ETag", etag);
             auto match = ctx.request.Header("if-none-match");
             if (match == etag || match == "*") {
               r.status = 304;
               co_return r;
             }
             r.content_type = "application/json; charset=utf-8";
             r.body = std::string(OpenApiDocument());
             co_return r;
           },
           Access::kPublic});
}

}  // namespace vertice::api
