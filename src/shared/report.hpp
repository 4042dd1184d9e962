// Safe report builder (the seed's ReportBuilder): aggregate queries from a declared definition.
// Every identifier comes from the definition's allow-lists, every value is bound, and the
// company filter is added from the transaction's scope. Anything else → 400 naming the field.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/pool.hpp"

namespace vertice::shared {

struct ReportDimension {
  std::string name;               // what requests say: "transaction_type", "month"
  std::string sql;                // trusted SQL expression from code: "date_trunc('month', fecha)::date"
  bool finer_than_month = false;  // needs the source's day rows ("day", "week")
};

struct ReportMeasure {
  std::string name;  // "total"
  std::string sql;   // "sum(monto_total)"
};

struct ReportFilter {
  std::string name;    // request name
  std::string column;  // column compared with = ANY($n)
};

struct ReportDefinition {
  std::string source;       // table or view with tenant_id and company_id
  std::string date_column;  // for from/to and the day/week/month dimensions
  std::vector<ReportDimension> dimensions;
  std::vector<ReportMeasure> measures;
  std::vector<ReportFilter> filters;
  int max_rows = 5000;
  // When set, `source` is a set-returning function called as source(from, to, daily) that answers
  // the date range itself (from rollups): no date condition is added, and `daily` is true when a
  // dimension finer than a month ("day", "week") is asked for.
  bool source_takes_range = false;
  // Condition on each group (e.g. "sum(count) <> 0": deltas that cancel out are no group).
  std::string having;

  // Adds "day", "week" and "month" buckets of date_column.
  ReportDefinition& WithDateBuckets();
};

struct ReportRequest {
  std::vector<std::string> group_by;
  std::vector<std::string> measures;
  std::optional<std::string> from;  // inclusive date YYYY-MM-DD
  std::optional<std::string> to;    // inclusive date
  std::vector<std::pair<std::string, std::vector<std::string>>> filters;
  std::vector<std::string> sort;  // names of selected dimensions/measures, "-" prefix for descending
  std::optional<int> limit;
};

// Parses `group_by=a,b&measures=total&from=…&to=…&filter.vertical=cpg,services&sort=-total&limit=…`.
Result<ReportRequest> ParseReportQuery(std::string_view query);

struct BuiltReport {
  std::string sql;
  db::Params params;
  std::vector<std::string> columns;  // dimension names then measure names, in order
};

// {"columns": [...], "rows": [{name: value-as-text-or-null, ...}]}: amounts stay exact text.
boost::json::object ReportRowsJson(const BuiltReport& report, const db::Rows& rows);

Result<BuiltReport> BuildReport(const ReportDefinition& def, const ReportRequest& req, const db::TenantScope& scope);

}  // namespace vertice::shared
