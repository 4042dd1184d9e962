// Export and import of one company (transfer.hpp). Rows travel as PostgreSQL's own to_jsonb text
// and come back through jsonb_populate_recordset, so every type (numeric, timestamptz, jsonb,
// arrays) round-trips exactly and checksums are computed by the server on both sides. Table and
// column names come from the catalog, quoted there by quote_ident; values are bound parameters.
#include "portability/transfer.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <istream>
#include <map>
#include <ostream>
#include <set>

#include "core/version.hpp"
#include "db/sqlstate.hpp"

namespace vertice::portability {

namespace json = boost::json;

namespace {

// Settings that fix how to_jsonb prints values, so both databases print a row alike.
constexpr const char* kSessionSettings =
    "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; "
    "SET LOCAL extra_float_digits = 1; SET LOCAL lock_timeout = '10s'";

// The tables with a company_id column, their insertable (not generated) columns, primary key and
// identity columns, quoted by the server.
constexpr const char* kCompanyTables = R"SQL(
SELECT c.relname AS name, quote_ident(c.relname) AS ident,
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
       COALESCE((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
                   FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                  WHERE i.indrelid = c.oid AND i.indisprimary), '') AS primary_key,
       COALESCE((SELECT json_agg(json_build_object('sequence', pg_get_serial_sequence(quote_ident(c.relname), a.attname),
                                                   'column', quote_ident(a.attname)) ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped),
                '[]')::text AS identities
  FROM pg_class c
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND (c.relname = 'users' OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'company_id'
                                                                   AND NOT a.attisdropped))
 ORDER BY c.relname
)SQL";

// Foreign keys between tables of the schema (child, parent).
constexpr const char* kForeignKeys = R"SQL(
SELECT DISTINCT k.conrelid::regclass::text AS child, k.confrelid::regclass::text AS parent,
       cl.relname AS child_name, pa.relname AS parent_name
  FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
 WHERE k.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace
)SQL";

// Which columns of which tables point at users.user_id (memberships, API keys' creators, …).
constexpr const char* kUserReferences = R"SQL(
SELECT cl.relname AS table_name, quote_ident(cl.relname) AS ident, quote_ident(a.attname) AS column_ident
  FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid
  CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(src, dst)
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.src
  JOIN pg_attribute r ON r.attrelid = k.confrelid AND r.attnum = u.dst
 WHERE k.contype = 'f' AND k.confrelid = 'users'::regclass AND r.attname = 'user_id'
 ORDER BY 1, 3
)SQL";

constexpr const char* kVersionedMigrations =
    "SELECT component, version::bigint AS version FROM schema_migrations WHERE kind = 'versioned' ORDER BY component, "
    "version";

// Tables with a company_id that do not travel: derived data the triggers and `vertice refresh`
// rebuild (the unified view's tables, its change feed and refresh queue and log: universal_*,
// mv_*), and live credentials.
bool IsDerivedOrSecret(const std::string& name) {
  return name.starts_with("universal_") || name.starts_with("mv_") || name == "sessions" || name == "login_failures";
}
// Append-only for everyone (a trigger refuses UPDATE and DELETE): kept on --replace.
bool IsAppendOnly(const std::string& name) { return name == "audit_log"; }

struct Table {
  std::string name, ident, columns, primary_key;
  struct Identity {
    std::string sequence, column;  // the sequence's qualified name, the column quoted
  };
  std::vector<Identity> identities;
  TableMode mode = TableMode::kCompany;
  std::string filter;  // a WHERE condition on alias t, with $1 the company id
};

Error Refused(const std::string& code, std::string message) {
  return Error{ErrorKind::kInvalidInput, "portability." + code, std::move(message), {}, {}};
}
Error Conflict(const std::string& code, std::string message) {
  return Error{ErrorKind::kConflict, "portability." + code, std::move(message), {}, {}};
}

