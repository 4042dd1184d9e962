// Products, points of sale and POS sales (tickets). Single-table reads and writes go through the
// shared DAL; a sale is one transaction: priced lines, header and lines, audit.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include <boost/json.hpp>

#include "core/text.hpp"
#include "db/constraints.hpp"
#include "http/error_response.hpp"
#include "shared/dal.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"
#include "verticals/cpg/cpg.hpp"
#include "verticals/cpg/lists.hpp"
#include "verticals/cpg/pricing.hpp"
#include "verticals/cpg/queries.hpp"
#include "verticals/sdk.hpp"

namespace vertice::verticals::cpg {

namespace json = boost::json;
using shared::ColumnType;

namespace {

const shared::Dal& Products() {
  static const shared::Dal dal({"cpg_products",
                                "product_id",
                                true,
                                {{"sku", ColumnType::kText, true, true},
                                 {"name", ColumnType::kText},
                                 {"unit_price", ColumnType::kDecimal},
                                 {"iva_rate", ColumnType::kDecimal},
                                 {"price_includes_tax", ColumnType::kBoolean},
                                 {"active", ColumnType::kBoolean, true, true},
                                 {"created_at", ColumnType::kTimestamp, false}}});
  return dal;
}

const shared::Dal& PointsOfSale() {
  static const shared::Dal dal({"cpg_pos",
                                "pos_id",
                                true,
                                {{"code", ColumnType::kText, true, true},
                                 {"name", ColumnType::kText},
                                 {"retailer_rfc", ColumnType::kText, true, true},
                                 {"address", ColumnType::kText},
                                 {"commission_rate", ColumnType::kDecimal},
                                 {"status", ColumnType::kText, true, true},
                                 {"created_at", ColumnType::kTimestamp, false}}});
  return dal;
}

const shared::Rate kMaxCommission = shared::Rate::FromUnits(999999);  // < 100 %

// The company's usual retailer commission (its configuration of the vertical), for new points of sale.
shared::Rate DefaultCommission(const json::object& config) {
  const auto* v = config.if_contains("default_commission_rate");
  auto rate = v && v->is_string() ? shared::Rate::Parse(v->as_string()) : std::unexpected(Error{});
  return rate ? *rate : shared::Rate{};
}

void CheckRfcField(http::JsonBody& body, const std::optional<std::string>& rfc) {
  if (rfc && shared::CheckRfc(*rfc) == shared::RfcStatus::kInvalid) body.Invalid("retailer_rfc", "no es un RFC válido");
}

void CheckStatusField(http::JsonBody& body, const std::optional<std::string>& status) {
  if (status && *status != "active" && *status != "inactive") body.Invalid("status", "debe ser active o inactive");
}

// The catalog's unique keys, in the vertical's words (db::Remap).
constexpr db::ConstraintError kConstraints[] = {
    {"cpg_products_company_id_sku_key", ErrorKind::kConflict, "cpg.duplicate_sku",
     "Ya existe un producto con ese SKU."},
    {"cpg_pos_company_id_code_key", ErrorKind::kConflict, "cpg.duplicate_pos_code",
     "Ya existe un punto de venta con esa clave."},
    {"cpg_sales_company_id_pos_id_ticket_key", ErrorKind::kConflict, "cpg.duplicate_ticket",
     "Ese ticket ya está registrado en este punto de venta."},
};

// ---- products ---------------------------------------------------------------------------

db::Task<Result<http::Response>> ListProducts(VerticalRequest& req) { return ListPage(req, ProductList()); }

// The IVA rates a product may carry (LIVA: 16 %, 8 % in the northern and southern border regions, 0 %).
std::optional<shared::Rate> ReadIvaRate(http::JsonBody& body) {
  auto text = body.String("iva_rate", false, 10);
  if (!text) return std::nullopt;
  auto parsed = shared::Rate::Parse(*text);
  if (!parsed || (parsed->Units() != 0 && parsed->Units() != 80000 && parsed->Units() != 160000)) {
    body.Invalid("iva_rate", "debe ser 0.16, 0.08 o 0");
    return std::nullopt;
  }
  return *parsed;
}

// A product's fields as a request states them; `creating` makes sku, name and unit_price required.
struct ProductFields {
  std::optional<std::string> sku, name;
  std::optional<shared::UnitPrice> unit_price;
  std::optional<shared::Rate> iva_rate;
  std::optional<bool> price_includes_tax, active;
};

ProductFields ReadProduct(http::JsonBody& body, bool creating) {
  ProductFields f;
  if (creating) f.sku = body.String("sku", true, 40);
  f.name = body.String("name", creating, 200);
  f.unit_price = ReadDecimalText<shared::UnitPrice>(body, "unit_price", creating, false);
  f.iva_rate = ReadIvaRate(body);
  f.price_includes_tax = body.Bool("price_includes_tax", false);
  f.active = body.Bool("active", false);
  if (f.sku && !IsCode(*f.sku, 40)) body.Invalid("sku", "solo letras, dígitos, '.', '_' y '-' (hasta 40)");
  if (f.name && f.name->empty()) body.Invalid("name", "no puede estar vacío");
  return f;
}

db::Task<Result<http::Response>> CreateProduct(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto f = ReadProduct(body, true);
  VERTICE_CO_TRY(body.Finish());
  auto created =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
        shared::Values values{{"sku", *f.sku},
                              {"name", *f.name},
                              {"unit_price", f.unit_price->ToString()},
                              {"iva_rate", f.iva_rate.value_or(shared::Rate::FromUnits(160000)).ToString()},
                              {"price_includes_tax", f.price_includes_tax.value_or(false) ? "true" : "false"},
                              {"active", f.active.value_or(true) ? "true" : "false"}};
        auto row = co_await Products().Create(tx, std::move(values));
        if (!row) co_return std::unexpected(db::Remap(row.error(), kConstraints));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.product.created", "cpg_product",
                                                    json::value_to<std::string>(row->at("product_id")), "",
                                                    json::serialize(*row)));
        co_return row;
      });
  if (!created) co_return std::unexpected(created.error());
  co_return Json(201, *created);
}

