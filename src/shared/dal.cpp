#include "shared/dal.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/field_errors.hpp"
#include "shared/decimal.hpp"
#include "shared/sql_identifier.hpp"

namespace vertice::shared {

namespace json = boost::json;

namespace {

const char* CastFor(ColumnType t) {
  switch (t) {
    case ColumnType::kText:
      return "text";
    case ColumnType::kMoney:
      return "numeric";
    case ColumnType::kDecimal:
      return "numeric";
    case ColumnType::kInteger:
      return "bigint";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kJson:
      return "jsonb";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTimestamp:
      return "timestamptz";
    case ColumnType::kUuid:
      return "uuid";
  }
  return "text";
}

}  // namespace

Dal::Dal(TableSpec spec) : spec_(std::move(spec)) {
  table_ = QuoteIdentifier(spec_.table);
  id_ = QuoteIdentifier(spec_.id_column);
  select_list_ = fmt::format("{}::text AS {}", id_, id_);
  for (const auto& c : spec_.columns) {
    auto q = QuoteIdentifier(c.name);
    if (c.name == "tenant_id" || c.name == "company_id" || c.name == "version" || c.name == spec_.id_column)
      throw std::logic_error("Dal spec must not declare " + c.name);
    if (!c.readable) continue;
    // Timestamps as ISO 8601 (the session time zone is UTC); everything else as text.
    select_list_ += c.type == ColumnType::kTimestamp ? fmt::format(", to_json({0})#>>'{{}}' AS {0}", q)
                                                     : fmt::format(", {0}::text AS {0}", q);
  }
  if (spec_.versioned) select_list_ += ", \"version\"";
  get_sql_ =
      fmt::format("SELECT {} FROM {} WHERE tenant_id = $1 AND company_id = $2 AND {} = $3", select_list_, table_, id_);
}

const ColumnSpec* Dal::Column(std::string_view name) const {
  for (const auto& c : spec_.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Status Dal::CheckValues(const Values& values) const {
  FieldErrors errors;
  for (const auto& [name, value] : values) {
    if (spec_.id_writable && name == spec_.id_column) continue;
    const auto* c = Column(name);
    if (c == nullptr || !c->writable) {
      errors.Add(name, "unknown_field", "no es un campo modificable");
      continue;
    }
    if (!value) continue;
    if (c->type == ColumnType::kMoney && !ParseStoredMoney(*value))
      errors.Add(name, "invalid_field", "no es un importe válido");
    if (c->type == ColumnType::kDecimal && !Rate::Parse(*value))
      errors.Add(name, "invalid_field", "no es un número válido");
    if (c->type == ColumnType::kJson) {
      boost::system::error_code ec;
      (void)json::parse(*value, ec);
      if (ec) errors.Add(name, "invalid_field", "no es JSON válido");
    }
  }
  return errors.ToStatus();
}

// Columns are read by position: the select list is always id, the spec's columns, then version.
json::object Dal::RowJson(const db::Rows& rows, int i) const {
  json::object o(spec_.columns.size() + 2);
  o.emplace(spec_.id_column, rows.Get(i, 0));
  int col = 1;
  for (const auto& c : spec_.columns) {
    if (!c.readable) continue;
    int k = col++;
    if (rows.IsNull(i, k)) {
      o.emplace(c.name, nullptr);
      continue;
    }
    auto v = rows.Get(i, k);
    switch (c.type) {
      case ColumnType::kInteger:
        o.emplace(c.name, std::stoll(std::string(v)));
        break;
      case ColumnType::kBoolean:
        o.emplace(c.name, v == "true" || v == "t");
        break;
      case ColumnType::kJson:
        o.emplace(c.name, json::parse(v));
        break;
      default:
        o.emplace(c.name, v);  // money and decimals stay strings
    }
  }
  if (spec_.versioned) o.emplace("version", std::stoll(std::string(rows.Get(i, col))));
  return o;
}

db::Task<Result<json::object>> Dal::Create(db::Transaction& tx, Values values) const {
  VERTICE_CO_TRY(CheckValues(values));
  const auto& scope = tx.Scope();
  db::Params params = db::P(scope.tenant_id, scope.company_id);
  std::string cols = "tenant_id, company_id", vals = "$1, $2";
  for (const auto& [name, value] : values) {
    params.push_back(value);
    cols += ", " + QuoteIdentifier(name);
    // The caller-supplied id takes the column's own type from the table (untyped parameter).
    vals += Column(name) ? fmt::format(", ${}::{}", params.size(), CastFor(Column(name)->type))
                         : fmt::format(", ${}", params.size());
  }
  auto sql = fmt::format("INSERT INTO {} ({}) VALUES ({}) RETURNING {}", table_, cols, vals, select_list_);
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(std::move(sql), std::move(params)));
  co_return RowJson(rows, 0);
}

db::Task<Result<json::object>> Dal::Get(db::Transaction& tx, std::string id, bool lock) const {
  const auto& scope = tx.Scope();
  // Built before the co_await: GCC 12 destroys a conditional's temporary twice inside co_await.
  std::string sql = lock ? get_sql_ + " FOR UPDATE" : get_sql_;
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                              co_await tx.Query(std::move(sql), db::P(scope.tenant_id, scope.company_id, id)));
  if (rows.Empty()) co_return std::unexpected(NotFound("El registro no existe."));
  co_return RowJson(rows, 0);
}

db::Task<Result<Page>> Dal::ListImpl(db::Transaction& tx, ListOptions options) const {
  if (options.limit < 1 || options.limit > 500)
    co_return Fail(ErrorKind::kInvalidInput, "invalid_limit", "limit debe estar entre 1 y 500.");
  const auto& scope = tx.Scope();
  db::Params params = db::P(scope.tenant_id, scope.company_id);
  std::string where = "tenant_id = $1 AND company_id = $2";
  FieldErrors errors;
  for (const auto& [name, value] : options.equals) {
    const auto* c = Column(name);
    if (c == nullptr || !c->filterable) {
      errors.Add(name, "unknown_field", "no se puede filtrar por este campo");
      continue;
    }
    params.push_back(value);
    where += fmt::format(" AND {} = ${}::{}", QuoteIdentifier(name), params.size(), CastFor(c->type));
  }
  VERTICE_CO_TRY(errors.ToStatus());
  if (options.after) {
    params.push_back(*options.after);
    where += fmt::format(" AND {} > ${}", id_, params.size());
  }
  params.push_back(std::to_string(options.limit + 1));
  auto sql =
      // Qualified: the select list exposes the id as text under the same name, which would sort as text.
      fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {}.{} LIMIT ${}{}", select_list_, table_, where, table_, id_,
                  params.size(), options.lock ? " FOR UPDATE" : "");
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(std::move(sql), std::move(params)));
  Page page;
  int n = std::min(rows.Size(), options.limit);
  for (int i = 0; i < n; ++i) page.items.push_back(RowJson(rows, i));
  if (rows.Size() > options.limit) page.next_after = rows.Str(n - 1, spec_.id_column);
  co_return page;
}