// The tables that travel, parents before children (ties by name, so two databases with the same
// migrations agree on the order).
db::Task<Result<std::vector<Table>>> CompanyTables(db::Connection& conn) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await conn.Execute(kCompanyTables));
  std::map<std::string, Table> by_name;
  for (int i = 0; i < rows.Size(); ++i) {
    Table t;
    t.name = rows.Str(i, "name");
    if (IsDerivedOrSecret(t.name)) continue;
    t.ident = rows.Str(i, "ident");
    t.columns = rows.Str(i, "columns");
    t.primary_key = rows.Str(i, "primary_key");
    const auto identities = json::parse(rows.Get(i, "identities"));
    for (const auto& id : identities.as_array())
      t.identities.push_back({std::string(id.at("sequence").as_string()), std::string(id.at("column").as_string())});
    t.mode = IsAppendOnly(t.name) || t.name == "users" ? TableMode::kMerge : TableMode::kCompany;
    t.filter = "t.company_id = $1";
    by_name.emplace(t.name, std::move(t));
  }
  // The users the company's rows name: a user belongs to the tenant and maybe other companies.
  VERTICE_CO_ASSIGN_OR_RETURN(auto refs, co_await conn.Execute(kUserReferences));
  std::vector<std::string> selects;
  for (int i = 0; i < refs.Size(); ++i) {
    if (!by_name.contains(refs.Str(i, "table_name"))) continue;
    selects.push_back(fmt::format("SELECT r.{1} FROM {0} r WHERE r.company_id = $1", refs.Str(i, "ident"),
                                  refs.Str(i, "column_ident")));
  }
  if (auto users = by_name.find("users"); users != by_name.end()) {
    if (selects.empty())
      by_name.erase(users);
    else
      users->second.filter = "t.user_id IN (" + fmt::format("{}", fmt::join(selects, " UNION ")) + ")";
  }

  VERTICE_CO_ASSIGN_OR_RETURN(auto fks, co_await conn.Execute(kForeignKeys));
  std::map<std::string, std::set<std::string>> parents;
  for (const auto& [name, t] : by_name) parents[name];
  for (int i = 0; i < fks.Size(); ++i) {
    auto child = fks.Str(i, "child_name"), parent = fks.Str(i, "parent_name");
    if (child != parent && by_name.contains(child) && by_name.contains(parent)) parents[child].insert(parent);
  }
  std::vector<Table> ordered;
  while (!parents.empty()) {
    auto ready = std::find_if(parents.begin(), parents.end(), [](const auto& p) { return p.second.empty(); });
    if (ready == parents.end())
      co_return Fail(ErrorKind::kInternal, "portability.fk_cycle", "the company's tables have a foreign-key cycle");
    const std::string name = ready->first;
    parents.erase(ready);
    for (auto& [child, ps] : parents) ps.erase(name);
    ordered.push_back(std::move(by_name.at(name)));
  }
  co_return ordered;
}

db::Task<Result<std::vector<Migration>>> AppliedMigrations(db::Connection& conn) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await conn.Execute(kVersionedMigrations));
  std::vector<Migration> out;
  for (int i = 0; i < rows.Size(); ++i) out.push_back({rows.Str(i, "component"), rows.Int(i, "version")});
  co_return out;
}

std::string ChecksumSql(const Table& t) {
  return fmt::format(
      "SELECT count(*) AS n, encode(sha256(convert_to(COALESCE(string_agg(h, '' ORDER BY h COLLATE \"C\"), ''), "
      "'UTF8')), 'hex') AS checksum FROM (SELECT md5(to_jsonb(t)::text) AS h FROM {} t WHERE {}) x",
      t.ident, t.filter);
}

db::Task<Result<TableSummary>> Summarize(db::Connection& conn, const Table& t, const std::string& company_id) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await conn.Execute(ChecksumSql(t), db::P(company_id)));
  co_return TableSummary{t.name, rows.Int(0, "n"), rows.Str(0, "checksum"), t.mode};
}

std::string Describe(const std::vector<Migration>& ms) {
  std::vector<std::string> parts;
  for (const auto& m : ms) parts.push_back(m.component + " " + std::to_string(m.version));
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

// The highest version per component, as an operator reads it ("core 9, cpg 2").
std::string Latest(const std::vector<Migration>& ms) {
  std::map<std::string, int64_t> top;
  for (const auto& m : ms) top[m.component] = std::max(top[m.component], m.version);
  std::vector<Migration> out;
  for (const auto& [c, v] : top) out.push_back({c, v});
  return Describe(out);
}

std::string NowUtc() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

// One transaction on `conn`; rolled back when `body` fails.
template <typename T, typename Fn>
db::Task<Result<T>> InTransaction(db::Connection& conn, const char* begin, Fn body) {
  VERTICE_CO_TRY(co_await conn.ExecuteScript(begin));
  Result<T> result = co_await body();
  if (!result) {
    (void)co_await conn.ExecuteScript("ROLLBACK");
    co_return result;
  }
  VERTICE_CO_TRY(co_await conn.ExecuteScript("COMMIT"));
  co_return result;
}

}  // namespace

