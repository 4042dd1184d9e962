// What the invoices add up to: vigente totals by month, and receivables/payables by counterparty
// in age buckets (0–30, 31–60, 61–90, 90+ days) against a day in Mexico City.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "db/pool.hpp"

namespace vertice::invoices {

// {"currency": "MXN", "items": [{month, direction, tipo, count, total_mxn, outstanding_mxn}]}
db::Task<Result<boost::json::object>> MonthlySummary(db::Transaction& tx, std::optional<std::string> from,
                                                     std::optional<std::string> to);

// direction "issued" (receivables) or "received" (payables); as_of empty: today in Mexico City by
// `clock`. {"direction", "as_of", "currency", "totals": {outstanding_mxn, buckets}, "items": [...]}
db::Task<Result<boost::json::object>> Aging(db::Transaction& tx, std::string direction, std::string as_of,
                                            const Clock& clock);

}  // namespace vertice::invoices
