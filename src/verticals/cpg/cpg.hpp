// CPG retail (consumer packaged goods through retail points of sale, partly on consignment):
// the pieces vertical.cpp assembles into the manifest.
#pragma once

#include <vector>

#include "shared/idempotency.hpp"
#include "shared/state_machine.hpp"
#include "verticals/vertical.hpp"

namespace vertice::verticals::cpg {

// draft → delivered → partially_settled → settled, with returned and cancelled.
const shared::StateMachine& ConsignmentMachine();

// Idempotency keys of POS sales, consignments and settlements (cpg_idempotency_keys, 24 h).
const shared::IdempotencyStore& IdempotencyKeys();

std::vector<VerticalRoute> CatalogRoutes();      // products, points of sale, POS sales
std::vector<VerticalRoute> ConsignmentRoutes();  // consignments, transitions, settlements
std::vector<VerticalRoute> ReportRoutes();       // sell-through, consignment aging, POS ranking

}  // namespace vertice::verticals::cpg
