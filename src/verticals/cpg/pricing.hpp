// Line arithmetic of the CPG vertical, exact: amount = quantity × unit price rounded half up to
// cents once, IVA = amount × rate rounded half up per line (as CFDI does), totals are sums. POS
// sales and consignments read and price their lines the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/pool.hpp"
#include "http/json_body.hpp"
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

struct PricedLine {
  const Product* product = nullptr;
  shared::Quantity quantity;
  shared::UnitPrice unit_price;
  LineAmount amount;
};
// Each line priced at its own or the catalog's price; unknown or inactive products → 422 naming
// every such line (`lines[i].sku`).
Result<std::vector<PricedLine>> PriceLines(const std::vector<LineRequest>& lines, const std::vector<Product>& products);

}  // namespace vertice::verticals::cpg
