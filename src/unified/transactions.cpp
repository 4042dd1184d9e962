#include "unified/transactions.hpp"

namespace vertice::unified {

const shared::ListDefinition& TransactionList() {
  using shared::KeyType;
  static const shared::ListDefinition def{
      .source = "universal_transactions t",
      .scope = "t.company_id = vertice_current_company()",
      // Text fields a row may lack are "" (what the list always answered), amounts exact text.
      .fields = {{"transaction_type", "t.transaction_type"},
                 {"source_table", "t.source_table"},
                 {"source_id", "t.source_id"},
                 {"fecha", "t.fecha"},
                 {"monto_total", "t.monto_total"},
                 {"moneda", "coalesce(t.moneda, '')"},
                 {"status", "coalesce(t.status, '')"},
                 {"vertical", "coalesce(t.vertical, '')"}},
      .filters = {shared::InList("type", "t.transaction_type"), shared::InList("vertical", "t.vertical"),
                  shared::DateOnOrAfter("from", "t.fecha"), shared::DateOnOrBefore("to", "t.fecha")},
      // The (company_id, fecha DESC, source_table DESC, source_id DESC) index, read in order: one
      // direction, so the cursor is a single row comparison the index scan starts at.
      .sorts = {{"-fecha",
                 {{"t.fecha", KeyType::kDate, true},
                  {"t.source_table", KeyType::kText, true},
                  {"t.source_id", KeyType::kText, true}}}},
  };
  return def;
}

// Every range from the rollups (universal_revenue_rollup: whole months from the monthly totals,
// the other days from the daily totals); no report reads events, since every dimension it allows
// (type, vertical, source, status, day, week, month) is a column of the totals.
const shared::ReportDefinition& RevenueReport() {
  static const shared::ReportDefinition def = [] {
    shared::ReportDefinition d{"universal_revenue_rollup",
                               "fecha",
                               {{"transaction_type", "transaction_type"},
                                {"vertical", "vertical"},
                                {"source_table", "source_table"},
                                {"status", "status"}},
                               {{"total", "sum(total)::numeric(18,2)"}, {"count", "coalesce(sum(count), 0)::bigint"}},
                               {{"transaction_type", "transaction_type"}, {"vertical", "vertical"}}};
    d.source_takes_range = true;
    d.having = "sum(count) <> 0";
    d.WithDateBuckets();
    return d;
  }();
  return def;
}

}  // namespace vertice::unified