// Name, price, IVA, whether the price includes it, active (deactivating keeps its history: a
// product that sold is never deleted). The SKU is the product's key in tickets and imports: fixed.
db::Task<Result<http::Response>> UpdateProduct(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "El producto"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto f = ReadProduct(body, false);
  auto version = body.Integer("version", true, 1, INT32_MAX);  // optimistic concurrency
  VERTICE_CO_TRY(body.Finish());
  shared::Values values;
  if (f.name) values["name"] = *f.name;
  if (f.unit_price) values["unit_price"] = f.unit_price->ToString();
  if (f.iva_rate) values["iva_rate"] = f.iva_rate->ToString();
  if (f.price_includes_tax) values["price_includes_tax"] = *f.price_includes_tax ? "true" : "false";
  if (f.active) values["active"] = *f.active ? "true" : "false";
  if (values.empty())
    co_return Fail(ErrorKind::kInvalidInput, "nothing_to_update", "Indique al menos un campo a cambiar.");
  auto updated =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await Products().Get(tx, std::to_string(id), true));
        VERTICE_CO_ASSIGN_OR_RETURN(auto after, co_await Products().Update(tx, std::to_string(id), values, version));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.product.updated", "cpg_product",
                                                    std::to_string(id), json::serialize(before),
                                                    json::serialize(after)));
        co_return after;
      });
  if (!updated) {
    if (updated.error().kind == ErrorKind::kNotFound) co_return std::unexpected(NotFound("El producto no existe."));
    co_return std::unexpected(updated.error());
  }
  co_return Json(200, *updated);
}

constexpr size_t kMaxImportRows = 5000;

