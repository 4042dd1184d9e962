// The demo's verticals: acme runs CPG retail (products, 20 points of sale, a year of tickets and
// consignments in every state), globex runs services (contracts and monthly billings). Each
// vertical's own sql/demo.sql writes the rows; the unified view is refreshed afterwards.
#pragma once

#include "db/connection.hpp"
#include "verticals/registry.hpp"

namespace vertice::admin {

// Enables the verticals and loads their demo rows once (a company that already has the vertical
// is left alone). Returns how many vertical demos were loaded.
db::Task<Result<int>> LoadDemoVerticals(db::Connection& conn, const verticals::Registry& registry);

}  // namespace vertice::admin
