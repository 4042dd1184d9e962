#include "shared/tax.hpp"

namespace vertice::shared {

Result<Money> LineTaxAmount(const InvoiceLine& line, const LineTax& tax) {
  if (tax.factor == TaxFactor::kExento) return Money{};
  VERTICE_ASSIGN_OR_RETURN(auto base, line.amount.Sub(line.discount));
  return base.Mul(tax.rate, Rounding::kHalfUp);
}

Result<InvoiceTotals> ComputeTotals(const std::vector<InvoiceLine>& lines) {
  InvoiceTotals t;
  for (const auto& line : lines) {
    VERTICE_ASSIGN_OR_RETURN(t.subtotal, t.subtotal.Add(line.amount));
    VERTICE_ASSIGN_OR_RETURN(t.discount, t.discount.Add(line.discount));
    for (const auto& tax : line.taxes) {
      VERTICE_ASSIGN_OR_RETURN(auto amount, LineTaxAmount(line, tax));
      if (tax.withheld) {
        VERTICE_ASSIGN_OR_RETURN(t.withheld, t.withheld.Add(amount));
      } else {
        VERTICE_ASSIGN_OR_RETURN(t.transferred, t.transferred.Add(amount));
      }
    }
  }
  VERTICE_ASSIGN_OR_RETURN(auto net, t.subtotal.Sub(t.discount));
  VERTICE_ASSIGN_OR_RETURN(auto with_taxes, net.Add(t.transferred));
  VERTICE_ASSIGN_OR_RETURN(t.total, with_taxes.Sub(t.withheld));
  return t;
}

}  // namespace vertice::shared
