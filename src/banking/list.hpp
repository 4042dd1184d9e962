// The company's imported statements and bank movements as lists (shared/list.hpp pages).
#pragma once

#include "shared/list.hpp"

namespace vertice::banking {

// Newest first; ?account_id=.
const shared::ListDefinition& StatementList();
// Newest booking first; ?account_id= &statement_id= &from= &to= &status= &direction=in|out
// &min_amount= &max_amount= (absolute) &q= (description, references, counterparty).
const shared::ListDefinition& MovementList();

}  // namespace vertice::banking