db::Task<Result<Header>> ExportCompany(db::Connection& conn, std::string company_id, std::ostream& out) {
  co_return co_await InTransaction<Header>(
      conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [&]() -> db::Task<Result<Header>> {
        VERTICE_CO_TRY(co_await conn.ExecuteScript(kSessionSettings));
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto company,
            co_await conn.Execute("SELECT c.tenant_id, c.legal_name, t.name AS tenant_name FROM companies c "
                                  "JOIN tenants t USING (tenant_id) WHERE c.company_id = $1",
                                  db::P(company_id)));
        if (company.Empty()) co_return std::unexpected(Refused("unknown_company", "no company " + company_id));
        Header h;
        h.vertice_version = fmt::format("{} ({})", kVersion, kBuildId);
        h.exported_at = NowUtc();
        h.tenant_id = company.Str(0, "tenant_id");
        h.tenant_name = company.Str(0, "tenant_name");
        h.company_id = company_id;
        h.legal_name = company.Str(0, "legal_name");
        VERTICE_CO_ASSIGN_OR_RETURN(h.migrations, co_await AppliedMigrations(conn));
        VERTICE_CO_ASSIGN_OR_RETURN(auto tables, co_await CompanyTables(conn));
        for (const auto& t : tables) {
          VERTICE_CO_ASSIGN_OR_RETURN(auto summary, co_await Summarize(conn, t, company_id));
          h.tables.push_back(std::move(summary));
        }

        RunningDigest digest;
        int64_t written = 0;
        auto write = [&](const std::string& s) {
          digest.Update(s);
          out << s;
        };
        write(HeaderLine(h));
        // A cursor per table (the company id reaches it through a setting: DECLARE takes no
        // parameters), read in pages so a large company never sits in memory whole.
        VERTICE_CO_TRY(
            co_await conn.Execute("SELECT set_config('vertice.portability_company', $1, true)", db::P(company_id)));
        for (const auto& t : tables) {
          std::string filter = t.filter;
          for (auto at = filter.find("$1"); at != std::string::npos; at = filter.find("$1"))
            filter.replace(at, 2, "current_setting('vertice.portability_company')");
          // (Built outside co_await: GCC 12 destroys a conditional's string temporaries there twice.)
          std::string order_by;
          if (!t.primary_key.empty()) order_by = " ORDER BY " + t.primary_key;
          const std::string declare =
              fmt::format("DECLARE company_rows NO SCROLL CURSOR FOR SELECT to_jsonb(t)::text FROM {} t WHERE {}{}",
                          t.ident, filter, order_by);
          VERTICE_CO_TRY(co_await conn.ExecuteScript(declare));
          const std::string prefix = "{\"table\":" + json::serialize(json::string(t.name)) + ",\"row\":";
          for (;;) {
            VERTICE_CO_ASSIGN_OR_RETURN(auto page, co_await conn.ExecuteScript("FETCH 2000 FROM company_rows"));
            if (page.Empty()) break;
            for (int i = 0; i < page.Size(); ++i) {
              write(prefix);
              write(std::string(page.Get(i, 0)));
              write("}\n");
              ++written;
            }
          }
          VERTICE_CO_TRY(co_await conn.ExecuteScript("CLOSE company_rows"));
        }
        out << TrailerLine(written, digest.Hex());
        out.flush();
        if (!out) co_return Fail(ErrorKind::kInternal, "portability.write_failed", "could not write the company file");
        co_return h;
      });
}

namespace {

// Reads the file's rows into the database: one table after another, in batches.
class Importer {
 public:
  Importer(db::Connection& conn, const Header& header, std::vector<Table> tables)
      : conn_(conn), header_(header), tables_(std::move(tables)) {}

