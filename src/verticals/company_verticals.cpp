#include "verticals/company_verticals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

namespace vertice::verticals {

namespace json = boost::json;
using shared::ColumnType;

namespace {

constexpr const char* kTouch = R"sql(
UPDATE company_verticals SET updated_at = now()
WHERE tenant_id = vertice_current_tenant() AND company_id = vertice_current_company() AND vertical = $1
)sql";

}  // namespace

const shared::Dal& CompanyVerticals() {
  static const shared::Dal dal({"company_verticals",
                                "vertical",
                                true,
                                {{"enabled", ColumnType::kBoolean, true, true},
                                 {"config", ColumnType::kJson},
                                 {"activated_at", ColumnType::kTimestamp, false},
                                 {"updated_at", ColumnType::kTimestamp, false}},
                                /*id_writable=*/true});
  return dal;
}

json::object MergedConfig(const VerticalManifest& m, const json::value& company_config) {
  auto config = m.default_config;
  for (const auto& [k, v] : company_config.as_object()) config[k] = v;
  return config;
}

Status CheckDependencies(const Registry& registry, const VerticalManifest& m, bool enable,
                         const std::function<bool(const std::string&)>& is_enabled) {
  if (enable) {
    for (const auto& d : m.depends)
      if (!is_enabled(d))
        return Fail(ErrorKind::kBusinessRule, "verticals.dependency_disabled",
                    fmt::format("La vertical {} requiere habilitar primero {}.", m.name, d),
                    json::object{{"requires", d}});
    return {};
  }
  for (const auto& other : registry.Verticals())
    if (is_enabled(other.name) && std::find(other.depends.begin(), other.depends.end(), m.name) != other.depends.end())
      return Fail(ErrorKind::kBusinessRule, "verticals.required_by",
                  fmt::format("La vertical {} la usa {}; deshabilite primero {}.", m.name, other.name, other.name),
                  json::object{{"required_by", other.name}});
  return {};
}

db::Task<Result<json::object>> SetEnabled(db::Transaction& tx, const Registry& registry, const VerticalManifest& m,
                                          shared::Actor actor, VerticalChange change) {
  // Dependencies are checked against rows locked for the rest of the transaction.
  VERTICE_CO_ASSIGN_OR_RETURN(auto current, co_await CompanyVerticals().List(tx, {.limit = 200, .lock = true}));
  std::optional<json::object> before;
  for (const auto& row : current.items)
    if (row.at("vertical").as_string() == m.name) before = row;
  auto is_enabled = [&](const std::string& name) {
    for (const auto& row : current.items)
      if (row.at("vertical").as_string() == name) return row.at("enabled").as_bool();
    return false;
  };
  VERTICE_CO_TRY(CheckDependencies(registry, m, change.enabled, is_enabled));
  shared::Values values{{"enabled", change.enabled ? "true" : "false"}};
  if (change.config) values["config"] = json::serialize(*change.config);
  json::object after;
  if (before) {
    // The row is locked above, so its version is the current one.
    std::optional<int64_t> version = before->at("version").as_int64();
    VERTICE_CO_ASSIGN_OR_RETURN(after, co_await CompanyVerticals().Update(tx, m.name, std::move(values), version));
    VERTICE_CO_TRY(co_await tx.Query(kTouch, db::P(m.name)));
  } else {
    values["vertical"] = m.name;
    VERTICE_CO_ASSIGN_OR_RETURN(after, co_await CompanyVerticals().Create(tx, std::move(values)));
  }
  // Named first: GCC 12 miscompiles ?: temporaries inside co_await (ADR 0001).
  std::string action = change.enabled ? "vertical.enabled" : "vertical.disabled";
  std::string before_text = before ? json::serialize(*before) : std::string();
  std::string after_text = json::serialize(after);
  VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor, action, "company_vertical", m.name, before_text, after_text));
  co_return after;
}

}  // namespace vertice::verticals
