// Exact fixed-point decimals for money (scale 2) and unit prices, quantities, exchange and tax
// rates (scale 6), as CFDI allows. Values are int64 units of 10^-Scale; products and quotients
// use 128-bit intermediates; every operation that could overflow or needs rounding says so.
// Hand-written: Debian ships no C++ decimal library with compile-time scale and explicit rounding
// (Boost.Multiprecision's cpp_dec_float is floating, not fixed-point).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vertice::shared {

enum class Rounding {
  kHalfUp,    // half away from zero: SAT's rule, and PostgreSQL round(numeric)
  kHalfEven,  // banker's rounding
  kDown,      // toward zero (truncate)
};

__extension__ using Int128 = __int128;  // GCC extension: 128-bit intermediates

namespace detail {
constexpr int64_t Pow10(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}
// Divides n by d (d > 0) rounding as asked; exact for every int128 input.
Int128 DivRound(Int128 n, Int128 d, Rounding r);
Result<int64_t> Narrow(Int128 v);
Result<int64_t> ParseUnits(std::string_view text, int scale);
std::string FormatUnits(int64_t units, int scale);
Error Overflow();
}  // namespace detail

template <int Scale>
class Decimal {
  static_assert(Scale >= 0 && Scale <= 9);

 public:
  static constexpr int kScale = Scale;
  static constexpr int64_t kOne = detail::Pow10(Scale);

  constexpr Decimal() = default;
  static constexpr Decimal FromUnits(int64_t units) { return Decimal(units); }
  static Result<Decimal> FromInt(int64_t whole) {
    Int128 v = static_cast<Int128>(whole) * kOne;
    VERTICE_ASSIGN_OR_RETURN(auto units, detail::Narrow(v));
    return Decimal(units);
  }
  // Strict: "-1234.5" ok; "1,000.00", "1e3", "NaN", "", " 1", "+1", ".5", more than Scale decimals → error.
  static Result<Decimal> Parse(std::string_view text) {
    VERTICE_ASSIGN_OR_RETURN(auto units, detail::ParseUnits(text, Scale));
    return Decimal(units);
  }
  // Also what PostgreSQL NUMERIC text and JSON carry: always Scale decimals ("1000.50").
  std::string ToString() const { return detail::FormatUnits(units_, Scale); }

  constexpr int64_t Units() const { return units_; }
  constexpr bool IsNegative() const { return units_ < 0; }
  constexpr bool IsZero() const { return units_ == 0; }
  constexpr bool IsPositive() const { return units_ > 0; }
  constexpr auto operator<=>(const Decimal&) const = default;

  Result<Decimal> Add(Decimal o) const {
    int64_t out;
    if (__builtin_add_overflow(units_, o.units_, &out)) return std::unexpected(detail::Overflow());
    return Decimal(out);
  }
  Result<Decimal> Sub(Decimal o) const {
    int64_t out;
    if (__builtin_sub_overflow(units_, o.units_, &out)) return std::unexpected(detail::Overflow());
    return Decimal(out);
  }
  Result<Decimal> Negate() const {
    if (units_ == INT64_MIN) return std::unexpected(detail::Overflow());
    return Decimal(-units_);
  }
  Decimal Abs() const { return units_ < 0 ? Decimal(-units_) : *this; }

