// What validating a CFDI found: stable rule codes (SAT / CfdiUtils codes where they exist, e.g.
// SUMAS03, PAGO28), the error class a client can branch on, and a Spanish message. Errors reject
// the document; warnings are stored with it and shown.
#pragma once

#include <string>
#include <vector>

namespace vertice::cfdi {

enum class Severity { kError, kWarning };

// Error classes (closed set; shared with ../shared/tools/cfdi_expected.py where they overlap).
namespace classes {
inline constexpr const char* kMalformedXml = "malformed_xml";
inline constexpr const char* kNotACfdi = "not_a_cfdi";
inline constexpr const char* kWrongNamespace = "wrong_namespace";
inline constexpr const char* kMissingUuid = "missing_uuid";
inline constexpr const char* kInvalidUuidFormat = "invalid_uuid_format";
inline constexpr const char* kInvalidValue = "invalid_value";  // required attribute missing or not a number
inline constexpr const char* kTotalsMismatch = "totals_mismatch";
inline constexpr const char* kTaxTotalsMismatch = "tax_totals_mismatch";
inline constexpr const char* kCurrencyRules = "currency_rules";
inline constexpr const char* kTypeRules = "type_rules";
inline constexpr const char* kPaymentBalanceMismatch = "payment_balance_mismatch";
inline constexpr const char* kPaymentAmountMismatch = "payment_amount_mismatch";
inline constexpr const char* kRfcFormat = "rfc_format";
inline constexpr const char* kUnstamped = "unstamped";
inline constexpr const char* kDataQuality = "data_quality";
}  // namespace classes

struct Finding {
  std::string code;         // SUMAS03
  std::string error_class;  // totals_mismatch
  Severity severity = Severity::kError;
  std::string message;  // Spanish, for people
};

inline bool HasErrors(const std::vector<Finding>& findings) {
  for (const auto& f : findings)
    if (f.severity == Severity::kError) return true;
  return false;
}

}  // namespace vertice::cfdi
