#include "portability/company_file.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/digest.hpp"

namespace vertice::portability {

namespace json = boost::json;

namespace {

Error Damaged(const std::string& what) {
  return Error{ErrorKind::kInvalidInput, "portability.bad_file", "not a Vértice company file: " + what, {}, {}};
}

// The string at `key`, or nullptr when missing or not a string.
const json::string* StringAt(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}
const json::object* ObjectAt(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}
const json::array* ArrayAt(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}
std::optional<int64_t> IntAt(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

}  // namespace

std::string_view TableModeName(TableMode mode) { return mode == TableMode::kMerge ? "merge" : "company"; }

std::string HeaderLine(const Header& h) {
  json::array migrations;
  for (const auto& m : h.migrations)
    migrations.push_back(json::object{{"component", m.component}, {"version", m.version}});
  json::array tables;
  for (const auto& t : h.tables)
    tables.push_back(
        json::object{{"name", t.name}, {"rows", t.rows}, {"checksum", t.checksum}, {"mode", TableModeName(t.mode)}});
  json::object o{{"format", kFormatName},
                 {"format_version", h.format_version},
                 {"vertice_version", h.vertice_version},
                 {"exported_at", h.exported_at},
                 {"tenant", json::object{{"tenant_id", h.tenant_id}, {"name", h.tenant_name}}},
                 {"company", json::object{{"company_id", h.company_id}, {"legal_name", h.legal_name}}},
                 {"migrations", std::move(migrations)},
                 {"tables", std::move(tables)}};
  return json::serialize(o) + "\n";
}

Result<Header> ParseHeader(std::string_view line) {
  json::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object()) return std::unexpected(Damaged("the first line is not a JSON object"));
  const auto& o = v.as_object();
  const auto* format = StringAt(o, "format");
  if (format == nullptr || *format != kFormatName)
    return std::unexpected(Damaged("no \"format\": \"vertice-company-export\""));
  Header h;
  h.format_version = IntAt(o, "format_version").value_or(0);
  if (h.format_version != kFormatVersion)
    return Fail(ErrorKind::kInvalidInput, "portability.format_version",
                "the file's format_version is " + std::to_string(h.format_version) + "; this vertice reads version " +
                    std::to_string(kFormatVersion));
  const auto* tenant = ObjectAt(o, "tenant");
  const auto* company = ObjectAt(o, "company");
  const auto* migrations = ArrayAt(o, "migrations");
  const auto* tables = ArrayAt(o, "tables");
  if (tenant == nullptr || company == nullptr || migrations == nullptr || tables == nullptr)
    return std::unexpected(Damaged("the header lacks tenant, company, migrations or tables"));
  auto str = [](const json::object& obj, std::string_view key) {
    const auto* s = StringAt(obj, key);
    return s == nullptr ? std::string() : std::string(*s);
  };
  h.vertice_version = str(o, "vertice_version");
  h.exported_at = str(o, "exported_at");
  h.tenant_id = str(*tenant, "tenant_id");
  h.tenant_name = str(*tenant, "name");
  h.company_id = str(*company, "company_id");
  h.legal_name = str(*company, "legal_name");
  if (h.tenant_id.empty() || h.company_id.empty())
    return std::unexpected(Damaged("the header names no tenant or company"));
  for (const auto& m : *migrations) {
    if (!m.is_object()) return std::unexpected(Damaged("a migration is not an object"));
    auto version = IntAt(m.as_object(), "version");
    if (!version || str(m.as_object(), "component").empty())
      return std::unexpected(Damaged("a migration lacks its version"));
    h.migrations.push_back({str(m.as_object(), "component"), *version});
  }
  for (const auto& t : *tables) {
    if (!t.is_object()) return std::unexpected(Damaged("a table is not an object"));
    const auto& to = t.as_object();
    TableSummary s;
    s.name = str(to, "name");
    s.checksum = str(to, "checksum");
    auto rows = IntAt(to, "rows");
    const auto mode = str(to, "mode");
    if (s.name.empty() || s.checksum.empty() || !rows || *rows < 0 || (mode != "company" && mode != "merge"))
      return std::unexpected(Damaged("table entry " + s.name + " lacks rows, checksum or mode"));
    s.rows = *rows;
    s.mode = mode == "merge" ? TableMode::kMerge : TableMode::kCompany;
    h.tables.push_back(std::move(s));
  }
  return h;
}

std::string TrailerLine(int64_t rows, const std::string& sha256_hex) {
  return json::serialize(json::object{{"end", json::object{{"rows", rows}, {"sha256", sha256_hex}}}}) + "\n";
}

std::optional<Trailer> ParseTrailer(std::string_view line) {
  if (!line.starts_with("{\"end\":")) return std::nullopt;
  json::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* end = ObjectAt(v.as_object(), "end");
  if (end == nullptr) return std::nullopt;
  Trailer t;
  t.rows = IntAt(*end, "rows").value_or(-1);
  const auto* sha = StringAt(*end, "sha256");
  if (sha != nullptr) t.sha256 = std::string(*sha);
  return t;
}

std::string TableChecksum(std::vector<std::string> row_md5s) {
  std::sort(row_md5s.begin(), row_md5s.end());
  std::string all;
  all.reserve(row_md5s.size() * 32);
  for (const auto& h : row_md5s) all += h;
  return Sha256Hex(all);
}

void RunningDigest::Update(std::string_view bytes) {
  crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string RunningDigest::Hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace vertice::portability
