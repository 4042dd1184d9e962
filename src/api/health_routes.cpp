// /healthz (process alive), /readyz (database reachable and migrations current), /metrics.
#include <boost/json.hpp>

#include "api/app.hpp"
#include "auth/crypto.hpp"
#include "core/version.hpp"
#include "migrate/runner.hpp"

namespace vertice::api {

void RegisterHealthRoutes(App& app) {
  app.Add("GET", "/healthz",
          {[](RequestContext&) -> db::Task<Result<http::Response>> {
             co_return Json(200, boost::json::object{{"status", "ok"}, {"version", kVersion}});
           },
           Access::kPublic});

  app.Add("GET", "/readyz",
          {[&app](RequestContext&) -> db::Task<Result<http::Response>> {
             auto& deps = app.Deps();
             auto lease = co_await deps.pool.Acquire();
             if (!lease) co_return std::unexpected(lease.error());
             auto current = co_await migrate::IsCurrent(**lease, deps.plan);
             if (!current && db::IsConnectionError(current.error())) {
               deps.pool.DropIdle();  // a restarted server invalidates every pooled connection
             }
             if (!current) co_return std::unexpected(current.error());
             if (!*current) {
               co_return Fail(ErrorKind::kUnavailable, "migrations_pending",
                              "La base de datos no tiene todas las migraciones aplicadas.");
             }
             co_return Json(200, boost::json::object{{"status", "ready"}});
           },
           Access::kPublic});

  app.Add("GET", "/metrics",
          {[&app](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             // With metrics_token set, scrapers must present it (Prometheus: `authorization:`).
             const auto& token = app.Options().metrics_token;
             if (!token.empty() && !auth::ConstantTimeEquals(ctx.request.Header("authorization"), "Bearer " + token)) {
               co_return Fail(ErrorKind::kUnauthenticated, "metrics.token_required",
                              "Las métricas requieren el token configurado (Authorization: Bearer).");
             }
             http::Response r;
             r.content_type = "text/plain; version=0.0.4; charset=utf-8";
             r.body = app.Deps().metrics.Render();
             co_return r;
           },
           Access::kPublic});
}

}  // namespace vertice::api
