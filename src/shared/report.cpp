#include "shared/report.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/field_errors.hpp"
#include "shared/query_string.hpp"
#include "shared/sql_identifier.hpp"
#include "shared/validation.hpp"

namespace vertice::shared {

namespace {

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

ReportDefinition& ReportDefinition::WithDateBuckets() {
  auto col = QuoteIdentifier(date_column);
  dimensions.push_back({"day", fmt::format("{}::date", col), true});
  dimensions.push_back({"week", fmt::format("date_trunc('week', {})::date", col), true});
  dimensions.push_back({"month", fmt::format("date_trunc('month', {})::date", col), false});
  return *this;
}

Result<ReportRequest> ParseReportQuery(std::string_view query) {
  ReportRequest req;
  FieldErrors errors;
  VERTICE_ASSIGN_OR_RETURN(auto params, ParseQueryString(query));
  for (auto& [key, value] : params) {
    if (key == "group_by")
      req.group_by = SplitComma(value);
    else if (key == "measures")
      req.measures = SplitComma(value);
    else if (key == "sort")
      req.sort = SplitComma(value);
    else if (key == "from")
      req.from = value;
    else if (key == "to")
      req.to = value;
    else if (key == "limit") {
      try {
        size_t pos = 0;
        req.limit = std::stoi(value, &pos);
        if (pos != value.size()) throw std::invalid_argument("limit");
      } catch (...) {
        errors.Add("limit", "invalid_field", "debe ser un número entero");
      }
    } else if (key.starts_with("filter.")) {
      req.filters.emplace_back(key.substr(7), SplitComma(value));
    } else {
      errors.Add(key, "unknown_field", "parámetro desconocido");
    }
  }
  VERTICE_TRY(errors.ToStatus());
  return req;
}

Result<BuiltReport> BuildReport(const ReportDefinition& def, const ReportRequest& req, const db::TenantScope& scope) {
  FieldErrors errors;
  BuiltReport out;
  out.params = db::P(scope.tenant_id, scope.company_id);
  std::vector<std::string> select, group;
  auto find_dim = [&](const std::string& n) {
    return std::find_if(def.dimensions.begin(), def.dimensions.end(), [&](const auto& d) { return d.name == n; });
  };
  auto find_measure = [&](const std::string& n) {
    return std::find_if(def.measures.begin(), def.measures.end(), [&](const auto& m) { return m.name == n; });
  };
  for (const auto& g : req.group_by) {
    auto d = find_dim(g);
    if (d == def.dimensions.end()) {
      errors.Add("group_by", "invalid_field", "dimensión no permitida: " + g);
      continue;
    }
    select.push_back(fmt::format("{} AS {}", d->sql, QuoteIdentifier(d->name)));
    group.push_back(std::to_string(select.size()));
    out.columns.push_back(d->name);
  }
  auto measures = req.measures;
  if (measures.empty() && !def.measures.empty()) measures.push_back(def.measures.front().name);
  for (const auto& m : measures) {
    auto it = find_measure(m);
    if (it == def.measures.end()) {
      errors.Add("measures", "invalid_field", "medida no permitida: " + m);
      continue;
    }
    select.push_back(fmt::format("{} AS {}", it->sql, QuoteIdentifier(it->name)));
    out.columns.push_back(it->name);
  }
  std::string where = "tenant_id = $1 AND company_id = $2";
  std::string from_arg = "NULL::date", to_arg = "NULL::date";
  if (req.from) {
    if (!IsIsoDate(*req.from)) errors.Add("from", "invalid_field", "debe ser una fecha AAAA-MM-DD");
    out.params.emplace_back(*req.from);
    from_arg = fmt::format("${}::date", out.params.size());
    if (!def.source_takes_range) where += fmt::format(" AND {} >= {}", QuoteIdentifier(def.date_column), from_arg);
  }
  if (req.to) {
    if (!IsIsoDate(*req.to)) errors.Add("to", "invalid_field", "debe ser una fecha AAAA-MM-DD");
    out.params.emplace_back(*req.to);
    to_arg = fmt::format("${}::date", out.params.size());
    if (!def.source_takes_range) where += fmt::format(" AND {} < {} + 1", QuoteIdentifier(def.date_column), to_arg);
  }
  if (req.from && req.to && IsIsoDate(*req.from) && IsIsoDate(*req.to) && *req.from > *req.to)
    errors.Add("to", "invalid_field", "debe ser posterior a 'from'");
  for (const auto& [name, values] : req.filters) {
    auto f = std::find_if(def.filters.begin(), def.filters.end(), [&](const auto& x) { return x.name == name; });
    if (f == def.filters.end()) {
      errors.Add("filter." + name, "invalid_field", "filtro no permitido");
      continue;
    }
    out.params.emplace_back(db::TextArrayLiteral(values));
    where += fmt::format(" AND {}::text = ANY(${}::text[])", QuoteIdentifier(f->column), out.params.size());
  }
  std::vector<std::string> order;
  for (const auto& s : req.sort) {
    bool desc = s.starts_with('-');
    std::string name = desc ? s.substr(1) : s;
    auto pos = std::find(out.columns.begin(), out.columns.end(), name);
    if (pos == out.columns.end()) {
      errors.Add("sort", "invalid_field", "solo se puede ordenar por columnas del reporte: " + s);
      continue;
    }
    order.push_back(fmt::format("{}{}", pos - out.columns.begin() + 1, desc ? " DESC" : ""));
  }
  int limit = req.limit.value_or(def.max_rows);
  if (limit < 1 || limit > def.max_rows)
    errors.Add("limit", "invalid_field", fmt::format("debe estar entre 1 y {}", def.max_rows));
  if (select.empty()) errors.Add("measures", "missing_field", "indique al menos una medida");
  VERTICE_TRY(errors.ToStatus());
  if (order.empty()) order = group;
  std::string source = QuoteIdentifier(def.source);
  if (def.source_takes_range) {
    const bool daily = std::ranges::any_of(req.group_by, [&def](const std::string& g) {
      auto d = std::ranges::find(def.dimensions, g, &ReportDimension::name);
      return d != def.dimensions.end() && d->finer_than_month;
    });
    source = fmt::format("{}({}, {}, {}) AS r", source, from_arg, to_arg, daily ? "true" : "false");
  }
  out.sql = fmt::format("SELECT {} FROM {} WHERE {}", fmt::join(select, ", "), source, where);
  if (!group.empty()) out.sql += fmt::format(" GROUP BY {}", fmt::join(group, ", "));
  if (!group.empty() && !def.having.empty()) out.sql += " HAVING " + def.having;
  if (!order.empty()) out.sql += fmt::format(" ORDER BY {}", fmt::join(order, ", "));
  out.params.emplace_back(std::to_string(limit));
  out.sql += fmt::format(" LIMIT ${}", out.params.size());
  return out;
}

boost::json::object ReportRowsJson(const BuiltReport& report, const db::Rows& rows) {
  boost::json::array columns, out;
  for (const auto& c : report.columns) columns.push_back(boost::json::value(c));
  for (int i = 0; i < rows.Size(); ++i) {
    boost::json::object row;
    for (const auto& c : report.columns) {
      auto col = rows.Column(c);
      row[c] = rows.IsNull(i, col) ? boost::json::value(nullptr) : boost::json::value(rows.Get(i, col));
    }
    out.push_back(std::move(row));
  }
  return boost::json::object{{"columns", std::move(columns)}, {"rows", std::move(out)}};
}

}  // namespace vertice::shared