  // A row line is exactly what ExportCompany writes: {"table":"NAME","row":ROW}. ROW is handed to
  // PostgreSQL as it is (parsing it here would turn numerics into doubles).
  db::Task<Status> Row(std::string_view line) {
    constexpr std::string_view kOpen = "{\"table\":\"", kRow = "\",\"row\":";
    const auto name_end = line.starts_with(kOpen) ? line.find('"', kOpen.size()) : std::string_view::npos;
    if (name_end == std::string_view::npos || line.substr(name_end, kRow.size()) != kRow || !line.ends_with("}") ||
        line.size() < name_end + kRow.size() + 3)
      co_return std::unexpected(Refused("bad_file", fmt::format("line {} is not a row of the company file", line_no_)));
    const std::string name(line.substr(kOpen.size(), name_end - kOpen.size()));
    const std::string_view row = line.substr(name_end + kRow.size(), line.size() - name_end - kRow.size() - 1);
    if (current_ < 0 || tables_[current_].name != name) {
      VERTICE_CO_TRY(co_await Flush());
      // Tables arrive in the header's order, each once.
      auto next =
          std::find_if(tables_.begin() + (current_ + 1), tables_.end(), [&](const Table& t) { return t.name == name; });
      if (next == tables_.end())
        co_return std::unexpected(
            Refused("bad_file", fmt::format("line {}: table {} is out of order or unknown", line_no_, name)));
      current_ = static_cast<int>(next - tables_.begin());
    }
    batch_ += batch_.empty() ? "[" : ",";
    batch_ += row;
    ++batch_rows_;
    ++rows_[name];
    if (batch_rows_ >= 1000) VERTICE_CO_TRY(co_await Flush());
    co_return Status{};
  }

  db::Task<Status> Flush() {
    if (batch_rows_ == 0) co_return Status{};
    const Table& t = tables_[current_];
    batch_ += "]";
    std::string doc = std::move(batch_);
    const int64_t given = batch_rows_;
    batch_.clear();
    batch_rows_ = 0;
    // Only this company's rows (the tenant's, for users) are taken: a file cannot write another
    // company's, and one that tries is refused below as not all of its rows were taken.
    const bool users = t.name == "users";
    const std::string owner = users ? header_.tenant_id : header_.company_id;
    const std::string mine = users ? "f.tenant_id = $2" : "f.company_id = $2";
    const std::string source = fmt::format("jsonb_populate_recordset(NULL::{}, $1::jsonb) f", t.ident);
    const char* on_conflict = t.mode == TableMode::kMerge ? " ON CONFLICT DO NOTHING" : "";
    const std::string insert = fmt::format(
        "WITH ins AS (INSERT INTO {0} ({1}) OVERRIDING SYSTEM VALUE SELECT {1} FROM {2} WHERE {3}{4} RETURNING 1) "
        "SELECT (SELECT count(*) FROM ins) AS inserted, jsonb_array_length($1::jsonb) AS given",
        t.ident, t.columns, source, mine, on_conflict);
    auto counted = co_await conn_.Execute(insert, db::P(doc, owner));
    if (!counted) co_return std::unexpected(Explain(t, counted.error()));
    inserted_ += counted->Int(0, "inserted");
    if (counted->Int(0, "given") != given || (t.mode == TableMode::kCompany && counted->Int(0, "inserted") != given))
      co_return std::unexpected(
          Refused("bad_file", fmt::format("rows of {} in the file are not company {}'s", t.name, header_.company_id)));
    if (t.mode == TableMode::kCompany) co_return Status{};
    // Merge: rows already present are kept, but only when they are the same row (the same user
    // of the same tenant; the identical audit row), never another company's under the same id.
    const std::string same = users ? "x.user_id = f.user_id AND x.tenant_id = f.tenant_id AND x.email = f.email"
                                   : "x." + t.primary_key + " = f." + t.primary_key + " AND to_jsonb(x) = to_jsonb(f)";
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto check, co_await conn_.Execute(fmt::format("SELECT md5(to_jsonb(f)::text) AS h, ({0}) AND EXISTS (SELECT "
                                                       "FROM {1} x WHERE {2}) AS present FROM {3}",
                                                       mine, t.ident, same, source),
                                           db::P(doc, owner)));
    for (int i = 0; i < check.Size(); ++i) {
      if (!check.Bool(i, "present"))
        co_return std::unexpected(
            Conflict("id_taken", fmt::format("a row of {} in the file collides with a different row already in this "
                                             "database (ids are kept; another company or user here holds it)",
                                             t.name)));
      merge_md5s_[t.name].push_back(check.Str(i, "h"));
    }
    co_return Status{};
  }

  // The file's rows of each merge table, as checksums of what the file holds.
  std::string MergeChecksum(const std::string& table) { return TableChecksum(merge_md5s_[table]); }
  int64_t Rows(const std::string& table) const {
    auto it = rows_.find(table);
    return it == rows_.end() ? 0 : it->second;
  }
  int64_t Inserted() const { return inserted_; }
  void NextLine() { ++line_no_; }

