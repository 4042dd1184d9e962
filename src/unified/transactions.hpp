// Reads of the unified view (universal_transactions_mv) through its company-scoped faces: the
// transactions list (one row per economic event from core invoices and every vertical) and the
// revenue report, which answers from the monthly totals whenever the request allows it.
#pragma once

#include "shared/list.hpp"
#include "shared/report.hpp"

namespace vertice::unified {

// Newest first; ?type=a,b &vertical=a,b &from= &to=.
const shared::ListDefinition& TransactionList();

// The revenue report over events (any days) or over monthly totals (whole months, no finer
// grouping): the same answer, the second reads a few dozen rows for a year.
const shared::ReportDefinition& RevenueReport();
const shared::ReportDefinition& MonthlyRevenueReport();
bool MonthlyIsEnough(const shared::ReportRequest& request);
// The definition that answers `request`.
const shared::ReportDefinition& RevenueReportFor(const shared::ReportRequest& request);

}  // namespace vertice::unified
