#include "api/app.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <optional>

#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "http/error_response.hpp"

namespace vertice::api {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

db::TenantScope RequestContext::Scope() const {
  db::TenantScope s;
  if (principal) {
    s.tenant_id = principal->tenant_id;
    if (principal->kind == auth::Principal::Kind::kSession) s.user_id = principal->id;
  }
  if (membership) s.company_id = membership->company_id;
  if (deadline != std::chrono::steady_clock::time_point::max()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    s.statement_timeout = std::max(left, std::chrono::milliseconds(1));
  }
  return s;
}

shared::Actor RequestContext::Actor() const {
  shared::Actor a;
  if (principal) {
    a.type = principal->kind == auth::Principal::Kind::kSession ? "user" : "api_key";
    a.id = principal->id;
    a.tenant_id = principal->tenant_id;
  }
  if (membership) a.company_id = membership->company_id;
  a.request_id = request_id;
  return a;
}

http::Response Json(int status, const json::value& body) { return http::JsonResponse(status, json::serialize(body)); }

void MarkReplicaRead(http::Response& response, const db::ReadAnswer& answer) {
  if (answer.replica_lag_seconds)
    response.SetHeader("X-Replica-Lag-Seconds", fmt::format("{:.3f}", *answer.replica_lag_seconds));
}

http::Response NoContent() {
  http::Response r;
  r.status = 204;
  return r;
}

db::Task<Result<http::Response>> ListPage(App& app, RequestContext& ctx, const shared::ListDefinition& definition) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto page,
                              co_await shared::ReadList(app.Deps().pool, ctx.Scope(), definition, ctx.request.query));
  co_return http::JsonResponse(200, std::move(page));
}

App::App(AppDeps deps, AppOptions options) : deps_(deps), options_(std::move(options)) {}

void App::Add(std::string method, std::string path, Route route) {
  if (!router_.Add(method, path, std::move(route))) {
    throw std::logic_error(fmt::format("route registered twice: {} {}", method, path));
  }
}

namespace {

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

// A random per-process prefix and a counter: unique across instances without a syscall per request.
std::string NextRequestId() {
  static const std::string prefix = auth::RandomHex(6);
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}{:012x}", prefix, ++counter);
}

// The bearer token or session cookie a request carries (empty: none); false when Authorization
// is present but not a bearer token.
bool RequestToken(const http::Request& req, std::string& token, bool& via_cookie) {
  auto authz = req.Header("authorization");
  if (!authz.empty()) {
    if (authz.size() < 8 || ToLowerAscii(authz.substr(0, 7)) != "bearer ") return false;
    token = std::string(authz.substr(7));
    return true;
  }
  auto cookie = CookieValue(req.Header("cookie"), "vertice_session");
  if (!cookie.empty()) {
    token = std::string(cookie);
    via_cookie = true;
  }
  return true;
}

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

Error InvalidUtf8(std::string_view field) {
  return Error{ErrorKind::kInvalidInput,
               "invalid_utf8",
               fmt::format("El valor de «{}» no es texto UTF-8 válido.", field),
               json::object{{"field", field}},
               {}};
}

// Every text a handler may pass on (path segments and query values percent-decoded, header
// values) must be storable text: valid UTF-8 without NUL. Checked once here, before routing, so
// no route can forward such bytes to PostgreSQL (which refuses them with an error). The
// User-Agent is only informational (stored with sessions): one that is not UTF-8 is read as
// Latin-1, as old clients send it, instead of refusing the request.
std::optional<Error> CheckRequestText(http::Request& req) {
  if (!IsStorableText(PercentDecode(req.path))) return InvalidUtf8("path");
  std::string_view query = req.query;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    if (!IsStorableText(key)) return InvalidUtf8("query");
    if (eq != std::string_view::npos && !IsStorableText(PercentDecode(pair.substr(eq + 1), true))) {
      // A key of sane length names the field; anything else is just "query".
      return InvalidUtf8(key.size() <= 64 ? "query." + key : std::string("query"));
    }
  }
  for (auto& [name, value] : req.headers) {
    if (IsStorableText(value)) continue;
    if (name == "user-agent") {
      std::string text = IsValidUtf8(value) ? value : Latin1ToUtf8(value);
      std::erase(text, '\0');
      value = std::move(text);
      continue;
    }
    return InvalidUtf8(IsStorableText(name) && name.size() <= 64 ? "header." + name : std::string("header"));
  }
  return std::nullopt;
}

}  // namespace

