// /healthz (process alive), /readyz (database reachable and migrations current), /metrics.
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/app.hpp"
#include "auth/crypto.hpp"
#include "core/version.hpp"
#include "migrate/runner.hpp"

namespace vertice::api {

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

// What /readyz answers: the database answers and every migration of this binary is applied.
db::Task<Status> CheckReady(App& app) {
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
  co_return Status{};
}

// vertice_ready for the scrape: the readiness check run now, within at most 2 s (and half of
// what is left of the scrape's own deadline), so a database that does not answer cannot make
// /metrics time out with it; too slow counts as not ready.
db::Task<std::string> ReadyGauge(App& app, std::chrono::steady_clock::time_point deadline) {
  auto budget = std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(2),
                                                              (deadline - std::chrono::steady_clock::now()) / 2);
  asio::steady_timer timer(co_await asio::this_coro::executor, budget);
  auto checked = co_await (CheckReady(app) || timer.async_wait(asio::use_awaitable));
  bool ready = checked.index() == 0 && std::get<0>(checked).has_value();
  co_return fmt::format(
      "# HELP vertice_ready Whether /readyz answers 200 now (database reachable, migrations applied).\n"
      "# TYPE vertice_ready gauge\nvertice_ready {}\n",
      ready ? 1 : 0);
}

}  // namespace

void RegisterHealthRoutes(App& app) {
  app.Add("GET", "/healthz",
          {[](RequestContext&) -> db::Task<Result<http::Response>> {
             co_return Json(200, boost::json::object{{"status", "ok"}, {"version", kVersion}});
           },
           Access::kPublic});

  app.Add("GET", "/readyz",
          {[&app](RequestContext&) -> db::Task<Result<http::Response>> {
             VERTICE_CO_TRY(co_await CheckReady(app));
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
             // Readiness first: its connection is back in the pool before the pool gauges are read.
             auto ready = co_await ReadyGauge(app, ctx.deadline);
             http::Response r;
             r.content_type = "text/plain; version=0.0.4; charset=utf-8";
             r.body = app.Deps().metrics.Render() + ready;
             co_return r;
           },
           Access::kPublic});
}

}  // namespace vertice::api
