// The demo's bank: for acme and globex, an account and the last 30 days of movements a Mexican SME
// sees — customers paying invoices by SPEI (some quoting the folio, some not), transfers to
// suppliers with the bank's SPEI fee and its IVA, payroll every fortnight, the monthly tax payment,
// account fees and interest — built from the company's own demo invoices and billings, imported
// through the statement importer and reconciled, so the reconciliation screen shows what it is for.
#pragma once

#include "db/pool.hpp"

namespace vertice::admin {

// Idempotent: a second load imports nothing new (the importer recognises every line). Returns the
// movements imported.
db::Task<Result<int>> LoadDemoBank(db::Pool& pool);

}  // namespace vertice::admin
