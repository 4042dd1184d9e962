// One company out of a database and into another (or back into the same one): `vertice company
// export|import`. Runs on a direct connection as the owner role (row-level security does not hide
// rows from the tables' owner), one transaction each way.
//
// What travels (decided once, here; docs/operations.md says the same to operators):
//   - every row of every table with a company_id column (found in the catalog, so a new
//     vertical's tables travel without a change here), the company's own row included, in
//     foreign-key order;
//   - the tenant's users that those rows reference (memberships, API keys' creators), password
//     hashes included so people sign in after a move; API keys travel as their hashes, revoked
//     ones stay revoked. The file is as secret as a backup: it is written with mode 0600;
//   - not: sessions and login failures (live credentials; people sign in again), and derived
//     data — the unified view, its daily totals, change feed, refresh queue and log — which the
//     importing database's triggers rebuild as rows arrive and `vertice refresh` verifies.
// Import keeps ids (identity sequences move past them). Into another database that is only
// possible while no other company there holds the same ids; a collision is refused.
// The tenant is created from the file when the database has none of that id.
// The audit log is append-only even for the owner: --replace keeps the company's audit rows and
// adds the file's missing ones, plus one "company.imported" row.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "portability/company_file.hpp"

namespace vertice::portability {

// Writes the company's file to `out`, from one consistent snapshot; the header's summaries.
db::Task<Result<Header>> ExportCompany(db::Connection& conn, std::string company_id, std::ostream& out);

struct ImportOptions {
  bool replace = false;  // an existing company's rows are deleted first (only that company's)
  std::string actor = "cli:operator";
};

struct ImportReport {
  Header header;
  bool tenant_created = false;
  bool replaced = false;
  int64_t rows = 0;       // rows inserted
  int64_t rows_kept = 0;  // merge-table rows already present (users, audit rows)
};

// Reads a company file from `in` into the database in one transaction: refused, with nothing
// changed, on another schema (migrations), a damaged or edited file, or an existing company
// without `replace`. Afterwards every table's rows of the company match the file's checksums.
db::Task<Result<ImportReport>> ImportCompany(db::Connection& conn, std::istream& in, ImportOptions options);

}  // namespace vertice::portability
