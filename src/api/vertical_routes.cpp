// /api/v1/verticals: which verticals exist and which the company uses (owners enable, disable
// and configure them), and the mounting of every vertical's routes under
// /api/v1/verticals/<name>/. A vertical's routes answer 404 for a company that has not enabled
// it; its handlers get the company's configuration injected with the pool and the clock.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <mutex>

#include "api/app.hpp"
#include "http/json_body.hpp"
#include "shared/dal.hpp"
#include "verticals/company_verticals.hpp"
#include "verticals/registry.hpp"

namespace vertice::api {

namespace json = boost::json;
using shared::ColumnType;

namespace {

// Each company's enabled verticals and their configuration, read on every vertical request:
// cached for a short time per instance (changes made here are seen at once; changes made on
// another instance within kTtl).
class EnabledCache {
 public:
  struct Entry {
    bool enabled = false;
    std::shared_ptr<const json::object> config;
    std::chrono::steady_clock::time_point expires;
  };
  static constexpr auto kTtl = std::chrono::seconds(2);

  std::optional<Entry> Get(const std::string& company, const std::string& vertical) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find({company, vertical});
    if (it == entries_.end() || it->second.expires < std::chrono::steady_clock::now()) return std::nullopt;
    return it->second;
  }
  void Put(const std::string& company, const std::string& vertical, Entry e) {
    std::lock_guard lock(mutex_);
    if (entries_.size() > 100000) entries_.clear();
    e.expires = std::chrono::steady_clock::now() + kTtl;
    entries_[{company, vertical}] = std::move(e);
  }
  void Forget(const std::string& company, const std::string& vertical) {
    std::lock_guard lock(mutex_);
    entries_.erase({company, vertical});
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

struct VerticalState {
  const verticals::Registry& registry;
  EnabledCache cache;
};

db::Task<Result<EnabledCache::Entry>> LoadEnabled(App& app, VerticalState& state, const RequestContext& ctx,
                                                  const verticals::VerticalManifest& m) {
  if (auto hit = state.cache.Get(ctx.CompanyId(), m.name)) co_return *hit;
  auto row = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return verticals::CompanyVerticals().Get(tx, m.name); });
  EnabledCache::Entry entry;
  if (row) {
    entry.enabled = row->at("enabled").as_bool();
    entry.config = std::make_shared<const json::object>(verticals::MergedConfig(m, row->at("config")));
  } else if (row.error().kind != ErrorKind::kNotFound) {
    co_return std::unexpected(row.error());
  }
  state.cache.Put(ctx.CompanyId(), m.name, entry);
  co_return entry;
}

json::object ManifestJson(const verticals::VerticalManifest& m) {
  json::array depends, routes, machines, jobs, types;
  for (const auto& d : m.depends) depends.push_back(json::value(d));
  for (const auto& t : m.transaction_types) types.push_back(json::value(t));
  json::object permissions;
  for (const auto& [name, roles] : m.permissions) {
    json::array r;
    for (const auto& role : roles) r.push_back(json::value(role));
    permissions[name] = std::move(r);
  }
  for (const auto& r : m.routes)
    routes.push_back(json::object{{"method", r.method},
                                  {"path", fmt::format("/api/v1/verticals/{}{}", m.name, r.path)},
                                  {"permission", r.permission}});
  for (const auto* machine : m.machines) {
    json::array transitions;
    for (const auto& t : machine->Spec().transitions) {
      json::array roles;
      for (const auto& role : t.roles) roles.push_back(json::value(role));
      transitions.push_back(json::object{{"from", t.from}, {"event", t.event}, {"to", t.to}, {"roles", roles}});
    }
    machines.push_back(json::object{{"name", machine->Spec().name}, {"transitions", std::move(transitions)}});
  }
  for (const auto& j : m.jobs) jobs.push_back(json::object{{"name", j.name}, {"schedule", j.schedule}});
  return json::object{{"name", m.name},
                      {"version", m.version},
                      {"title", m.title},
                      {"description", m.description},
                      {"depends", std::move(depends)},
                      {"transaction_types", std::move(types)},
                      {"permissions", std::move(permissions)},
                      {"routes", std::move(routes)},
                      {"status_machines", std::move(machines)},
                      {"jobs", std::move(jobs)},
                      {"default_config", m.default_config}};
}

// A vertical as the company sees it: its manifest and, from its company_verticals row (none:
// never enabled), whether it is enabled, its configuration and when it was activated.
json::object VerticalJson(const verticals::VerticalManifest& m, const json::object* row) {
  auto item = ManifestJson(m);
  item["enabled"] = row ? row->at("enabled") : json::value(false);
  item["config"] = row ? verticals::MergedConfig(m, row->at("config")) : m.default_config;
  item["activated_at"] = row ? row->at("activated_at") : json::value(nullptr);
  return item;
}

db::Task<Result<json::array>> ListVerticals(App& app, const VerticalState& state, const RequestContext& ctx) {
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return verticals::CompanyVerticals().List(tx, {.limit = 200}); });
  if (!rows) co_return std::unexpected(rows.error());
  json::array items;
  for (const auto& m : state.registry.Verticals()) {
    const json::object* row = nullptr;
    for (const auto& r : rows->items)
      if (r.at("vertical").as_string() == m.name) row = &r;
    items.push_back(VerticalJson(m, row));
  }
  co_return items;
}

}  // namespace

