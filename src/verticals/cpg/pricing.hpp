// Line arithmetic of the CPG vertical, exact: amount = quantity × unit price rounded half up to
// cents once, IVA = amount × rate rounded half up per line (as CFDI does), totals are sums. POS
// sales and consignments read and price their lines the same way. A product whose price includes
// IVA (a shelf price) is charged that price at the point of sale, with the IVA it contains
// separated per line; consignment prices it net + IVA, as retail trade does between businesses.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/pool.hpp"
#include "http/json_body.hpp"
#include "shared/audit.hpp"
#include "shared/decimal.hpp"

namespace vertice::verticals::cpg {

struct LineAmount {
  shared::Money subtotal;
  shared::Money iva;
  Result<shared::Money> Total() const { return subtotal.Add(iva); }
};

inline Result<LineAmount> PriceLine(shared::Quantity quantity, shared::UnitPrice unit_price, shared::Rate iva_rate) {
  LineAmount out;
  VERTICE_ASSIGN_OR_RETURN(out.subtotal,
                           shared::Money::FromUnits(100).Mul(quantity, unit_price, shared::Rounding::kHalfUp));
  VERTICE_ASSIGN_OR_RETURN(out.iva, out.subtotal.Mul(iva_rate, shared::Rounding::kHalfUp));
  return out;
}

// A price that includes IVA (a shelf price): the line's total is quantity × price rounded half up
// to cents, as the shelf states it; its net is total / (1 + rate) rounded half up to cents and
// the IVA it contains is the difference, so net + IVA is always exactly what the shelf says.
inline Result<LineAmount> PriceLineTaxIncluded(shared::Quantity quantity, shared::UnitPrice unit_price,
                                               shared::Rate iva_rate) {
  VERTICE_ASSIGN_OR_RETURN(auto total,
                           shared::Money::FromUnits(100).Mul(quantity, unit_price, shared::Rounding::kHalfUp));
  LineAmount out;
  VERTICE_ASSIGN_OR_RETURN(out.subtotal, total.Div(shared::Rate::FromUnits(shared::Rate::kOne + iva_rate.Units()),
                                                   shared::Rounding::kHalfUp));
  VERTICE_ASSIGN_OR_RETURN(out.iva, total.Sub(out.subtotal));
  return out;
}

// The net (before IVA) of a price that includes it, at the unit price's scale, rounded half up.
inline Result<shared::UnitPrice> NetOfTaxIncluded(shared::UnitPrice price, shared::Rate iva_rate) {
  return price.Div(shared::Rate::FromUnits(shared::Rate::kOne + iva_rate.Units()), shared::Rounding::kHalfUp);
}

// A line as a request sends it: "lines": [{"sku", "quantity", "unit_price"?}].
struct LineRequest {
  std::string sku;
  shared::Quantity quantity;
  std::optional<shared::UnitPrice> unit_price;  // default: the catalog's
};
// Reads the request's lines (required, at most 500); problems are recorded on the body.
std::vector<LineRequest> ReadLines(http::JsonBody& body);

struct Product {
  int64_t id = 0;
  std::string sku;
  shared::UnitPrice unit_price;
  shared::Rate iva_rate;
  bool active = false;
  bool price_includes_tax = false;
};

// A point of sale of the transaction's company with the products its lines name, read in one
// round trip; `found` is false when the point of sale does not exist here.
struct PosAndProducts {
  bool found = false;
  bool active = false;
  shared::Rate commission_rate;
  std::vector<Product> products;
};
db::Task<Result<PosAndProducts>> LoadPosAndProducts(db::Transaction& tx, int64_t pos_id,
                                                    const std::vector<LineRequest>& lines);

// Who may charge other than the catalog price, after Odoo's point of sale (price control: only
// managers change prices; others may give at most the configured discount). Owner, CEO and CFO
// charge any price. Every other role — the cashier at the till, the accountant who consigns —
// charges the catalog price, or less by at most the company's `max_discount_rate` (its
// configuration of the vertical; default 0: no discount), and never more.
struct PriceAuthority {
  bool any_price = false;
  shared::Rate max_discount;  // a fraction of the catalog price: 0.100000 is 10 %
};
PriceAuthority PriceAuthorityFor(std::string_view role, const boost::json::object& config);

// How a document states its prices: a ticket as the catalog does (IVA included or not, per
// product); a consignment always net + IVA (an IVA-inclusive catalog price is converted).
enum class PriceBasis { kCatalog, kNet };

struct PricedLine {
  const Product* product = nullptr;
  shared::Quantity quantity;
  shared::UnitPrice unit_price;
  shared::UnitPrice catalog_price;  // the catalog's price on the line's basis
  bool tax_included = false;        // unit_price includes IVA
  LineAmount amount;
  bool PriceChanged() const { return unit_price != catalog_price; }
};
// Each line priced at its own or the catalog's price, on `basis`. Unknown or inactive products → 422 naming
// every such line (`lines[i].sku`); a price the authority does not allow → 403
// cpg.price_change_not_allowed naming every such line (`lines[i].unit_price`) and its range.
Result<std::vector<PricedLine>> PriceLines(const std::vector<LineRequest>& lines, const std::vector<Product>& products,
                                           const PriceAuthority& authority, PriceBasis basis);

// Records in the audit log, in the write's transaction, every line charged other than the
// catalog price: before = the catalog prices, after = the prices charged and the role.
db::Task<Status> AuditPriceChanges(db::Transaction& tx, const shared::Actor& actor, std::string role,
                                   std::string action, std::string entity_type, std::string entity_id,
                                   const std::vector<PricedLine>& lines);

}  // namespace vertice::verticals::cpg
