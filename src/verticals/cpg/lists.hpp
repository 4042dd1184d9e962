// The retail vertical's lists (shared/list.hpp pages): consignments and POS sales, newest first.
#pragma once

#include "shared/list.hpp"

namespace vertice::verticals::cpg {

// ?pos_id= &status= &from= &to= (consigned on).
const shared::ListDefinition& ConsignmentList();
// ?pos_id= &from= &to= (business date).
const shared::ListDefinition& SaleList();

}  // namespace vertice::verticals::cpg