void RegisterVerticalRoutes(App& app, const verticals::Registry& registry) {
  auto state = std::make_shared<VerticalState>(registry);

  app.Add("GET", "/api/v1/verticals",
          {[&app, state](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             VERTICE_CO_ASSIGN_OR_RETURN(auto items, co_await ListVerticals(app, *state, ctx));
             co_return Json(200, json::object{{"items", std::move(items)}});
           },
           Access::kCompany});

  // Enable, disable or configure a vertical for the company (owners only).
  app.Add("PUT", "/api/v1/verticals/{name}",
          {[&app, state](RequestContext& ctx) -> db::Task<Result<http::Response>> {
             const auto* m = state->registry.Find(ctx.params.at("name"));
             if (m == nullptr) co_return std::unexpected(NotFound("La vertical no existe."));
             VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
             auto enabled = body.Bool("enabled", true);
             auto config = body.Object("config", false);
             if (config && m->validate_config) {
               auto valid = m->validate_config(*config);
               if (!valid) body.Invalid("config", valid.error().message);
             }
             VERTICE_CO_TRY(body.Finish());
             const verticals::VerticalChange change{*enabled, config};
             auto saved = co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) {
               return verticals::SetEnabled(tx, state->registry, *m, ctx.Actor(), change);
             });
             state->cache.Forget(ctx.CompanyId(), m->name);
             if (!saved) co_return std::unexpected(saved.error());
             co_return Json(200, VerticalJson(*m, &*saved));
           },
           Access::kCompany, app.Can("verticals.manage"),
           /*sessions_only=*/true});

  // A vertical's permissions become capabilities "<vertical>.<permission>" (its manifest is their
  // table), which its routes name like the core ones.
  for (const auto& manifest : registry.Verticals())
    for (const auto& [permission, roles] : manifest.permissions)
      app.CapabilityTable().Add(manifest.name + "." + permission, roles);
  for (const auto& manifest : registry.Verticals()) {
    for (const auto& route : manifest.routes) {
      const auto* m = &manifest;
      const auto* r = &route;
      Route mounted{[&app, state, m, r](RequestContext& ctx) -> db::Task<Result<http::Response>> {
                      VERTICE_CO_ASSIGN_OR_RETURN(auto entry, co_await LoadEnabled(app, *state, ctx, *m));
                      if (!entry.enabled)
                        co_return std::unexpected(
                            NotFound(fmt::format("La vertical {} no está habilitada para esta empresa.", m->name)));
                      verticals::VerticalRequest req{
                          ctx.request, ctx.params,           ctx.Scope(),
                          ctx.Actor(), ctx.membership->role, {app.Deps().pool, app.Deps().clock, *entry.config}};
                      co_return co_await r->handler(req);
                    },
                    Access::kCompany, app.Can(m->name + "." + r->permission)};
      app.Add(route.method, fmt::format("/api/v1/verticals/{}{}", manifest.name, route.path), std::move(mounted));
    }
  }
}

}  // namespace vertice::api
