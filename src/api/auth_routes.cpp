// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "api/app.hpp"
#include "api/principal_json.hpp"
#include "core/text.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"

namespace vertice::api {

namespace json = boost::json;

json::object PrincipalJson(const auth::Principal& p, const auth::Capabilities& capabilities) {
  json::object out;
  if (p.kind == auth::Principal::Kind::kSession) {
    out["user"] =
        json::object{{"id", p.id}, {"email", p.email}, {"full_name", p.full_name}, {"tenant_id", p.tenant_id}};
  } else {
    out["api_key"] = json::object{{"id", p.id}, {"name", p.full_name}, {"tenant_id", p.tenant_id}};
  }
  json::array companies;
  for (const auto& m : p.memberships) {
    json::array can;
    for (auto& name : capabilities.Of(m.role)) can.emplace_back(std::move(name));
    companies.push_back(json::object{
        {"company_id", m.company_id}, {"name", m.company_name}, {"role", m.role}, {"capabilities", std::move(can)}});
  }
  out["companies"] = std::move(companies);
  return out;
}

namespace {

std::string SessionCookie(const std::string& name, const std::string& value, long max_age, bool http_only,
                          bool secure) {
  return fmt::format("{}={}; Path=/; Max-Age={}; SameSite=Lax{}{}", name, value, max_age, http_only ? "; HttpOnly" : "",
                     secure ? "; Secure" : "");
}

// Only a JSON body signs in (a charset parameter is fine). A cross-site HTML form can send
// text/plain that happens to be JSON, and would sign the visitor's browser into the attacker's
// account (login CSRF); browsers cannot send application/json cross-site without CORS.
bool IsJsonContentType(std::string_view value) {
  auto type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return ToLowerAscii(type) == "application/json";
}

}  // namespace

void RegisterAuthRoutes(App& app) {
  app.Add("POST", "/api/v1/auth/login",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             if (!IsJsonContentType(ctx.request.Header("content-type"))) {
               auto r = http::ErrorResponse(Error{ErrorKind::kInvalidInput,
                                                  "unsupported_media_type",
                                                  "Envíe los datos de inicio de sesión como JSON (Content-Type: "
                                                  "application/json).",
                                                  {},
                                                  {}});
               r.status = 415;
               co_return r;
             }
             VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
             auto email = body.String("email", true, 254);
             auto password = body.String("password", true, 1024);
             if (email && !IsPlausibleEmail(*email)) body.Invalid("email", "no es un correo válido");
             VERTICE_CO_TRY(body.Finish());
             auto& req = ctx.request;
             VERTICE_CO_ASSIGN_OR_RETURN(auto login,
                                         co_await app.Deps().auth.Login(*email, *password, req.client_ip,
                                                                        std::string(req.Header("user-agent"))));
             auto max_age =
                 std::chrono::duration_cast<std::chrono::seconds>(login.principal->expires_at - app.Deps().clock.Now())
                     .count();
             ctx.principal = login.principal;
             ctx.extra_headers.emplace_back("Set-Cookie",
                                            SessionCookie("vertice_session", login.token, max_age, true, req.secure));
             ctx.extra_headers.emplace_back(
                 "Set-Cookie", SessionCookie("vertice_csrf", login.csrf_token, max_age, false, req.secure));
             auto out = PrincipalJson(*login.principal, app.CapabilityTable());
             out["token"] = login.token;
             out["csrf_token"] = login.csrf_token;
             out["expires_in"] = max_age;
             co_return Json(200, out);
           },
           Access::kPublic});

  app.Add("POST", "/api/v1/auth/logout",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             VERTICE_CO_TRY(co_await app.Deps().auth.Logout(ctx.token));
             ctx.extra_headers.emplace_back("Set-Cookie",
                                            SessionCookie("vertice_session", "", 0, true, ctx.request.secure));
             ctx.extra_headers.emplace_back("Set-Cookie",
                                            SessionCookie("vertice_csrf", "", 0, false, ctx.request.secure));
             co_return NoContent();
           },
           Access::kAuthenticated,
           {},
           true});

  app.Add("GET", "/api/v1/auth/me",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             co_return Json(200, PrincipalJson(*ctx.principal, app.CapabilityTable()));
           },
           Access::kAuthenticated});
}

}  // namespace vertice::api
