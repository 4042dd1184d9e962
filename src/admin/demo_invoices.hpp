// The demo's CFDI for acme: a year of issued invoices to retail chains (PUE and PPD, payment
// complements, some partial and some overdue, credit notes, a USD sale) and received supplier
// invoices, generated with the CFDI builder (no files from outside the repository) relative to
// today, with fixed UUIDs so loading twice changes nothing.
#pragma once

#include "db/pool.hpp"

namespace vertice::admin {

// Imports them through the invoice importer into demo/acme; returns how many were new.
db::Task<Result<int>> LoadDemoInvoices(db::Pool& pool);

}  // namespace vertice::admin
