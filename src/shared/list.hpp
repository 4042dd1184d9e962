// Declarative keyset lists (modelled on shared::ReportDefinition): a module declares what a list
// reads (source, tenancy predicate, one item's JSON), which query parameters filter it and
// which orders it offers; BuildList turns a request's query string into one statement with
// bound values only, and ListPageBody turns its rows into the page every list answers:
//   {"items": [...], "next_after": "<opaque cursor>" | null}
// Cursors are opaque tokens (EncodeCursor/DecodeCursor) that carry the order they belong to and
// the keyset values of the last row shown; clients pass next_after back as ?after=.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/pool.hpp"

namespace vertice::shared {

// ---- the cursor codec (every list, the DAL's included) ----------------------------------------

// base64url of a JSON array of strings: [order name, key values…].
std::string EncodeCursor(const std::vector<std::string>& parts);
// nullopt unless `token` is a cursor of exactly `parts` strings whose first is `order`.
std::optional<std::vector<std::string>> DecodeCursor(std::string_view token, std::string_view order, size_t parts);

// ---- list definitions ---------------------------------------------------------------------

// Values bound while a statement is built: Bind returns the placeholder ("$3").
struct SqlParams {
  db::Params values;
  std::string Bind(std::string value);
};

// A query parameter the list accepts: `accepts` checks the raw value (else 400 naming the
// parameter with `expects`), `where` writes its condition, binding every value.
struct ListFilter {
  std::string name;
  std::string expects;
  std::function<bool(const std::string& value)> accepts;
  std::function<std::string(const std::string& value, SqlParams& params)> where;
};

// Filters most lists need.
ListFilter EqualsOneOf(std::string name, const std::string& column, std::vector<std::string> values);
ListFilter EqualsRowId(std::string name, std::string column);       // a bigint id
ListFilter DateOnOrAfter(std::string name, std::string column);     // a date column
ListFilter DateOnOrBefore(std::string name, std::string column);    // a date column
ListFilter DayOnOrBefore(std::string name, std::string timestamp);  // a timestamp column: the whole day
ListFilter AmountAtLeast(std::string name, std::string expression);
ListFilter AmountAtMost(std::string name, std::string expression);
// A comma-separated set of words (letters, digits, '_' and '-'): `column` in any of them.
ListFilter InList(std::string name, const std::string& column);

enum class KeyType { kBigint, kDate, kTimestamp, kNumeric, kText };

// One column of a keyset order; the last key of an order must be unique.
struct ListKey {
  std::string sql;  // trusted expression: "i.fecha"
  KeyType type;
  bool descending = false;
};

struct ListSort {
  std::string name;  // as ?sort= says it: "-fecha"
  std::vector<ListKey> keys;
};

// One field of a flat item: read as a plain text column, written by the server as a JSON string
// (NULL as null). Building each row's JSON in SQL was ~60 % of PostgreSQL's work for a page of
// the transaction list (json_build_object per row; bench/RESULTS.md, issue 19).
struct ListField {
  std::string name;  // the item's key
  std::string sql;   // trusted expression, read as text: "t.fecha"
};

struct ListDefinition {
  std::string source;             // FROM: "sat_invoices i"
  std::string scope;              // tenancy (and fixed) predicate: "i.company_id = vertice_current_company()"
  std::string item;               // SQL expression: one item's JSON (nested items), or empty when `fields` say it
  std::vector<ListField> fields;  // a flat item of strings, assembled by the server
  std::vector<ListFilter> filters;
  std::vector<ListSort> sorts;  // the first is the default; with one, ?sort= is not accepted
  int default_limit = 50;
  int max_limit = 200;
};

struct ListQuery {
  std::string sql;
  db::Params params;
  std::string sort;  // the order's name, carried by the cursor
  int limit = 50;
  size_t keys = 0;
  std::vector<std::string> field_keys;  // when the server writes the item: each field's `"name":`, encoded once
};

// Every refused parameter at once: 400 with one field error each (unknown ones included).
Result<ListQuery> BuildList(const ListDefinition& def, std::string_view query_string);

// The definition's scope and filters alone, paging parameters (limit, after, sort) ignored: an
// export or a summary over the same selection the list shows.
struct ListSelection {
  std::string where;
  db::Params params;
};
Result<ListSelection> BuildSelection(const ListDefinition& def, std::string_view query_string);

// The page from the statement's rows (at most limit + 1: the extra row says there is more).
std::string ListPageBody(const ListQuery& query, const db::Rows& rows);

// A request's page of a list: built (a refused parameter never opens a transaction), then read in
// one transaction of the scope.
db::Task<Result<std::string>> ReadList(db::Pool& pool, const db::TenantScope& scope, const ListDefinition& def,
                                       std::string query_string);

// The whole statement of a definition's default request, for tests that read its SQL.
std::string DefaultListSql(const ListDefinition& def);

}  // namespace vertice::shared
