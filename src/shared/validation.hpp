// Business validation helpers (the seed's ValidationHelpers): Mexican identifiers with their
// check digits, ISO codes, amounts and dates. Pure functions; request handlers collect failures
// with core/field_errors.hpp so one 400 lists every field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/field_errors.hpp"
#include "db/pool.hpp"
#include "shared/decimal.hpp"

namespace vertice::shared {

enum class RfcStatus {
  kInvalid,        // wrong length, letters, date or characters
  kDigitMismatch,  // well-formed, but the homoclave check digit does not verify
  kValid,
};
// Personas morales (12), físicas (13), and the generic XAXX010101000 / XEXX010101000.
// Callers decide whether kDigitMismatch is an error or a warning: some real and SAT test
// documents carry RFCs whose digit does not verify.
RfcStatus CheckRfc(std::string_view rfc);
// The SAT check digit for the first 11 (moral) or 12 (física) characters.
std::optional<char> RfcCheckDigit(std::string_view rfc_without_digit);
bool IsGenericRfc(std::string_view rfc);

// CLABE: 18 digits, 3-digit bank code, 3-digit plaza, 11-digit account, check digit (weights 3,7,1).
bool IsValidClabe(std::string_view clabe);
// The bank's name for a CLABE's first three digits, when known.
std::optional<std::string_view> ClabeBankName(std::string_view clabe);

bool IsValidCfdiUuid(std::string_view uuid);  // 8-4-4-4-12 hex, either case
bool IsIso4217(std::string_view code);        // active ISO 4217 currency codes (MXN, USD, …)
bool IsValidPostalCode(std::string_view cp);  // Mexican código postal: 5 digits, 01000–99999

// The seed's validate_positive_amount: > 0.00. Non-negative: ≥ 0.00.
bool IsPositiveAmount(const Money& amount);
bool IsNonNegativeAmount(const Money& amount);

// ISO 8601 calendar date "2026-11-27" (a real day of a real month).
bool IsIsoDate(std::string_view date);
// ISO 8601 timestamp with zone: "2026-11-27T14:30:00Z", "…-06:00", optional fraction.
bool IsIsoTimestamp(std::string_view ts);

// Business dates are Mexico City calendar days. The time-zone rules live in PostgreSQL's tz
// database (GCC 12's <chrono> has none): this asks the database for the day of an instant.
inline constexpr const char* kBusinessTimeZone = "America/Mexico_City";
db::Task<Result<std::string>> BusinessDate(db::Transaction& tx, std::string iso_timestamp);
// Today, by the injected clock (never the session's current_date: sessions run in UTC, six hours
// ahead of Mexico City). Bind the answer as $n::date.
db::Task<Result<std::string>> BusinessToday(db::Transaction& tx, const Clock& clock);
// "2026-11-27T14:30:00Z": an instant in UTC, whole seconds.
std::string IsoUtc(Clock::TimePoint at);

// Parses a money field into `errors` under `field`; nullopt when absent or invalid.
std::optional<Money> MoneyField(FieldErrors& errors, std::string_view field, const std::optional<std::string>& text,
                                bool must_be_positive);

}  // namespace vertice::shared