db::Task<Result<http::Response>> App::Dispatch(RequestContext& ctx, const Route& route, std::string_view) {
  auto& req = ctx.request;
  if (route.access != Access::kPublic) {
    if (!RequestToken(req, ctx.token, ctx.via_cookie)) {
      co_return Fail(ErrorKind::kUnauthenticated, "auth.invalid_authorization",
                     "Encabezado Authorization inválido; use 'Bearer <token>'.");
    }
    if (ctx.token.empty()) {
      co_return Fail(ErrorKind::kUnauthenticated, "auth.required", "Se requiere iniciar sesión.");
    }
    VERTICE_CO_ASSIGN_OR_RETURN(ctx.principal, co_await deps_.auth.Resolve(ctx.token));
    if (route.sessions_only && ctx.principal->kind != auth::Principal::Kind::kSession) {
      co_return Fail(ErrorKind::kForbidden, "auth.session_required",
                     "Esta operación requiere una sesión de usuario, no una llave de API.");
    }
    // Browsers send cookies on their own; state changes need proof the page is ours (double submit).
    if (ctx.via_cookie && !IsSafeMethod(req.method) &&
        !deps_.auth.CheckCsrf(*ctx.principal, req.Header("x-csrf-token"))) {
      co_return Fail(ErrorKind::kForbidden, "auth.csrf_failed",
                     "Falta o no es válido el token CSRF (encabezado X-CSRF-Token).");
    }
  }
  if (route.access == Access::kCompany) {
    auto header = req.Header("x-company-id");
    const auto& p = *ctx.principal;
    if (header.empty()) {
      if (p.memberships.size() != 1) {
        co_return Fail(ErrorKind::kInvalidInput, "company_required",
                       "Indique la empresa con el encabezado X-Company-Id.");
      }
      ctx.membership = &p.memberships.front();
    } else {
      if (!IsValidSlug(header)) {
        co_return Fail(ErrorKind::kInvalidInput, "invalid_company_id",
                       "X-Company-Id no es un identificador de empresa válido.");
      }
      ctx.membership = p.Find(header);
      // Another tenant's company and a company that does not exist look the same.
      if (ctx.membership == nullptr) co_return std::unexpected(NotFound("La empresa no existe."));
    }
    if (!route.roles.empty() &&
        std::find(route.roles.begin(), route.roles.end(), ctx.membership->role) == route.roles.end()) {
      co_return Fail(ErrorKind::kForbidden, "forbidden", "Su rol no permite esta operación.",
                     json::object{{"role", ctx.membership->role}});
    }
  }
  co_return co_await route.handler(ctx);
}

db::Task<size_t> App::BodyLimit(const http::Request& head) {
  auto match = router_.Find(head.method, head.path);
  if (match.route == nullptr || match.route->access == Access::kPublic) co_return options_.unauthenticated_body_limit;
  std::string token;
  bool via_cookie = false;
  if (!RequestToken(head, token, via_cookie) || token.empty()) co_return options_.unauthenticated_body_limit;
  // Usually a cache hit; bounded like a request when it is not.
  asio::steady_timer timer(co_await asio::this_coro::executor, options_.request_timeout);
  auto resolved = co_await (deps_.auth.Resolve(token) || timer.async_wait(asio::use_awaitable));
  if (resolved.index() != 0 || !std::get<0>(resolved)) co_return options_.unauthenticated_body_limit;
  co_return match.route->accepts_uploads ? options_.upload_body_limit : options_.body_limit;
}

