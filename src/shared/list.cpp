#include "shared/list.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "core/field_errors.hpp"
#include "core/text.hpp"
#include "shared/decimal.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::shared {

namespace json = boost::json;

// ---- cursors --------------------------------------------------------------------------------

namespace {

constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr size_t kMaxCursor = 1024;

}  // namespace

std::string EncodeCursor(const std::vector<std::string>& parts) {
  json::array array;
  for (const auto& p : parts) array.emplace_back(p);
  const std::string text = json::serialize(array);
  std::string out(sodium_base64_ENCODED_LEN(text.size(), kBase64), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(), kBase64);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::vector<std::string>> DecodeCursor(std::string_view token, std::string_view order, size_t parts) {
  if (token.empty() || token.size() > kMaxCursor) return std::nullopt;
  std::string text(token.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(text.data()), text.size(), token.data(), token.size(), nullptr,
                        &length, nullptr, kBase64) != 0)
    return std::nullopt;
  text.resize(length);
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_array() || value.as_array().size() != parts) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : value.as_array()) {
    if (!v.is_string()) return std::nullopt;
    out.emplace_back(v.as_string());
  }
  if (out.front() != order) return std::nullopt;
  return out;
}

// ---- filters --------------------------------------------------------------------------------

std::string SqlParams::Bind(std::string value) {
  values.emplace_back(std::move(value));
  return "$" + std::to_string(values.size());
}

namespace {

bool IsAmount(const std::string& v) { return Decimal<6>::Parse(v).has_value(); }
bool IsDate(const std::string& v) { return IsIsoDate(v); }
bool IsId(const std::string& v) { return IsRowId(v); }

bool IsWordList(const std::string& v) {
  if (v.empty() || v.size() > 500) return false;
  return v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-,") == std::string::npos;
}

// `lhs op $n<suffix>`: the shape of every comparison filter.
ListFilter Comparison(std::string name, std::string expects, bool (*accepts)(const std::string&), std::string lhs,
                      const std::string& op_and_suffix) {
  const auto split = op_and_suffix.find(' ');
  std::string op = op_and_suffix.substr(0, split);
  std::string suffix = op_and_suffix.substr(split + 1);
  return {std::move(name), std::move(expects), accepts,
          [lhs = std::move(lhs), op = std::move(op), suffix = std::move(suffix)](const std::string& v, SqlParams& p) {
            return lhs + " " + op + " " + p.Bind(v) + suffix;
          }};
}

constexpr const char* kDate = "debe ser una fecha AAAA-MM-DD";
constexpr const char* kAmount = "debe ser un importe como 1500.00";

}  // namespace

ListFilter EqualsOneOf(std::string name, const std::string& column, std::vector<std::string> values) {
  std::string expects = "debe ser ";
  for (size_t i = 0; i < values.size(); ++i)
    expects += (i == 0 ? "" : i + 1 == values.size() ? " o " : ", ") + values[i];
  return {std::move(name), std::move(expects),
          [values](const std::string& v) { return std::find(values.begin(), values.end(), v) != values.end(); },
          [column](const std::string& v, SqlParams& p) { return column + " = " + p.Bind(v); }};
}

ListFilter EqualsRowId(std::string name, std::string column) {
  return Comparison(std::move(name), "debe ser un id numérico", IsId, std::move(column), "= ::bigint");
}
ListFilter DateOnOrAfter(std::string name, std::string column) {
  return Comparison(std::move(name), kDate, IsDate, std::move(column), ">= ::date");
}
ListFilter DateOnOrBefore(std::string name, std::string column) {
  return Comparison(std::move(name), kDate, IsDate, std::move(column), "<= ::date");
}
ListFilter DayOnOrBefore(std::string name, std::string timestamp) {
  return Comparison(std::move(name), kDate, IsDate, std::move(timestamp), "< ::date + 1");
}
ListFilter AmountAtLeast(std::string name, std::string expression) {
  return Comparison(std::move(name), kAmount, IsAmount, std::move(expression), ">= ::numeric");
}
ListFilter AmountAtMost(std::string name, std::string expression) {
  return Comparison(std::move(name), kAmount, IsAmount, std::move(expression), "<= ::numeric");
}

ListFilter InList(std::string name, const std::string& column) {
  return {std::move(name), "debe ser una lista separada por comas", IsWordList,
          [column](const std::string& v, SqlParams& p) {
            return column + " = ANY(string_to_array(" + p.Bind(v) + "::text, ','))";
          }};
}

// ---- building -------------------------------------------------------------------------------

