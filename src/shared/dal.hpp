// Tenant-scoped data access (the seed's VerticalDAL): create, get, list, update and delete on a
// declared table. tenant_id and company_id come from the transaction's scope and are added to
// every statement — callers cannot forget or override them; RLS checks them again underneath.
// Identifiers come only from the declared spec; every value is a bound parameter.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/pool.hpp"

namespace vertice::shared {

enum class ColumnType { kText, kMoney, kDecimal, kInteger, kBoolean, kJson, kDate, kTimestamp, kUuid };

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool writable = true;     // may be set by Create/Update
  bool filterable = false;  // may be used as an equality filter in List
  bool readable = true;     // false: written but never returned (e.g. a key hash)
};

struct TableSpec {
  std::string table;
  std::string id_column = "id";     // ordered key for keyset pagination (bigint identity or uuid)
  bool versioned = true;            // has an integer `version` column for optimistic concurrency
  std::vector<ColumnSpec> columns;  // excluding tenant_id, company_id and version
  bool id_writable = false;         // Create takes the id from the caller (a membership's user_id)
};

// Values as text ("1500.00", "true", JSON text for kJson); nullopt stores NULL.
using Values = std::map<std::string, std::optional<std::string>>;

struct ListOptions {
  int limit = 50;
  std::optional<std::string> after;  // the id of the last row of the previous page
  std::map<std::string, std::string> equals;
  bool lock = false;  // SELECT … FOR UPDATE: hold the rows until the transaction ends
};

struct Page {
  std::vector<boost::json::object> items;
  std::optional<std::string> next_after;
};

class Dal {
 public:
  // Throws std::logic_error on a spec with an invalid identifier (a programming error).
  explicit Dal(TableSpec spec);

  db::Task<Result<boost::json::object>> Create(db::Transaction& tx, Values values) const;
  // lock: SELECT … FOR UPDATE, so the row cannot change until the transaction ends.
  db::Task<Result<boost::json::object>> Get(db::Transaction& tx, std::string id, bool lock = false) const;
  // (A plain function over ListImpl: GCC 12 miscompiles aggregate coroutine parameters built
  // from braced lists, and callers naturally write List(tx, {.limit = 20}).)
  db::Task<Result<Page>> List(db::Transaction& tx, ListOptions options) const {
    return ListImpl(tx, std::move(options));
  }
  // Versioned tables need the version the caller read: a stale one → 409 stale_version.
  db::Task<Result<boost::json::object>> Update(db::Transaction& tx, std::string id, Values values,
                                               std::optional<int64_t> expected_version) const;
  db::Task<Status> Delete(db::Transaction& tx, std::string id, std::optional<int64_t> expected_version) const;

  const TableSpec& Spec() const { return spec_; }
  // SQL text built for a call, exposed for the seed's case-3 style assertions.
  std::string GetSql() const { return get_sql_; }

 private:
  db::Task<Result<Page>> ListImpl(db::Transaction& tx, ListOptions options) const;
  const ColumnSpec* Column(std::string_view name) const;
  Status CheckValues(const Values& values) const;
  boost::json::object RowJson(const db::Rows& rows, int i) const;

  TableSpec spec_;
  std::string table_;
  std::string id_;
  std::string select_list_;
  std::string get_sql_;
};

}  // namespace vertice::shared
