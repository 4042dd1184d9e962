// The application behind the HTTP server: routing, request ids, authentication, company and
// role resolution, CSRF, error mapping, access logs and metrics. Handlers get a RequestContext.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.hpp"
#include "auth/capabilities.hpp"
#include "db/pool.hpp"
#include "db/read_router.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "migrate/plan.hpp"
#include "shared/audit.hpp"
#include "shared/list.hpp"

namespace vertice::verticals {
class Registry;
}
namespace vertice::banking {
struct Profiles;
}
namespace vertice::freshness {
class RefreshService;
class ChangeFeed;
}  // namespace vertice::freshness

namespace vertice::api {

struct RequestContext {
  http::Request& request;
  std::string request_id;
  std::map<std::string, std::string> params;  // from the path template
  std::shared_ptr<const auth::Principal> principal;
  const auth::Membership* membership = nullptr;  // the company this request acts in
  std::string token;                             // the bearer/session token used
  bool via_cookie = false;
  http::Headers extra_headers;  // e.g. Set-Cookie
  // Past this the client is answered 503 request_timeout and the request's database work is
  // cancelled: the statement timeout of every transaction is what is left of it.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  db::TenantScope Scope() const;
  shared::Actor Actor() const;
  const std::string& CompanyId() const { return membership->company_id; }
};

enum class Access {
  kPublic,         // no credentials
  kAuthenticated,  // any valid session or key; no company needed
  kCompany,        // acts in one company (X-Company-Id), role checked
};

using Handler = std::function<db::Task<Result<http::Response>>(RequestContext&)>;

// How long a request may run: imports, matcher runs and reports may take longer than the rest.
enum class Budget { kStandard, kLong };

struct Route {
  Handler handler;
  Access access = Access::kCompany;
  std::vector<std::string> roles;  // empty: any role
  bool sessions_only = false;      // refuse API keys (e.g. logout, member management)
  Budget budget = Budget::kStandard;
  bool accepts_uploads = false;  // files (CFDI ZIPs, statements): AppOptions::upload_body_limit
};

struct AppOptions {
  std::chrono::milliseconds request_timeout{30'000};        // Budget::kStandard
  std::chrono::milliseconds long_request_timeout{300'000};  // Budget::kLong
  std::string metrics_token;  // non-empty: GET /metrics requires "Authorization: Bearer <token>"
  // Bodies, decided from the headers before the body is read: a caller not (yet) known may send
  // little; an authenticated one its route's limit.
  size_t unauthenticated_body_limit = 64 * 1024;
  size_t body_limit = 1024 * 1024;
  size_t upload_body_limit = 10 * 1024 * 1024;
};

struct AppDeps {
  db::Pool& pool;
  db::ReadRouter& reads;  // reads that tolerate staleness: a replica when configured
  auth::AuthService& auth;
  http::Metrics& metrics;
  const migrate::Plan& plan;
  const Clock& clock;
};

class App {
 public:
  explicit App(AppDeps deps, AppOptions options = {});
  void Add(std::string method, std::string path, Route route);
  db::Task<http::Response> Handle(http::Request& request);
  // How large a body this request may send (its headers are all there is yet).
  db::Task<size_t> BodyLimit(const http::Request& head);
  // "METHOD /path/{template}" of every route, in registration order.
  std::vector<std::string> Routes() const { return router_.Templates(); }
  AppDeps& Deps() { return deps_; }
  const AppOptions& Options() const { return options_; }
  // The roles holding a capability (auth/capabilities.hpp): what a route names.
  const std::vector<std::string>& Can(std::string_view capability) const { return capabilities_.Roles(capability); }
  auth::Capabilities& CapabilityTable() { return capabilities_; }

 private:
  db::Task<Result<http::Response>> Dispatch(RequestContext& ctx, const Route& route, std::string_view path_template);
  db::Task<Result<http::Response>> Guarded(RequestContext& ctx, const Route& route, std::string_view path_template);
  db::Task<Result<http::Response>> DispatchWithin(RequestContext& ctx, const Route& route,
                                                  std::string_view path_template);
  AppDeps deps_;
  AppOptions options_;
  http::Router<Route> router_;
  auth::Capabilities capabilities_ = auth::Capabilities::Core();
};

// Helpers for handlers.
http::Response Json(int status, const boost::json::value& body);
http::Response NoContent();
// An answer read from a replica says so: `X-Replica-Lag-Seconds` (docs/api.md).
void MarkReplicaRead(http::Response& response, const db::ReadAnswer& answer);
// GET of a declared list (shared/list.hpp): the request's filters, order and cursor → one page.
db::Task<Result<http::Response>> ListPage(App& app, RequestContext& ctx, const shared::ListDefinition& definition);

// Registers every core route (health, auth, members, api keys).
void RegisterHealthRoutes(App& app);
void RegisterAuthRoutes(App& app);
void RegisterMemberRoutes(App& app);
void RegisterApiKeyRoutes(App& app);
void RegisterInvoiceRoutes(App& app);
// GET /api/v1/transactions and /api/v1/reports/revenue over universal_transactions_mv.
void RegisterTransactionRoutes(App& app);
// GET/PUT /api/v1/verticals and every vertical's routes under /api/v1/verticals/<name>/.
void RegisterVerticalRoutes(App& app, const verticals::Registry& registry);
// The view's refresh levels, health, metrics, the CEO dashboard and its live events.
void RegisterFreshnessRoutes(App& app, freshness::RefreshService& refresh, freshness::ChangeFeed& feed);
// Bank accounts, statement import, statements and movements (/api/v1/bank/…).
void RegisterBankRoutes(App& app, const banking::Profiles& profiles);
// Matcher runs, suggestions, accept/reject/undo, manual matches, summary (/api/v1/reconciliation/…).
void RegisterReconciliationRoutes(App& app, double auto_threshold, double auto_margin);
// GET /api/v1/openapi.json: the description of every route (src/api/openapi.json, docs/api.md).
void RegisterOpenApiRoutes(App& app);
// The embedded src/api/openapi.json (generated by cmake/EmbedOpenApi.cmake).
std::string_view OpenApiDocument();

}  // namespace vertice::api
