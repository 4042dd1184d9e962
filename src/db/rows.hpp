// An owned libpq result with typed accessors by row and column name.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vertice::db {

class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* res) : res_(res, &PQclear) {}

  int Size() const { return res_ ? PQntuples(res_.get()) : 0; }
  bool Empty() const { return Size() == 0; }
  int Column(std::string_view name) const;
  int Columns() const { return res_ ? PQnfields(res_.get()) : 0; }
  std::string_view ColumnName(int col) const { return PQfname(res_.get(), col); }
  unsigned ColumnType(int col) const { return PQftype(res_.get(), col); }  // the type's OID
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  std::string_view Get(int row, int col) const {
    return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
  }
  std::string_view Get(int row, std::string_view name) const { return Get(row, Column(name)); }
  std::string Str(int row, std::string_view name) const { return std::string(Get(row, name)); }
  std::optional<std::string> Opt(int row, std::string_view name) const;
  int64_t Int(int row, std::string_view name) const;
  bool Bool(int row, std::string_view name) const { return Get(row, name) == "t"; }
  int64_t Affected() const;

 private:
  std::shared_ptr<PGresult> res_;
};

}  // namespace vertice::db
