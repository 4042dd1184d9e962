// CFDI tax arithmetic: each concepto's tax is Base × TasaOCuota rounded half up to the currency's
// cents, per line, and the document's totals are the sums of the line amounts (SAT's rules for
// CFDI 3.3, which Vértice applies to 4.0 too). Exento lines carry a base and no amount.
#pragma once

#include <string>
#include <vector>

#include "shared/decimal.hpp"

namespace vertice::shared {

enum class TaxFactor { kTasa, kCuota, kExento };

struct TaxRates {
  static Rate Iva16() { return Rate::FromUnits(160000); }
  static Rate Iva8() { return Rate::FromUnits(80000); }  // región fronteriza
  static Rate Iva0() { return Rate::FromUnits(0); }
  static Rate IsrRetention10() { return Rate::FromUnits(100000); }
  static Rate IvaRetentionTwoThirds() { return Rate::FromUnits(106667); }  // 10.6667 %
};

struct LineTax {
  std::string tax;  // "002" IVA, "003" IEPS, "001" ISR
  TaxFactor factor = TaxFactor::kTasa;
  Rate rate;  // tasa (0.160000) or cuota per unit
  bool withheld = false;
};

struct InvoiceLine {
  Money amount;    // Importe = cantidad × valor unitario
  Money discount;  // Descuento
  std::vector<LineTax> taxes;
};

struct InvoiceTotals {
  Money subtotal;
  Money discount;
  Money transferred;  // Σ traslados
  Money withheld;     // Σ retenciones
  Money total;        // subtotal − discount + transferred − withheld
};

// Tax amount of one line: (amount − discount) × rate, half up to cents; Exento → 0.
Result<Money> LineTaxAmount(const InvoiceLine& line, const LineTax& tax);
Result<InvoiceTotals> ComputeTotals(const std::vector<InvoiceLine>& lines);

}  // namespace vertice::shared
