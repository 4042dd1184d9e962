#include "shared/decimal.hpp"

#include <algorithm>
#include <numeric>

namespace vertice::shared {

namespace detail {

Error Overflow() {
  return Error{ErrorKind::kInvalidInput, "decimal.overflow", "El importe excede el rango permitido.", {}, {}};
}

Int128 DivRound(Int128 n, Int128 d, Rounding r) {
  Int128 q = n / d;  // truncates toward zero
  Int128 rem = n % d;
  if (rem == 0 || r == Rounding::kDown) return q;
  Int128 abs_rem = rem < 0 ? -rem : rem;
  Int128 twice = abs_rem * 2;
  int sign = n < 0 ? -1 : 1;
  bool away = false;
  if (twice > d) {
    away = true;
  } else if (twice == d) {
    away = r == Rounding::kHalfUp || (q % 2 != 0);
  }
  return away ? q + sign : q;
}

Result<int64_t> Narrow(Int128 v) {
  if (v > INT64_MAX || v < INT64_MIN) return std::unexpected(Overflow());
  return static_cast<int64_t>(v);
}

Result<int64_t> ParseUnits(std::string_view text, int scale) {
  auto invalid = [&](const std::string& why) {
    return Fail(ErrorKind::kInvalidInput, "decimal.invalid", "Importe inválido: " + why + ".", {}, std::string(text));
  };
  if (text.empty()) return invalid("vacío");
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return invalid("se esperaba un número como 1234.56");
  Int128 units = 0;
  int decimals = -1;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (decimals >= 0) return invalid("más de un punto decimal");
      if (i + 1 >= text.size()) return invalid("falta la parte decimal");
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') return invalid("carácter no permitido '" + std::string(1, c) + "'");
    if (decimals >= 0 && ++decimals > scale)
      return Fail(ErrorKind::kInvalidInput, "decimal.too_many_decimals",
                  "El importe tiene más de " + std::to_string(scale) + " decimales.", {}, std::string(text));
    units = units * 10 + (c - '0');
    if (units > static_cast<Int128>(INT64_MAX) * 10) return std::unexpected(Overflow());
  }
  for (int k = std::max(decimals, 0); k < scale; ++k) units *= 10;
  if (negative) units = -units;
  return Narrow(units);
}

std::string FormatUnits(int64_t units, int scale) {
  // Digits right to left into a stack buffer with 64-bit arithmetic (|INT64_MIN| fits in uint64).
  uint64_t v = units < 0 ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  int written = 0;
  do {
    if (written == scale && scale > 0) *--p = '.';
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
    ++written;
  } while (v > 0 || written <= scale);
  if (units < 0) *--p = '-';
  return std::string(p, end);
}

}  // namespace detail

Result<Money> ParseStoredMoney(std::string_view text) {
  VERTICE_ASSIGN_OR_RETURN(auto m, Money::Parse(text));
  if (!FitsStoredMoney(m)) {
    return Fail(ErrorKind::kInvalidInput, "decimal.out_of_range",
                "El importe excede el máximo permitido (" + kMaxStoredMoney.ToString() + ").", {}, std::string(text));
  }
  return m;
}

Result<std::vector<Money>> Allocate(Money total, const std::vector<Rate>& weights) {
  if (weights.empty())
    return Fail(ErrorKind::kInvalidInput, "decimal.no_parts", "No hay partes entre las cuales repartir.");
  Int128 sum = 0;
  for (auto w : weights) {
    if (w.IsNegative())
      return Fail(ErrorKind::kInvalidInput, "decimal.negative_weight", "Los pesos no pueden ser negativos.");
    sum += w.Units();
  }
  if (sum == 0) return Fail(ErrorKind::kInvalidInput, "decimal.zero_weights", "Los pesos no pueden ser todos cero.");
  bool negative = total.IsNegative();
  Int128 cents = negative ? -static_cast<Int128>(total.Units()) : total.Units();
  std::vector<Int128> parts(weights.size());
  std::vector<Int128> remainders(weights.size());
  Int128 given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    Int128 exact = cents * weights[i].Units();
    parts[i] = exact / sum;
    remainders[i] = exact % sum;
    given += parts[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (Int128 left = cents - given, k = 0; left > 0; --left, ++k) ++parts[order[static_cast<size_t>(k)]];
  std::vector<Money> out;
  out.reserve(parts.size());
  for (auto p : parts) out.push_back(Money::FromUnits(static_cast<int64_t>(negative ? -p : p)));
  return out;
}

Result<std::vector<Money>> AllocateEvenly(Money total, int parts) {
  if (parts <= 0) return Fail(ErrorKind::kInvalidInput, "decimal.no_parts", "No hay partes entre las cuales repartir.");
  return Allocate(total, std::vector<Rate>(static_cast<size_t>(parts), Rate::FromUnits(Rate::kOne)));
}

Result<Money> Convert(Money amount, Rate exchange_rate) { return amount.Mul(exchange_rate, Rounding::kHalfUp); }

Result<Money> Percentage(Money amount, Rate percent) {
  return amount.Mul(percent, Rate::FromUnits(Rate::kOne / 100), Rounding::kHalfUp);
}

}  // namespace vertice::shared