// A catalog from a spreadsheet: every row is checked first, and one bad row refuses the whole file
// with each row's problems (422 cpg.import_invalid, nothing written) — as Odoo's import tests a
// file before importing it. `dry_run` answers what each row would do without writing.
db::Task<Result<http::Response>> ImportProducts(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto dry_run = body.Bool("dry_run", false).value_or(false);
  json::array rows;
  std::map<std::string, size_t> seen;  // SKU → first row
  std::vector<std::string> skus;       // as each row states it, for the report
  size_t n = 0;
  for (auto* row : body.Objects("rows", true, kMaxImportRows)) {
    ++n;
    auto f = ReadProduct(*row, true);
    skus.push_back(f.sku.value_or(""));
    if (f.sku) {
      auto [at, fresh] = seen.emplace(*f.sku, n);
      if (!fresh) row->Invalid("sku", fmt::format("repite el SKU de la fila {}", at->second));
    }
    if (!f.sku || !f.name || !f.unit_price) continue;
    json::object item{{"row", n},
                      {"sku", *f.sku},
                      {"name", *f.name},
                      {"unit_price", f.unit_price->ToString()},
                      {"iva_rate", f.iva_rate.value_or(shared::Rate::FromUnits(160000)).ToString()}};
    if (f.price_includes_tax) item["price_includes_tax"] = *f.price_includes_tax;
    if (f.active) item["active"] = *f.active;
    rows.push_back(std::move(item));
  }
  if (auto finished = body.Finish(); !finished) {
    // Problems inside rows ("rows[3].unit_price") become the per-row report; anything else (the
    // body's own shape) stays a 400.
    json::object by_row;
    bool only_rows = true;
    const auto* fields = finished.error().details.if_contains("fields");
    for (const auto& f : fields && fields->is_array() ? fields->as_array() : json::array{}) {
      std::string_view field(f.at("field").as_string());
      // "rows[3].unit_price" → row index 3, field "unit_price".
      const auto close = field.find("].");
      size_t index = 0;
      const bool in_row = field.starts_with("rows[") && close != std::string_view::npos &&
                          std::from_chars(field.data() + 5, field.data() + close, index).ec == std::errc{};
      if (!in_row) {
        only_rows = false;
        break;
      }
      const std::string rest(field.substr(close + 2));
      auto key = std::to_string(index + 1);
      if (!by_row.contains(key))
        by_row[key] = json::object{{"row", static_cast<int64_t>(index) + 1},
                                   {"sku", index < skus.size() ? skus[index] : ""},
                                   {"errors", json::object{}}};
      by_row[key].as_object()["errors"].as_object()[rest] = f.at("problem");
    }
    if (!only_rows || by_row.empty()) co_return std::unexpected(finished.error());
    json::array report;
    for (auto& [k, v] : by_row) report.push_back(std::move(v));
    std::sort(report.begin(), report.end(), [](const json::value& a, const json::value& b) {
      return a.at("row").as_int64() < b.at("row").as_int64();
    });
    const auto refused = report.size();
    co_return std::unexpected(BusinessRule(
        "cpg.import_invalid",
        fmt::format("{} de {} filas tienen errores; no se importó nada. Corríjalas y vuelva a intentar.", refused, n),
        json::object{{"rows", std::move(report)}}));
  }
  auto result =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
        auto applied =
            co_await tx.Query(sql::kImportProducts, db::P(json::serialize(rows), dry_run ? "false" : "true"));
        if (!applied) co_return std::unexpected(db::Remap(applied.error(), kConstraints));
        json::array report;
        int64_t created = 0, updated = 0, unchanged = 0;
        for (int i = 0; i < applied->Size(); ++i) {
          auto action = applied->Str(i, "action");
          (action == "create" ? created : action == "update" ? updated : unchanged) += 1;
          report.push_back(
              json::object{{"row", applied->Int(i, "row")}, {"sku", applied->Str(i, "sku")}, {"action", action}});
        }
        json::object out{{"dry_run", dry_run},
                         {"created", created},
                         {"updated", updated},
                         {"unchanged", unchanged},
                         {"rows", std::move(report)}};
        if (!dry_run && created + updated > 0) {
          json::object summary{{"created", created}, {"updated", updated}, {"unchanged", unchanged}};
          VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.products.imported", "cpg_product", "", "",
                                                      json::serialize(summary)));
        }
        co_return out;
      });
  if (!result) co_return std::unexpected(result.error());
  co_return Json(200, *result);
}

// ---- points of sale ---------------------------------------------------------------------

db::Task<Result<http::Response>> ListPos(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto page_request, IdPage(req.http.query));
  shared::ListOptions options{.limit = page_request.limit, .after = page_request.after};
  auto status = shared::QueryValue(req.http.query, "status");
  if (!status.empty()) {
    if (status != "active" && status != "inactive")
      co_return Fail(ErrorKind::kInvalidInput, "invalid_filter", "status debe ser active o inactive.");
    options.equals["status"] = status;
  }
  auto page = co_await req.ctx.pool.InTransaction(
      req.scope, [&](db::Transaction& tx) { return PointsOfSale().List(tx, options); });
  if (!page) co_return std::unexpected(page.error());
  co_return Json(200, shared::PageJson(*page));
}

