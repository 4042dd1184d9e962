// A module's own words for the constraints its statements may break: the table sits next to the
// module's SQL and names each constraint as PostgreSQL reports it (pg_constraint.conname, or the
// unique index), so a duplicate folio is `cpg.duplicate_folio` because that constraint fired — not
// because some unique violation happened somewhere in the statement.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vertice::db {

struct ConstraintError {
  std::string_view constraint;
  ErrorKind kind;
  std::string_view code;
  std::string_view message;  // client-safe, Spanish
};

using ConstraintTable = std::span<const ConstraintError>;

// The table's error when `e` broke one of its constraints (the database's details, which name the
// constraint, are dropped; sqlstate, constraint and internal stay for the logs); `e` otherwise.
inline Error Remap(Error e, ConstraintTable table) {
  if (e.constraint.empty()) return e;
  for (const auto& c : table) {
    if (c.constraint != e.constraint) continue;
    e.kind = c.kind;
    e.code = std::string(c.code);
    e.message = std::string(c.message);
    e.details.clear();
    break;
  }
  return e;
}

}  // namespace vertice::db
