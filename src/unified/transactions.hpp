// Reads of the unified view (universal_transactions_mv) through its company-scoped faces: the
// transactions list (one row per economic event from core invoices and every vertical) and the
// revenue report, which answers any date range from the monthly and daily totals.
#pragma once

#include "shared/list.hpp"
#include "shared/report.hpp"

namespace vertice::unified {

// Newest first; ?type=a,b &vertical=a,b &from= &to=.
const shared::ListDefinition& TransactionList();

// The revenue report: grouped by type, vertical, source, status, day, week or month over any
// range of days; a year reads a few dozen month rows plus the days of its partial months.
const shared::ReportDefinition& RevenueReport();

}  // namespace vertice::unified
