// Which verticals a company uses: enabling, disabling and configuring one (owners), with the
// manifest's dependencies enforced both ways, the change audited, and the configuration a
// vertical's handlers get (its defaults with the company's settings over them).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>

#include "shared/audit.hpp"
#include "shared/dal.hpp"
#include "verticals/registry.hpp"

namespace vertice::verticals {

// company_verticals rows, keyed by vertical name.
const shared::Dal& CompanyVerticals();

// The vertical's defaults with the company's own settings over them.
boost::json::object MergedConfig(const VerticalManifest& m, const boost::json::value& company_config);

// Pure: enabling needs every dependency enabled (422 verticals.dependency_disabled); disabling
// needs no enabled vertical to depend on it (422 verticals.required_by).
Status CheckDependencies(const Registry& registry, const VerticalManifest& m, bool enable,
                         const std::function<bool(const std::string&)>& is_enabled);

struct VerticalChange {
  bool enabled = false;
  std::optional<boost::json::object> config;  // nullopt: keep the stored one
};

// Applies the change with the company's rows locked; returns the stored row.
db::Task<Result<boost::json::object>> SetEnabled(db::Transaction& tx, const Registry& registry,
                                                 const VerticalManifest& m, shared::Actor actor, VerticalChange change);

}  // namespace vertice::verticals