db::Task<Result<http::Response>> CreatePos(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto code = body.String("code", true, 30);
  auto name = body.String("name", true, 200);
  auto rfc = body.String("retailer_rfc", true, 13);
  auto address = body.String("address", false, 500);
  auto commission = ReadRate(body, "commission_rate", false, kMaxCommission);
  auto status = body.String("status", false, 10);
  if (code && !IsCode(*code, 30)) body.Invalid("code", "solo letras, dígitos, '.', '_' y '-' (hasta 30)");
  if (name && name->empty()) body.Invalid("name", "no puede estar vacío");
  CheckRfcField(body, rfc);
  CheckStatusField(body, status);
  VERTICE_CO_TRY(body.Finish());
  auto created =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
        shared::Values values{{"code", *code},
                              {"name", *name},
                              {"retailer_rfc", *rfc},
                              {"address", address.value_or("")},
                              {"commission_rate", commission.value_or(DefaultCommission(req.ctx.config)).ToString()},
                              {"status", status.value_or("active")}};
        auto row = co_await PointsOfSale().Create(tx, std::move(values));
        if (!row) co_return std::unexpected(db::Remap(row.error(), kConstraints));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.pos.created", "cpg_pos",
                                                    json::value_to<std::string>(row->at("pos_id")), "",
                                                    json::serialize(*row)));
        co_return row;
      });
  if (!created) co_return std::unexpected(created.error());
  co_return Json(201, *created);
}

db::Task<Result<http::Response>> UpdatePos(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "El punto de venta"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto name = body.String("name", false, 200);
  auto rfc = body.String("retailer_rfc", false, 13);
  auto address = body.String("address", false, 500);
  auto commission = ReadRate(body, "commission_rate", false, kMaxCommission);
  auto status = body.String("status", false, 10);
  auto version = body.Integer("version", true, 1, INT32_MAX);  // optimistic concurrency
  if (name && name->empty()) body.Invalid("name", "no puede estar vacío");
  CheckRfcField(body, rfc);
  CheckStatusField(body, status);
  VERTICE_CO_TRY(body.Finish());
  shared::Values values;
  if (name) values["name"] = *name;
  if (rfc) values["retailer_rfc"] = *rfc;
  if (address) values["address"] = *address;
  if (commission) values["commission_rate"] = commission->ToString();
  if (status) values["status"] = *status;
  if (values.empty())
    co_return Fail(ErrorKind::kInvalidInput, "nothing_to_update", "Indique al menos un campo a cambiar.");
  auto updated =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto before, co_await PointsOfSale().Get(tx, std::to_string(id), true));
        VERTICE_CO_ASSIGN_OR_RETURN(auto after,
                                    co_await PointsOfSale().Update(tx, std::to_string(id), values, version));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.pos.updated", "cpg_pos", std::to_string(id),
                                                    json::serialize(before), json::serialize(after)));
        co_return after;
      });
  if (!updated) {
    if (updated.error().kind == ErrorKind::kNotFound)
      co_return std::unexpected(NotFound("El punto de venta no existe."));
    co_return std::unexpected(updated.error());
  }
  co_return Json(200, *updated);
}

// ---- POS sales ----------------------------------------------------------------------------

