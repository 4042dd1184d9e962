// Line arithmetic of the CPG vertical, exact: amount = quantity × unit price rounded half up to
// cents once, IVA = amount × rate rounded half up per line (as CFDI does), totals are sums.
#pragma once

#include <string>
#include <vector>

#include "db/pool.hpp"
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

// Products of the company by SKU, for pricing lines: id, price, IVA rate, active.
struct Product {
  int64_t id = 0;
  std::string sku;
  shared::UnitPrice unit_price;
  shared::Rate iva_rate;
  bool active = false;
};
db::Task<Result<std::vector<Product>>> ProductsBySku(db::Transaction& tx, std::vector<std::string> skus);

}  // namespace vertice::verticals::cpg
