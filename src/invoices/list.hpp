// The company's invoices as a list: filters by date, type, direction, status, payment state,
// counterparty, amount and a quick search; newest first or by amount (shared/list.hpp pages).
#pragma once

#include "shared/list.hpp"

namespace vertice::invoices {

const shared::ListDefinition& InvoiceList();

}  // namespace vertice::invoices