 private:
  Error Explain(const Table& t, Error e) const {
    if (e.sqlstate == db::SqlState::kUniqueViolation)
      return Conflict("id_taken",
                      fmt::format("rows of {} collide with rows already in this database: ids are kept, and "
                                  "another company here holds some of them ({})",
                                  t.name, e.internal));
    e.message = "could not insert the rows of " + t.name + ": " + e.message;
    return e;
  }

  db::Connection& conn_;
  const Header& header_;
  std::vector<Table> tables_;
  int current_ = -1;
  std::string batch_;
  int batch_rows_ = 0;
  std::map<std::string, int64_t> rows_;
  std::map<std::string, std::vector<std::string>> merge_md5s_;
  int64_t inserted_ = 0;
  int64_t line_no_ = 1;
};

}  // namespace

namespace {

// A file (not a pipe) is checked whole before the database is touched, so a damaged file is told
// as such rather than by the first row PostgreSQL rejects; a pipe is checked as it is read (and
// the transaction rolled back). Leaves `in` at the start.
Status CheckDigestFirst(std::istream& in) {
  if (in.tellg() < 0) return Status{};
  RunningDigest digest;
  std::string line;
  std::optional<Trailer> trailer;
  while (std::getline(in, line)) {
    if (trailer) return std::unexpected(Refused("bad_file", "the file goes on after its last line"));
    trailer = ParseTrailer(line);
    if (trailer) continue;
    digest.Update(line + "\n");
  }
  in.clear();
  in.seekg(0);
  if (!trailer) return std::unexpected(Refused("truncated", "the file ends before its last line: it is truncated"));
  if (trailer->sha256 != digest.Hex())
    return std::unexpected(Refused("checksum_mismatch",
                                   "the file's SHA-256 does not match its content: it was "
                                   "changed or damaged after the export"));
  return Status{};
}

}  // namespace