db::Task<Result<json::object>> Dal::Update(db::Transaction& tx, std::string id, Values values,
                                           std::optional<int64_t> expected_version) const {
  if (values.contains(spec_.id_column))
    co_return Fail(ErrorKind::kInvalidInput, "unknown_field", "El identificador no se puede modificar.");
  VERTICE_CO_TRY(CheckValues(values));
  if (spec_.versioned && !expected_version)
    co_return Fail(ErrorKind::kInvalidInput, "missing_field", "Falta 'version': la versión del registro que se leyó.");
  const auto& scope = tx.Scope();
  db::Params params = db::P(scope.tenant_id, scope.company_id, id);
  std::string sets;
  for (const auto& [name, value] : values) {
    params.push_back(value);
    if (!sets.empty()) sets += ", ";
    sets += fmt::format("{} = ${}::{}", QuoteIdentifier(name), params.size(), CastFor(Column(name)->type));
  }
  std::string where = fmt::format("tenant_id = $1 AND company_id = $2 AND {} = $3", id_);
  if (spec_.versioned) {
    if (!sets.empty()) sets += ", ";
    sets += "\"version\" = \"version\" + 1";
    params.push_back(std::to_string(*expected_version));
    where += fmt::format(" AND \"version\" = ${}", params.size());
  }
  if (sets.empty()) co_return co_await Get(tx, id);
  auto sql = fmt::format("UPDATE {} SET {} WHERE {} RETURNING {}", table_, sets, where, select_list_);
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(std::move(sql), std::move(params)));
  if (!rows.Empty()) co_return RowJson(rows, 0);
  auto current = co_await Get(tx, id);
  if (!current) co_return std::unexpected(current.error());
  co_return Fail(ErrorKind::kConflict, "stale_version",
                 "El registro cambió desde que se leyó; vuelva a cargarlo e intente de nuevo.",
                 boost::json::object{{"current_version", current->at("version").as_int64()}});
}

db::Task<Status> Dal::Delete(db::Transaction& tx, std::string id, std::optional<int64_t> expected_version) const {
  const auto& scope = tx.Scope();
  db::Params params = db::P(scope.tenant_id, scope.company_id, id);
  std::string where = fmt::format("tenant_id = $1 AND company_id = $2 AND {} = $3", id_);
  if (spec_.versioned && expected_version) {
    params.push_back(std::to_string(*expected_version));
    where += " AND \"version\" = $4";
  }
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows,
      co_await tx.Query(fmt::format("DELETE FROM {} WHERE {} RETURNING {}", table_, where, id_), std::move(params)));
  if (!rows.Empty()) co_return Status{};
  auto current = co_await Get(tx, id);
  if (!current) co_return std::unexpected(current.error());
  co_return Fail(ErrorKind::kConflict, "stale_version",
                 "El registro cambió desde que se leyó; vuelva a cargarlo e intente de nuevo.");
}

}  // namespace vertice::shared
