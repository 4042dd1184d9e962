#include "verticals/cpg/pricing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/field_errors.hpp"
#include "verticals/cpg/queries.hpp"
#include "verticals/sdk.hpp"

namespace vertice::verticals::cpg {

namespace json = boost::json;

std::vector<LineRequest> ReadLines(http::JsonBody& body) {
  std::vector<LineRequest> lines;
  for (auto* line : body.Objects("lines", true, 500)) {
    auto sku = line->String("sku", true, 40);
    auto quantity = ReadQuantity(*line, "quantity", true, true);
    auto price = ReadDecimalText<shared::UnitPrice>(*line, "unit_price", false, false);
    if (sku && quantity) lines.push_back({*sku, *quantity, price});
  }
  return lines;
}

db::Task<Result<PosAndProducts>> LoadPosAndProducts(db::Transaction& tx, int64_t pos_id,
                                                    const std::vector<LineRequest>& lines) {
  json::array skus;
  for (const auto& l : lines) skus.push_back(json::value(l.sku));
  // One row per product found (or one row of NULLs for them), the point of sale on each.
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows, co_await tx.Query(sql::kPosAndProducts, db::P(std::to_string(pos_id), json::serialize(skus))));
  PosAndProducts out;
  if (rows.Empty()) co_return out;
  out.found = true;
  out.active = rows.Str(0, "status") == "active";
  out.commission_rate = DecimalAt<shared::Rate>(rows, 0, "commission_rate");
  for (int i = 0; i < rows.Size(); ++i)
    if (!rows.IsNull(i, rows.Column("product_id")))
      out.products.push_back(
          {rows.Int(i, "product_id"), rows.Str(i, "sku"), DecimalAt<shared::UnitPrice>(rows, i, "unit_price"),
           DecimalAt<shared::Rate>(rows, i, "iva_rate"), rows.Bool(i, "active"), rows.Bool(i, "price_includes_tax")});
  co_return out;
}

PriceAuthority PriceAuthorityFor(std::string_view role, const json::object& config) {
  if (role == "owner" || role == "ceo" || role == "cfo") return {.any_price = true, .max_discount = {}};
  const auto* v = config.if_contains("max_discount_rate");
  auto rate = v && v->is_string() ? shared::Rate::Parse(v->as_string()) : std::unexpected(Error{});
  // The configuration was validated when saved; anything else allows no discount.
  if (!rate || rate->IsNegative() || rate->Units() > shared::Rate::kOne) return {};
  return {.any_price = false, .max_discount = *rate};
}

namespace {

// The lowest price the authority allows: catalog × (1 − max discount), rounded up to the
// price's scale so it never falls below the limit.
shared::UnitPrice LowestPrice(shared::UnitPrice catalog, const PriceAuthority& authority) {
  shared::Int128 kept = shared::Rate::kOne - authority.max_discount.Units();
  shared::Int128 scaled = static_cast<shared::Int128>(catalog.Units()) * kept;
  return shared::UnitPrice::FromUnits(static_cast<int64_t>((scaled + shared::Rate::kOne - 1) / shared::Rate::kOne));
}

}  // namespace

Result<std::vector<PricedLine>> PriceLines(const std::vector<LineRequest>& lines, const std::vector<Product>& products,
                                           const PriceAuthority& authority, PriceBasis basis) {
  std::vector<PricedLine> out;
  FieldErrors problems, refused_prices;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    auto p = std::find_if(products.begin(), products.end(), [&](const Product& x) { return x.sku == l.sku; });
    auto field = fmt::format("lines[{}].sku", i);
    if (p == products.end()) {
      problems.Add(field, "unknown_product", "no existe un producto con ese SKU");
      continue;
    }
    if (!p->active) {
      problems.Add(field, "inactive_product", "el producto está inactivo");
      continue;
    }
    const bool included = p->price_includes_tax && basis == PriceBasis::kCatalog;
    auto catalog = p->unit_price;
    if (p->price_includes_tax && basis == PriceBasis::kNet) {
      VERTICE_ASSIGN_OR_RETURN(catalog, NetOfTaxIncluded(p->unit_price, p->iva_rate));
    }
    auto price = l.unit_price.value_or(catalog);
    if (price != catalog && !authority.any_price) {
      auto lowest = LowestPrice(catalog, authority);
      if (price > catalog || price < lowest) {
        auto range = lowest == catalog ? fmt::format("solo puede cobrar el precio de catálogo ({})", catalog.ToString())
                                       : fmt::format("puede cobrar de {} a {} (precio de catálogo)", lowest.ToString(),
                                                     catalog.ToString());
        refused_prices.Add(fmt::format("lines[{}].unit_price", i), "price_not_allowed", range);
      }
    }
    VERTICE_ASSIGN_OR_RETURN(auto amount, included ? PriceLineTaxIncluded(l.quantity, price, p->iva_rate)
                                                   : PriceLine(l.quantity, price, p->iva_rate));
    out.push_back({&*p, l.quantity, price, catalog, included, amount});
  }
  if (!problems.Empty()) {
    auto e = problems.ToStatus().error();
    e.kind = ErrorKind::kBusinessRule;  // well-formed, but the catalog says no: 422
    return std::unexpected(e);
  }
  if (!refused_prices.Empty()) {
    auto e = refused_prices.ToStatus().error();
    e.kind = ErrorKind::kForbidden;  // the role may not charge that price: 403
    e.code = "cpg.price_change_not_allowed";
    e.message = "Su rol no puede cambiar el precio de catálogo más allá del descuento autorizado para la empresa.";
    return std::unexpected(e);
  }
  return out;
}

db::Task<Status> AuditPriceChanges(db::Transaction& tx, const shared::Actor& actor, std::string role,
                                   std::string action, std::string entity_type, std::string entity_id,
                                   const std::vector<PricedLine>& lines) {
  json::array catalog, charged;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (!l.PriceChanged()) continue;
    catalog.push_back(
        json::object{{"line_no", i + 1}, {"sku", l.product->sku}, {"unit_price", l.catalog_price.ToString()}});
    charged.push_back(
        json::object{{"line_no", i + 1}, {"sku", l.product->sku}, {"unit_price", l.unit_price.ToString()}});
  }
  if (catalog.empty()) co_return Status{};
  json::object before{{"lines", std::move(catalog)}};
  json::object after{{"role", role}, {"lines", std::move(charged)}};
  auto before_text = json::serialize(before);
  auto after_text = json::serialize(after);
  co_return co_await shared::RecordAudit(tx, actor, action, entity_type, entity_id, before_text, after_text);
}

}  // namespace vertice::verticals::cpg