db::Task<Result<http::Response>> App::Guarded(RequestContext& ctx, const Route& route, std::string_view path_template) {
  try {
    co_return co_await Dispatch(ctx, route, path_template);
  } catch (const std::exception& e) {
    co_return std::unexpected(Error{ErrorKind::kInternal, "internal", "Error interno.", {}, e.what()});
  }
}

// Runs the route against its deadline. When the deadline wins, the handler's coroutine is
// cancelled: its pending database wait ends, the connection is discarded (never returned to the
// pool mid-query) and PostgreSQL stops the statement by the transaction's statement_timeout.
db::Task<Result<http::Response>> App::DispatchWithin(RequestContext& ctx, const Route& route,
                                                     std::string_view path_template) {
  auto budget = route.budget == Budget::kLong ? options_.long_request_timeout : options_.request_timeout;
  ctx.deadline = std::chrono::steady_clock::now() + budget;
  asio::steady_timer timer(co_await asio::this_coro::executor, ctx.deadline);
  auto outcome = co_await (Guarded(ctx, route, path_template) || timer.async_wait(asio::use_awaitable));
  if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
  deps_.metrics.TimedOut(std::string(path_template));
  co_return Fail(ErrorKind::kUnavailable, "request_timeout",
                 "La solicitud tardó demasiado y se canceló; intente de nuevo.", {},
                 fmt::format("deadline of {} ms passed", budget.count()));
}

db::Task<http::Response> App::Handle(http::Request& req) {
  auto started = std::chrono::steady_clock::now();
  deps_.metrics.InFlight(1);
  RequestContext ctx{req, {}, {}, {}, nullptr, {}, false, {}};
  auto client_id = req.Header("x-request-id");
  ctx.request_id = IsValidRequestId(client_id) ? std::string(client_id) : NextRequestId();

  auto match = router_.Find(req.method, req.path);
  std::string route_label = match.path_template.empty() ? "unmatched" : match.path_template;
  http::Response resp;
  if (auto bad_text = CheckRequestText(req)) {
    resp = http::ErrorResponse(*bad_text);
  } else if (match.route == nullptr) {
    resp = match.method_mismatch
               ? http::ErrorResponse(Error{
                     ErrorKind::kInvalidInput, "method_not_allowed", "Método no permitido para este recurso.", {}, {}})
               : http::ErrorResponse(Error{ErrorKind::kNotFound, "route_not_found", "Ruta no encontrada.", {}, {}});
    if (match.method_mismatch) resp.status = 405;
  } else {
    ctx.params = match.params;
    Result<http::Response> result = co_await DispatchWithin(ctx, *match.route, match.path_template);
    if (result) {
      resp = std::move(*result);
    } else {
      const auto& e = result.error();
      resp = http::ErrorResponse(e);
      if (e.kind == ErrorKind::kInternal || e.kind == ErrorKind::kUnavailable) {
        spdlog::error("request_id={} route={} code={} internal={}", ctx.request_id, route_label, e.code, e.internal);
      }
    }
  }
  for (auto& h : ctx.extra_headers) resp.headers.push_back(std::move(h));
  resp.SetHeader("X-Request-Id", ctx.request_id);
  // API answers are not cached, unless the route said how (the OpenAPI description).
  if (req.path.starts_with("/api/") &&
      std::none_of(resp.headers.begin(), resp.headers.end(), [](const auto& h) { return h.first == "Cache-Control"; }))
    resp.SetHeader("Cache-Control", "no-store");

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  deps_.metrics.InFlight(-1);
  deps_.metrics.Observe(req.method, route_label, resp.status, seconds);
  spdlog::info("method={} route={} status={} duration_ms={:.2f} request_id={} company={} actor={}", req.method,
               route_label, resp.status, seconds * 1000, ctx.request_id,
               ctx.membership ? ctx.membership->company_id : "-", ctx.principal ? ctx.principal->id : "-");
  co_return resp;
}

}  // namespace vertice::api
