// Helpers every vertical's handlers use: JSON responses, typed body fields (money and
// quantities as exact decimals, never floats), keyset pages and the usual errors.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/json_body.hpp"
#include "shared/decimal.hpp"
#include "shared/idempotency.hpp"
#include "shared/list.hpp"
#include "shared/paging.hpp"
#include "shared/report.hpp"
#include "verticals/vertical.hpp"

namespace vertice::verticals {

http::Response Json(int status, const boost::json::value& body);
// 422 with a stable code: a request that is well formed but breaks a business rule.
Error BusinessRule(std::string code, std::string message, boost::json::object details = {});

// Amounts and quantities travel as strings ("1500.00"); these read them exactly.
template <typename D>
std::optional<D> ReadDecimalText(http::JsonBody& body, std::string_view field, bool required, bool positive) {
  auto text = body.String(field, required, 40);
  if (!text) return std::nullopt;
  auto value = D::Parse(*text);
  if (!value) {
    body.Invalid(
        field, "debe ser un número con a lo más " + std::to_string(D::kScale) + " decimales, como texto (\"1500.00\")");
    return std::nullopt;
  }
  // Money, quantities and unit prices live in NUMERIC(18, scale) columns.
  if (!shared::FitsNumeric18(*value)) {
    body.Invalid(field, "excede el máximo permitido (" + D::FromUnits(shared::kMaxNumeric18Units).ToString() + ")");
    return std::nullopt;
  }
  if (positive ? value->Units() <= 0 : value->Units() < 0) {
    body.Invalid(field, positive ? "debe ser mayor que cero" : "no puede ser negativo");
    return std::nullopt;
  }
  return *value;
}
std::optional<shared::Money> ReadMoney(http::JsonBody& body, std::string_view field, bool required, bool positive);
std::optional<shared::Quantity> ReadQuantity(http::JsonBody& body, std::string_view field, bool required,
                                             bool positive);
std::optional<shared::Rate> ReadRate(http::JsonBody& body, std::string_view field, bool required, shared::Rate max);
// A YYYY-MM-DD date.
std::optional<std::string> ReadDate(http::JsonBody& body, std::string_view field, bool required);

// ?limit=&after= where the cursor is a numeric id (400 otherwise).
Result<shared::PageRequest> IdPage(std::string_view query);

// A code, SKU, ticket or folio: 1..max letters, digits and the `extra` punctuation.
bool IsCode(std::string_view s, size_t max, std::string_view extra = "._-");

// GET of a declared list (shared/list.hpp): the request's filters, order and cursor → one page.
db::Task<Result<http::Response>> ListPage(VerticalRequest& req, const shared::ListDefinition& definition);

// A report a vertical offers at GET /reports/{name}: a definition for the shared report builder and
// the parameters used for whatever the request leaves out ("group_by=pos&measures=total&sort=-total").
struct NamedReport {
  shared::ReportDefinition definition;
  std::string default_query;
};
// GET /reports/{name} of `reports` (404 naming the ones that exist for another name).
db::Task<Result<http::Response>> ReportPage(VerticalRequest& req, const std::map<std::string, NamedReport>& reports);

// A path id that must be a positive integer: anything else is simply not found.
Result<int64_t> IdParam(const VerticalRequest& req, const std::string& name, std::string_view what);

// A write in one transaction of the request's company, idempotent when the request carries an
// Idempotency-Key header (shared/idempotency.hpp): the key is claimed first and the answer
// stored last, in the write's transaction; a retry of the same request gets the first answer
// again, marked `Idempotent-Replayed: true`, and writes nothing.
using WriteFn = std::function<db::Task<Result<http::Response>>(db::Transaction&)>;
db::Task<Result<http::Response>> IdempotentWrite(VerticalRequest& req, const shared::IdempotencyStore& store,
                                                 WriteFn write);

// A decimal column from a row as an exact value (the database stores NUMERIC).
template <typename D>
D DecimalAt(const db::Rows& rows, int row, std::string_view column) {
  auto v = D::Parse(rows.Get(row, column));
  return v ? *v : D{};
}

}  // namespace vertice::verticals