db::Task<Result<ImportReport>> ImportCompany(db::Connection& conn, std::istream& in, ImportOptions options) {
  VERTICE_CO_TRY(CheckDigestFirst(in));
  RunningDigest digest;
  std::string line;
  if (!std::getline(in, line)) co_return std::unexpected(Refused("bad_file", "the file is empty"));
  digest.Update(line + "\n");
  VERTICE_CO_ASSIGN_OR_RETURN(auto header, ParseHeader(line));

  co_return co_await InTransaction<ImportReport>(conn, "BEGIN", [&]() -> db::Task<Result<ImportReport>> {
    VERTICE_CO_TRY(co_await conn.ExecuteScript(kSessionSettings));
    ImportReport report;
    report.header = header;
    const auto& company_id = header.company_id;

    // The same schema, or nothing: rows of another schema version would not mean the same.
    VERTICE_CO_ASSIGN_OR_RETURN(auto migrations, co_await AppliedMigrations(conn));
    if (migrations != header.migrations)
      co_return std::unexpected(
          Conflict("schema_mismatch",
                   fmt::format("the file was exported from a database at migrations {} and this one is at {}; "
                               "bring both to the same version (vertice migrate up) first",
                               Latest(header.migrations), Latest(migrations))));
    VERTICE_CO_ASSIGN_OR_RETURN(auto tables, co_await CompanyTables(conn));
    std::vector<std::string> ours, theirs;
    for (const auto& t : tables) ours.push_back(t.name);
    for (const auto& t : header.tables) theirs.push_back(t.name);
    if (ours != theirs)
      co_return std::unexpected(Refused("bad_file", "the file's tables are not this schema's company tables"));
    for (size_t i = 0; i < tables.size(); ++i)
      if (tables[i].mode != header.tables[i].mode)
        co_return std::unexpected(Refused("bad_file", "the file treats table " + tables[i].name + " differently"));

    // The tenant: created from the file when missing.
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto tenant, co_await conn.Execute("SELECT 1 FROM tenants WHERE tenant_id = $1", db::P(header.tenant_id)));
    if (tenant.Empty()) {
      VERTICE_CO_TRY(co_await conn.Execute("INSERT INTO tenants (tenant_id, name) VALUES ($1, $2)",
                                           db::P(header.tenant_id, header.tenant_name)));
      report.tenant_created = true;
    }
    VERTICE_CO_ASSIGN_OR_RETURN(auto existing,
                                co_await conn.Execute("SELECT tenant_id FROM companies WHERE company_id = "
                                                      "$1 FOR UPDATE",
                                                      db::P(company_id)));
    if (!existing.Empty()) {
      if (existing.Str(0, "tenant_id") != header.tenant_id)
        co_return std::unexpected(Conflict("other_tenant", "company " + company_id + " exists here in tenant " +
                                                               existing.Str(0, "tenant_id") + ", not " +
                                                               header.tenant_id));
      if (!options.replace)
        co_return std::unexpected(Conflict("company_exists", "company " + company_id +
                                                                 " already exists; give --replace to restore it over "
                                                                 "its current rows"));
      // Children before parents; only this company's rows; the append-only audit log and the
      // tenant's users stay.
      for (auto t = tables.rbegin(); t != tables.rend(); ++t) {
        if (t->mode != TableMode::kCompany) continue;
        VERTICE_CO_TRY(
            co_await conn.Execute(fmt::format("DELETE FROM {} t WHERE {}", t->ident, t->filter), db::P(company_id)));
      }
      report.replaced = true;
    }

    Importer importer(conn, header, tables);
    std::optional<Trailer> trailer;
    while (std::getline(in, line)) {
      importer.NextLine();
      if (auto t = ParseTrailer(line)) {
        trailer = t;
        break;
      }
      digest.Update(line + "\n");
      VERTICE_CO_TRY(co_await importer.Row(line));
    }
    VERTICE_CO_TRY(co_await importer.Flush());
    if (!trailer)
      co_return std::unexpected(Refused("truncated", "the file ends before its last line: it is truncated"));
    if (trailer->sha256 != digest.Hex())
      co_return std::unexpected(Refused("checksum_mismatch",
                                        "the file's SHA-256 does not match its content: it was "
                                        "changed or damaged after the export"));
    for (const auto& t : header.tables)
      if (importer.Rows(t.name) != t.rows)
        co_return std::unexpected(Refused(
            "checksum_mismatch",
            fmt::format("the file holds {} rows of {}, its header says {}", importer.Rows(t.name), t.name, t.rows)));

    // Identity sequences past the ids that came in, so the next row written gets a free one.
    for (const auto& t : tables) {
      for (const auto& id : t.identities) {
        VERTICE_CO_TRY(co_await conn.Execute(
            fmt::format("SELECT setval($1::regclass, m) FROM (SELECT max(t.{}) AS m FROM {} t) x "
                        "WHERE m IS NOT NULL AND m > COALESCE(pg_sequence_last_value($1::regclass), 0)",
                        id.column, t.ident),
            db::P(id.sequence)));
      }
    }

    // What is in the database now is what the file holds, table by table.
    for (size_t i = 0; i < tables.size(); ++i) {
      const auto& expected = header.tables[i];
      TableSummary actual;
      if (tables[i].mode == TableMode::kCompany) {
        VERTICE_CO_ASSIGN_OR_RETURN(actual, co_await Summarize(conn, tables[i], company_id));
      } else {
        actual = {expected.name, importer.Rows(expected.name), importer.MergeChecksum(expected.name),
                  TableMode::kMerge};
      }
      if (actual.rows != expected.rows || actual.checksum != expected.checksum)
        co_return std::unexpected(
            Refused("checksum_mismatch",
                    fmt::format("table {}: {} rows with checksum {}, the file's header says {} rows with {}; "
                                "the file was edited or damaged",
                                expected.name, actual.rows, actual.checksum.substr(0, 12), expected.rows,
                                expected.checksum.substr(0, 12))));
    }
    report.rows = importer.Inserted();
    int64_t file_rows = 0;
    for (const auto& t : header.tables) file_rows += t.rows;
    report.rows_kept = file_rows - report.rows;

    json::object after;  // (GCC 12: no braced initialisers inside co_await)
    after["exported_at"] = header.exported_at;
    after["vertice_version"] = header.vertice_version;
    after["replaced"] = report.replaced;
    after["rows"] = file_rows;
    VERTICE_CO_TRY(co_await conn.Execute(
        "INSERT INTO audit_log (tenant_id, company_id, actor_type, actor_id, action, entity_type, entity_id, after) "
        "VALUES ($1, $2, 'system', $3, 'company.imported', 'company', $2, $4::jsonb)",
        db::P(header.tenant_id, company_id, options.actor, json::serialize(after))));
    co_return report;
  });
}

}  // namespace vertice::portability