namespace {

const char* Cast(KeyType type) {
  switch (type) {
    case KeyType::kBigint:
      return "::bigint";
    case KeyType::kDate:
      return "::date";
    case KeyType::kTimestamp:
      return "::timestamp";
    case KeyType::kNumeric:
      return "::numeric";
    case KeyType::kText:
      return "::text";
  }
  return "";
}

bool IsNumber(std::string_view v) {
  if (v.starts_with('-')) v.remove_prefix(1);
  auto dot = v.find('.');
  auto whole = v.substr(0, dot);
  auto frac = dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
  auto digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
  return !whole.empty() && whole.size() <= 30 && digits(whole) && frac.size() <= 12 && digits(frac) &&
         (dot == std::string_view::npos || !frac.empty());
}

// A key value as the list's own statement wrote it (`key::text`); anything else is not a cursor.
bool KeyValueFits(KeyType type, std::string_view v) {
  switch (type) {
    case KeyType::kBigint:
      return IsRowId(v);
    case KeyType::kDate:
      return IsIsoDate(v);
    case KeyType::kTimestamp:
      return v.size() >= 19 && v.size() <= 32 && IsIsoDate(v.substr(0, 10)) &&
             v.substr(10).find_first_not_of("0123456789:. ") == std::string_view::npos;
    case KeyType::kNumeric:
      return IsNumber(v);
    case KeyType::kText:
      return v.size() <= 200 && v.find('\0') == std::string_view::npos;
  }
  return false;
}

// Rows after the cursor in the order's direction of each key: consecutive keys of one direction
// compare as a row, so (date DESC, id DESC) is the index-friendly (date, id) < ($1, $2), and
// (date DESC, table, id) becomes date < $1 OR (date = $1 AND (table, id) > ($2, $3)).
std::string AfterPredicate(const ListSort& sort, const std::vector<std::string>& values, SqlParams& params) {
  struct Group {
    std::string columns, placeholders;
    bool descending;
    size_t size = 0;
  };
  std::vector<Group> groups;
  std::string first_value;
  for (size_t i = 0; i < sort.keys.size(); ++i) {
    const auto& key = sort.keys[i];
    if (groups.empty() || groups.back().descending != key.descending) groups.push_back({"", "", key.descending});
    auto& g = groups.back();
    const std::string value = params.Bind(values[i + 1]) + Cast(key.type);
    if (i == 0) first_value = value;
    g.columns += (g.size ? ", " : "") + key.sql;
    g.placeholders += (g.size ? ", " : "") + value;
    ++g.size;
  }
  auto row = [](const std::string& s, size_t n) { return n > 1 ? "(" + s + ")" : s; };
  std::string out;
  std::string equal_so_far;
  for (const auto& g : groups) {
    const std::string lhs = row(g.columns, g.size);
    const std::string rhs = row(g.placeholders, g.size);
    if (!out.empty()) out += " OR ";
    out += "(" + equal_so_far + lhs + (g.descending ? " < " : " > ") + rhs + ")";
    equal_so_far += lhs + " = " + rhs + " AND ";
  }
  if (groups.size() == 1) return "(" + out + ")";
  // Redundant but for the planner: a bound on the first key lets the index scan start at the
  // cursor instead of filtering every newer row (a page deep in a big company: 1.6 s → an index range).
  const auto& first = sort.keys.front();
  return "(" + first.sql + (first.descending ? " <= " : " >= ") + first_value + " AND (" + out + "))";
}

const ListSort* FindSort(const ListDefinition& def, std::string_view name) {
  for (const auto& s : def.sorts)
    if (s.name == name) return &s;
  return nullptr;
}

std::string SortNames(const ListDefinition& def) {
  std::string out;
  for (size_t i = 0; i < def.sorts.size(); ++i)
    out += (i == 0 ? "" : i + 1 == def.sorts.size() ? " o " : ", ") + def.sorts[i].name;
  return out;
}

}  // namespace

