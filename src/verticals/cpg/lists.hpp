// The retail vertical's lists (shared/list.hpp pages): products, consignments and POS sales.
#pragma once

#include "shared/list.hpp"

namespace vertice::verticals::cpg {

// ?pos_id= &status= &from= &to= (consigned on).
const shared::ListDefinition& ConsignmentList();
// ?pos_id= &from= &to= (business date) &payment_method= &product_id= (a line of it) &ticket=; newest first.
const shared::ListDefinition& SaleList();
// ?active= &sku= &q= (text in the SKU or the name) &sort=product_id|sku|name.
const shared::ListDefinition& ProductList();

}  // namespace vertice::verticals::cpg