db::Task<Result<http::Response>> RecordSale(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto pos_id, IdParam(req, "id", "El punto de venta"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto ticket = body.String("ticket", true, 40);
  auto sold_at = body.String("sold_at", false, 40);
  auto method = body.String("payment_method", true, 20);
  auto cfdi_uuid = body.String("cfdi_uuid", false, 36);
  auto lines = ReadLines(body);
  if (ticket && !IsCode(*ticket, 40, "._/-")) body.Invalid("ticket", "solo letras, dígitos y . _ / - (hasta 40)");
  if (sold_at && !shared::IsIsoTimestamp(*sold_at))
    body.Invalid("sold_at", "debe ser una fecha y hora ISO 8601 con zona");
  if (method && *method != "cash" && *method != "card" && *method != "transfer" && *method != "voucher")
    body.Invalid("payment_method", "debe ser cash, card, transfer o voucher");
  if (cfdi_uuid && !shared::IsValidCfdiUuid(*cfdi_uuid)) body.Invalid("cfdi_uuid", "no es un UUID de CFDI válido");
  VERTICE_CO_TRY(body.Finish());
  std::optional<std::string> uuid;
  if (cfdi_uuid) uuid = ToUpperAscii(*cfdi_uuid);

  const auto authority = PriceAuthorityFor(req.role, req.ctx.config);

  co_return co_await IdempotentWrite(
      req, IdempotencyKeys(), [&](db::Transaction& tx) -> db::Task<Result<http::Response>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto pos, co_await LoadPosAndProducts(tx, pos_id, lines));
        if (!pos.found) co_return std::unexpected(NotFound("El punto de venta no existe."));
        if (!pos.active)
          co_return std::unexpected(
              BusinessRule("cpg.pos_inactive", "El punto de venta está inactivo; no registra ventas."));
        VERTICE_CO_ASSIGN_OR_RETURN(auto priced, PriceLines(lines, pos.products, authority, PriceBasis::kCatalog));
        json::array rows;
        shared::Money subtotal, iva;
        for (size_t i = 0; i < priced.size(); ++i) {
          const auto& l = priced[i];
          VERTICE_CO_ASSIGN_OR_RETURN(subtotal, subtotal.Add(l.amount.subtotal));
          VERTICE_CO_ASSIGN_OR_RETURN(iva, iva.Add(l.amount.iva));
          rows.push_back(json::object{{"line_no", i + 1},
                                      {"product_id", std::to_string(l.product->id)},
                                      {"quantity", l.quantity.ToString()},
                                      {"unit_price", l.unit_price.ToString()},
                                      {"iva_rate", l.product->iva_rate.ToString()},
                                      {"price_includes_tax", l.tax_included},
                                      {"subtotal", l.amount.subtotal.ToString()},
                                      {"iva", l.amount.iva.ToString()}});
        }
        VERTICE_CO_ASSIGN_OR_RETURN(auto total, subtotal.Add(iva));
        auto params = db::P(std::to_string(pos_id), *ticket, sold_at, *method, subtotal.ToString(), iva.ToString(),
                            total.ToString(), uuid, json::serialize(rows));
        auto inserted = co_await tx.Query(sql::kInsertSale, std::move(params));
        if (!inserted) co_return std::unexpected(db::Remap(inserted.error(), kConstraints));
        json::object out{{"sale_id", inserted->Str(0, "sale_id")},
                         {"pos_id", std::to_string(pos_id)},
                         {"ticket", *ticket},
                         {"sold_at", inserted->Str(0, "sold_at")},
                         {"business_date", inserted->Str(0, "business_date")},
                         {"payment_method", *method},
                         {"subtotal", subtotal.ToString()},
                         {"iva", iva.ToString()},
                         {"total", total.ToString()},
                         {"cfdi_uuid", uuid ? json::value(*uuid) : json::value(nullptr)},
                         {"lines", rows}};
        auto sale_id = std::to_string(inserted->Int(0, "sale_id"));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.sale.recorded", "cpg_sale", sale_id, "",
                                                    json::serialize(out)));
        VERTICE_CO_TRY(
            co_await AuditPriceChanges(tx, req.actor, req.role, "cpg.sale.price_changed", "cpg_sale", sale_id, priced));
        co_return Json(201, out);
      });
}

db::Task<Result<http::Response>> ListSales(VerticalRequest& req) { return ListPage(req, SaleList()); }

// The totals of what the sales list shows for the same filters (an export's check figure).
db::Task<Result<http::Response>> SaleSummary(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto selection, shared::BuildSelection(SaleList(), req.http.query));
  auto rows = co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) {
    return tx.Query(std::string(sql::kSaleTotals) + selection.where, selection.params);
  });
  if (!rows) co_return std::unexpected(rows.error());
  co_return Json(200, json::object{{"count", std::stoll(rows->Str(0, "count"))},
                                   {"subtotal", rows->Str(0, "subtotal")},
                                   {"iva", rows->Str(0, "iva")},
                                   {"total", rows->Str(0, "total")}});
}

db::Task<Result<http::Response>> GetSale(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "La venta"));
  auto rows = co_await req.ctx.pool.InTransaction(
      req.scope, [&](db::Transaction& tx) { return tx.Query(sql::kSaleDetail, db::P(std::to_string(id))); });
  if (!rows) co_return std::unexpected(rows.error());
  if (rows->Empty()) co_return std::unexpected(NotFound("La venta no existe."));
  co_return http::JsonResponse(200, std::string(rows->Str(0, "sale")));  // PostgreSQL wrote the JSON
}

}  // namespace

std::vector<VerticalRoute> CatalogRoutes() {
  return {
      {"GET", "/products", "read", ListProducts},
      {"POST", "/products", "manage", CreateProduct},
      {"POST", "/products/import", "manage", ImportProducts},
      {"PATCH", "/products/{id}", "manage", UpdateProduct},
      {"GET", "/pos", "read", ListPos},
      {"POST", "/pos", "manage", CreatePos},
      {"PATCH", "/pos/{id}", "manage", UpdatePos},
      {"POST", "/pos/{id}/sales", "sell", RecordSale},
      {"GET", "/sales", "read", ListSales},
      {"GET", "/sales/summary", "read", SaleSummary},
      {"GET", "/sales/{id}", "read", GetSale},
  };
}

}  // namespace vertice::verticals::cpg
