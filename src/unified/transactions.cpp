#include "unified/transactions.hpp"

#include <fmt/format.h>

#include "shared/validation.hpp"

namespace vertice::unified {

namespace {

// Text fields a row may lack are "" (what the list always answered), amounts exact text.
constexpr const char* kTransactionItem = R"sql(json_build_object(
  'transaction_type', t.transaction_type, 'source_table', t.source_table, 'source_id', t.source_id,
  'fecha', t.fecha::text, 'monto_total', t.monto_total::text, 'moneda', coalesce(t.moneda, ''),
  'status', coalesce(t.status, ''), 'vertical', coalesce(t.vertical, '')))sql";

bool IsMonthStart(const std::optional<std::string>& d) { return !d || d->ends_with("-01"); }
// The last day of its month: the next day number is not a date.
bool IsMonthEnd(const std::optional<std::string>& d) {
  if (!d) return true;
  int day = std::stoi(d->substr(8, 2));
  return !shared::IsIsoDate(fmt::format("{}{:02}", d->substr(0, 8), day + 1));
}

}  // namespace

const shared::ListDefinition& TransactionList() {
  using shared::KeyType;
  static const shared::ListDefinition def{
      .source = "universal_transactions t",
      .scope = "t.company_id = vertice_current_company()",
      .item = kTransactionItem,
      .filters = {shared::InList("type", "t.transaction_type"), shared::InList("vertical", "t.vertical"),
                  shared::DateOnOrAfter("from", "t.fecha"), shared::DateOnOrBefore("to", "t.fecha")},
      // The (company_id, fecha DESC, source_table, source_id) index, read in order.
      .sorts = {{"-fecha",
                 {{"t.fecha", KeyType::kDate, true},
                  {"t.source_table", KeyType::kText, false},
                  {"t.source_id", KeyType::kText, false}}}},
  };
  return def;
}

const shared::ReportDefinition& RevenueReport() {
  static const shared::ReportDefinition def = [] {
    shared::ReportDefinition d{"universal_revenue_events",
                               "fecha",
                               {{"transaction_type", "transaction_type"},
                                {"vertical", "vertical"},
                                {"source_table", "source_table"},
                                {"status", "status"}},
                               {{"total", "sum(monto_total)"}, {"count", "count(*)"}},
                               {{"transaction_type", "transaction_type"}, {"vertical", "vertical"}}};
    d.WithDateBuckets();
    return d;
  }();
  return def;
}

const shared::ReportDefinition& MonthlyRevenueReport() {
  static const shared::ReportDefinition def{"universal_revenue_monthly",
                                            "month",
                                            {{"transaction_type", "transaction_type"},
                                             {"vertical", "vertical"},
                                             {"source_table", "source_table"},
                                             {"status", "status"},
                                             {"month", "month"}},
                                            {{"total", "sum(total)"}, {"count", "sum(count)::bigint"}},
                                            {{"transaction_type", "transaction_type"}, {"vertical", "vertical"}}};
  return def;
}

bool MonthlyIsEnough(const shared::ReportRequest& r) {
  for (const auto& g : r.group_by)
    if (g == "day" || g == "week") return false;
  if (r.from && !shared::IsIsoDate(*r.from)) return false;
  if (r.to && !shared::IsIsoDate(*r.to)) return false;
  return IsMonthStart(r.from) && IsMonthEnd(r.to);
}

const shared::ReportDefinition& RevenueReportFor(const shared::ReportRequest& request) {
  return MonthlyIsEnough(request) ? MonthlyRevenueReport() : RevenueReport();
}

}  // namespace vertice::unified
