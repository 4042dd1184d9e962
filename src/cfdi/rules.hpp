// Business rules of a parsed CFDI, applied to 3.3 and 4.0 alike (CfdiUtils ships its arithmetic
// rules for 3.3 only) and, where they make sense, to 3.2: sums of conceptos and taxes with SAT's
// per-line rounding (SUMAS), decimals per currency (MONDEC), exchange rate (TIPOCAMBIO), rules of
// types T, P and N (TIPOCOMP), payments (PAGO), parties (RFC). Exact decimals, never floats.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "cfdi/document.hpp"
#include "cfdi/findings.hpp"

namespace vertice::cfdi {

std::vector<Finding> Validate(const Document& doc);

// Parse + Validate: the document (when it could be read) and every finding.
struct Checked {
  std::optional<Document> document;
  std::vector<Finding> findings;
  bool Accepted() const { return document.has_value() && !HasErrors(findings); }
};
Checked Check(std::string_view bytes);

// Currency decimals from SAT's c_Moneda catalogue for the currencies seen in practice; -1 unknown.
int CurrencyDecimals(std::string_view moneda);

}  // namespace vertice::cfdi
