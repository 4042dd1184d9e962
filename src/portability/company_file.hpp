// The company file `vertice company export` writes and `vertice company import` reads: JSON
// Lines, one self-describing document per company (docs/operations.md, "Moving or restoring one
// company"):
//   line 1    {"format":"vertice-company-export","format_version":1,"vertice_version":…,
//              "exported_at":…,"tenant":{"tenant_id","name"},"company":{"company_id","legal_name"},
//              "migrations":[{"component","version"}…],
//              "tables":[{"name","rows","checksum","mode"}…]}   (tables in insertion order)
//   then      {"table":"cpg_sales","row":{…}}                   (one line per row, table by table)
//   last line {"end":{"rows":N,"sha256":"…"}}                  (SHA-256 of every byte before it)
// A table's checksum is SHA-256 over the sorted MD5s of its rows' to_jsonb text (computed by
// PostgreSQL, so the exporting and the importing database compute it alike). Pure: no database.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vertice::portability {

inline constexpr std::string_view kFormatName = "vertice-company-export";
inline constexpr int64_t kFormatVersion = 1;

// How import treats a table: kCompany rows are the company's alone (deleted by --replace);
// kMerge rows are kept when present (the append-only audit log, the tenant's users).
enum class TableMode { kCompany, kMerge };
std::string_view TableModeName(TableMode mode);

struct TableSummary {
  std::string name;
  int64_t rows = 0;
  std::string checksum;
  TableMode mode = TableMode::kCompany;
};

struct Migration {
  std::string component;
  int64_t version = 0;
  friend bool operator==(const Migration&, const Migration&) = default;
};

struct Header {
  int64_t format_version = kFormatVersion;
  std::string vertice_version, exported_at;
  std::string tenant_id, tenant_name, company_id, legal_name;
  std::vector<Migration> migrations;  // versioned migrations applied, by component and version
  std::vector<TableSummary> tables;
};

std::string HeaderLine(const Header& header);
// 400-class errors for anything but a version-1 company file header.
Result<Header> ParseHeader(std::string_view line);

std::string TrailerLine(int64_t rows, const std::string& sha256_hex);
struct Trailer {
  int64_t rows = 0;
  std::string sha256;
};
// The trailer, or nothing when `line` is a row line.
std::optional<Trailer> ParseTrailer(std::string_view line);

// A table's checksum from its rows' MD5s (hex), in any order: as PostgreSQL computes it.
std::string TableChecksum(std::vector<std::string> row_md5s);

// SHA-256 over the bytes written or read so far (libsodium), as lower-case hex.
class RunningDigest {
 public:
  RunningDigest() { crypto_hash_sha256_init(&state_); }
  void Update(std::string_view bytes);
  std::string Hex();  // finishes: call once

 private:
  crypto_hash_sha256_state state_;
};

}  // namespace vertice::portability
