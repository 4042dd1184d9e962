// The vertical contract (docs/style.md, "Where code goes"): what a folder under src/verticals/ declares so the
// platform can mount it. A vertical returns a VerticalManifest from `<name>::Manifest()`; the
// build finds the folder and generates the registry, so nothing outside the folder changes.
//
// Handlers get everything through VerticalRequest (dependency injection, no globals): the pool,
// the clock, the company's configuration of the vertical, the tenant scope and the actor.
// Verticals build on the shared library (DAL, status machines, Decimal, validation, reports)
// and never on each other's code.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "db/pool.hpp"
#include "http/message.hpp"
#include "shared/audit.hpp"
#include "shared/state_machine.hpp"

namespace vertice::verticals {

// What a handler may use: injected per request, valid for the request's lifetime.
struct VerticalContext {
  db::Pool& pool;
  const Clock& clock;
  const boost::json::object& config;  // this company's configuration of the vertical
};

struct VerticalRequest {
  const http::Request& http;
  const std::map<std::string, std::string>& params;  // from the path template
  db::TenantScope scope;
  shared::Actor actor;
  std::string role;  // the caller's role in the company
  VerticalContext ctx;

  // A path parameter ("id" of "/pos/{id}").
  const std::string& Param(const std::string& name) const { return params.at(name); }
};

using VerticalHandler = std::function<db::Task<Result<http::Response>>(VerticalRequest&)>;

struct VerticalRoute {
  std::string method;      // GET, POST, PATCH, PUT, DELETE
  std::string path;        // relative to /api/v1/verticals/<name>, e.g. "/pos/{id}"
  std::string permission;  // a key of VerticalManifest::permissions
  VerticalHandler handler;
};

// A periodic job run once per company that has the vertical enabled, in a transaction scoped to
// that company, by the scheduler's leader (src/freshness/scheduler.hpp).
struct VerticalJob {
  std::string name;                    // "services.monthly_billing"
  std::string schedule = "0 * * * *";  // cron, UTC; the `schedules` configuration table overrides it
  std::function<db::Task<Status>(db::Transaction& tx, const Clock& clock)> run;
};

struct VerticalManifest {
  std::string name;     // the folder name; routes mount under /api/v1/verticals/<name>
  std::string version;  // semantic version of the vertical
  std::string title;    // shown to users (es-MX)
  std::string description;
  std::vector<std::string> depends;  // other verticals that must be enabled first
  // Named capabilities and the company roles that hold them ("sell": owner, ceo, cashier).
  std::map<std::string, std::vector<std::string>> permissions;
  std::vector<VerticalRoute> routes;
  std::vector<const shared::StateMachine*> machines;  // shown by GET /api/v1/verticals
  std::vector<VerticalJob> jobs;
  // What its rows in universal_transactions_mv are called.
  std::vector<std::string> transaction_types;
  boost::json::object default_config;
  // Checks a configuration an owner submits (unknown keys, ranges); empty: any object.
  std::function<Status(const boost::json::object&)> validate_config;

  // Filled by the generated registry from the folder, not by the vertical:
  std::string folder;
  std::string contribution_sql;  // sql/universal_contribution.sql
  std::string demo_sql;          // sql/demo.sql: run once as the owner role, the company in scope
};

// The columns every contribution must return, in order, with their PostgreSQL types.
struct UniversalColumn {
  std::string_view name;
  std::string_view type;  // format_type() text
};
inline constexpr UniversalColumn kUniversalColumns[] = {
    {"company_id", "text"}, {"tenant_id", "text"}, {"transaction_type", "text"}, {"source_table", "text"},
    {"source_id", "text"},  {"fecha", "date"},     {"monto_total", "numeric"},   {"moneda", "text"},
    {"status", "text"},     {"vertical", "text"},
};

}  // namespace vertice::verticals