namespace {

struct Parsed {
  std::string where;
  SqlParams params;
  int limit = 0;
  const ListSort* sort = nullptr;
};

Result<Parsed> Parse(const ListDefinition& def, std::string_view query_string, bool paging) {
  VERTICE_ASSIGN_OR_RETURN(auto query, ParseQueryString(query_string));
  FieldErrors errors;
  Parsed out{def.scope, {}, def.default_limit, &def.sorts.front()};
  std::optional<std::string> after;
  for (const auto& [key, value] : query) {
    const bool paging_key = key == "limit" || key == "after" || (key == "sort" && def.sorts.size() > 1);
    if (paging_key && !paging) continue;
    if (key == "limit") {
      auto n = Decimal<0>::Parse(value);
      if (errors.Check(n && n->Units() >= 1 && n->Units() <= def.max_limit, key,
                       "debe ser un entero de 1 a " + std::to_string(def.max_limit)))
        out.limit = static_cast<int>(n->Units());
    } else if (key == "after") {
      after = value;
    } else if (key == "sort" && def.sorts.size() > 1) {
      out.sort = FindSort(def, value);
      if (!errors.Check(out.sort != nullptr, key, "debe ser " + SortNames(def))) out.sort = &def.sorts.front();
    } else if (auto f = std::find_if(def.filters.begin(), def.filters.end(),
                                     [&key](const ListFilter& lf) { return lf.name == key; });
               f != def.filters.end()) {
      if (errors.Check(f->accepts(value), key, f->expects)) out.where += " AND " + f->where(value, out.params);
    } else {
      errors.Add(key, "unknown_field", "no es un filtro conocido");
    }
  }
  // The cursor is read last: it belongs to the order the request asked for.
  if (after) {
    const ListSort& sort = *out.sort;
    auto values = DecodeCursor(*after, sort.name, sort.keys.size() + 1);
    bool fits = values.has_value();
    for (size_t i = 0; fits && i < sort.keys.size(); ++i) fits = KeyValueFits(sort.keys[i].type, (*values)[i + 1]);
    if (errors.Check(fits, "after", "no es un cursor de esta lista"))
      out.where += " AND " + AfterPredicate(sort, *values, out.params);
  }
  VERTICE_TRY(errors.ToStatus());
  return out;
}

}  // namespace

Result<ListQuery> BuildList(const ListDefinition& def, std::string_view query_string) {
  VERTICE_ASSIGN_OR_RETURN(auto parsed, Parse(def, query_string, true));
  const ListSort& sort = *parsed.sort;
  ListQuery out;
  std::string select;
  if (def.fields.empty()) {
    select = "SELECT (" + def.item + ")::text AS j";
  } else {
    for (size_t i = 0; i < def.fields.size(); ++i) {
      select += (i ? ", (" : "SELECT (") + def.fields[i].sql + ")::text AS f" + std::to_string(i);
      out.field_keys.push_back(json::serialize(json::string_view(def.fields[i].name)) + ':');
    }
  }
  std::string order;
  for (size_t i = 0; i < sort.keys.size(); ++i) {
    const auto& key = sort.keys[i];
    select += ", (" + key.sql + ")::text AS k" + std::to_string(i);
    order += (i ? ", " : "") + key.sql + (key.descending ? " DESC" : "");
  }
  out.sql = select + " FROM " + def.source + " WHERE " + parsed.where + " ORDER BY " + order + " LIMIT " +
            std::to_string(parsed.limit + 1);
  out.params = std::move(parsed.params.values);
  out.sort = sort.name;
  out.limit = parsed.limit;
  out.keys = sort.keys.size();
  return out;
}

Result<ListSelection> BuildSelection(const ListDefinition& def, std::string_view query_string) {
  VERTICE_ASSIGN_OR_RETURN(auto parsed, Parse(def, query_string, false));
  return ListSelection{std::move(parsed.where), std::move(parsed.params.values)};
}

std::string ListPageBody(const ListQuery& query, const db::Rows& rows) {
  // Each item is either PostgreSQL's JSON, joined without re-parsing it, or the server's object of
  // the fields' text.
  std::string body = "{\"items\":[";
  const int shown = std::min(rows.Size(), query.limit);
  const int item_columns = query.field_keys.empty() ? 1 : static_cast<int>(query.field_keys.size());
  for (int r = 0; r < shown; ++r) {
    if (r) body += ',';
    if (query.field_keys.empty()) {
      body += rows.Get(r, 0);
      continue;
    }
    body += '{';
    for (int f = 0; f < item_columns; ++f) {
      if (f) body += ',';
      body += query.field_keys[static_cast<size_t>(f)];
      if (rows.IsNull(r, f))
        body += "null";
      else
        body += json::serialize(json::string_view(rows.Get(r, f)));
    }
    body += '}';
  }
  json::value next = nullptr;
  if (rows.Size() > query.limit) {
    std::vector<std::string> parts{query.sort};
    for (size_t k = 0; k < query.keys; ++k) parts.emplace_back(rows.Get(shown - 1, item_columns + static_cast<int>(k)));
    next = json::string(EncodeCursor(parts));
  }
  body += "],\"next_after\":" + json::serialize(next) + "}";
  return body;
}

db::Task<Result<std::string>> ReadList(db::Pool& pool, const db::TenantScope& scope, const ListDefinition& def,
                                       std::string query_string) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto list, BuildList(def, query_string));
  auto rows = co_await pool.QueryOnce(scope, list.sql, list.params);
  if (!rows) co_return std::unexpected(rows.error());
  co_return ListPageBody(list, *rows);
}

std::string DefaultListSql(const ListDefinition& def) {
  auto built = BuildList(def, "");
  return built ? built->sql : std::string{};
}

}  // namespace vertice::shared