  // this × factor, rounded to this type's scale (e.g. amount × tax rate, price × quantity).
  template <int S2>
  Result<Decimal> Mul(Decimal<S2> factor, Rounding r) const {
    Int128 p = static_cast<Int128>(units_) * factor.Units();
    return Make(detail::DivRound(p, Decimal<S2>::kOne, r));
  }
  // this × a × b in one rounding (price × quantity × rate without double rounding).
  template <int S2, int S3>
  Result<Decimal> Mul(Decimal<S2> a, Decimal<S3> b, Rounding r) const {
    Int128 p = static_cast<Int128>(units_) * a.Units();
    // |units| < 2^63 and |a|,|b| < 2^63 could exceed 128 bits; bound a × b first.
    Int128 limit = (static_cast<Int128>(1) << 126) / (p < 0 ? -p : (p == 0 ? 1 : p));
    Int128 bb = b.Units() < 0 ? -static_cast<Int128>(b.Units()) : b.Units();
    if (bb > limit) return std::unexpected(detail::Overflow());
    return Make(detail::DivRound(p * b.Units(), static_cast<Int128>(Decimal<S2>::kOne) * Decimal<S3>::kOne, r));
  }
  // this ÷ divisor, rounded to this type's scale.
  template <int S2>
  Result<Decimal> Div(Decimal<S2> divisor, Rounding r) const {
    if (divisor.Units() == 0) return Fail(ErrorKind::kInvalidInput, "decimal.division_by_zero", "División entre cero.");
    Int128 n = static_cast<Int128>(units_) * Decimal<S2>::kOne;
    Int128 d = divisor.Units();
    if (d < 0) {
      n = -n;
      d = -d;
    }
    return Make(detail::DivRound(n, d, r));
  }
  Result<Decimal> DivInt(int64_t divisor, Rounding r) const {
    if (divisor == 0) return Fail(ErrorKind::kInvalidInput, "decimal.division_by_zero", "División entre cero.");
    Int128 n = units_, d = divisor;
    if (d < 0) {
      n = -n;
      d = -d;
    }
    return Make(detail::DivRound(n, d, r));
  }
  // Same value at another scale; rounding applies only when decimals are dropped.
  template <int S2>
  Result<Decimal<S2>> Rescale(Rounding r) const {
    if constexpr (S2 >= Scale) {
      Int128 v = static_cast<Int128>(units_) * detail::Pow10(S2 - Scale);
      VERTICE_ASSIGN_OR_RETURN(auto units, detail::Narrow(v));
      return Decimal<S2>::FromUnits(units);
    } else {
      Int128 v = detail::DivRound(units_, detail::Pow10(Scale - S2), r);
      return Decimal<S2>::FromUnits(static_cast<int64_t>(v));
    }
  }

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  static Result<Decimal> Make(Int128 v) {
    VERTICE_ASSIGN_OR_RETURN(auto units, detail::Narrow(v));
    return Decimal(units);
  }
  int64_t units_ = 0;
};

using Money = Decimal<2>;  // amounts in a currency (NUMERIC(18,2))
using Rate = Decimal<6>;   // tax and exchange rates, percentages as fractions (0.160000)
using Quantity = Decimal<6>;
using UnitPrice = Decimal<6>;

// A NUMERIC(18, Scale) column holds 18 digits: |units| ≤ 10^18 − 1 at any scale, e.g.
// 9999999999999999.99 for money and 999999999999.999999 for quantities and unit prices. Decimal
// itself reaches ±9.2 × 10^18 units; a value to be stored must also fit its column.
inline constexpr int64_t kMaxNumeric18Units = 999'999'999'999'999'999;
template <int S>
constexpr bool FitsNumeric18(Decimal<S> d) {
  return d.Units() <= kMaxNumeric18Units && d.Units() >= -kMaxNumeric18Units;
}
inline constexpr Money kMaxStoredMoney = Money::FromUnits(kMaxNumeric18Units);
constexpr bool FitsStoredMoney(Money m) { return FitsNumeric18(m); }
// Money::Parse, then FitsStoredMoney: an amount from a client that is about to be stored.
// Too large is decimal.out_of_range (400) naming the limit.
Result<Money> ParseStoredMoney(std::string_view text);

// Splits `total` over `weights` (non-negative, not all zero) so the parts sum to exactly `total`:
// each part is the exact share rounded down, and the cents left go to the largest remainders
// (ties to the earlier part). Works for negative totals (by symmetry).
Result<std::vector<Money>> Allocate(Money total, const std::vector<Rate>& weights);
// Equal split into n parts, the first parts taking the extra cents.
Result<std::vector<Money>> AllocateEvenly(Money total, int parts);

// amount × rate / 1 (e.g. currency conversion with TipoCambio), rounded half up to cents.
Result<Money> Convert(Money amount, Rate exchange_rate);
// `percent` of amount, percent given as a percentage (16 for 16 %), half up to cents.
Result<Money> Percentage(Money amount, Rate percent);

}  // namespace vertice::shared
