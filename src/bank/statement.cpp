// Balance checks and the text helpers every statement parser shares (amounts with national
// separators, dates by pattern, Latin-1). Hand-written: Debian has no library for bank amount and
// date formats; std::chrono validates the calendar.
#include "bank/statement.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>

#include "core/text.hpp"

namespace vertice::bank {

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kAuto:
      return "auto";
    case Format::kCsv:
      return "csv";
    case Format::kCamt053:
      return "camt053";
    case Format::kMt940:
      return "mt940";
    case Format::kOfx:
      return "ofx";
  }
  return "auto";
}

std::optional<Format> FormatFromName(std::string_view name) {
  for (Format f : {Format::kAuto, Format::kCsv, Format::kCamt053, Format::kMt940, Format::kOfx})
    if (FormatName(f) == name) return f;
  if (name == "qfx") return Format::kOfx;
  if (name == "camt.053") return Format::kCamt053;
  return std::nullopt;
}

Error ParseError(const std::string& code, std::string message, int line) {
  boost::json::object d;
  if (line > 0) d["line"] = line;
  return Error{ErrorKind::kInvalidInput,
               "bank." + code,
               line > 0 ? "Línea " + std::to_string(line) + ": " + message : std::move(message),
               std::move(d),
               {}};
}

Status CheckBalances(const Statement& s) {
  if (!s.opening_balance || !s.closing_balance) return {};
  Money sum;
  for (const auto& m : s.movements) {
    auto next = sum.Add(m.amount);
    if (!next) return std::unexpected(next.error());
    sum = *next;
  }
  auto expected = s.opening_balance->Add(sum);
  if (!expected) return std::unexpected(expected.error());
  if (*expected == *s.closing_balance) return {};
  boost::json::object d{{"statement_id", s.statement_id},
                        {"opening_balance", s.opening_balance->ToString()},
                        {"movements_total", sum.ToString()},
                        {"expected_closing_balance", expected->ToString()},
                        {"closing_balance", s.closing_balance->ToString()}};
  return Fail(ErrorKind::kBusinessRule, "bank.balance_mismatch",
              "Los saldos no cuadran" + (s.statement_id.empty() ? std::string{} : " en el estado " + s.statement_id) +
                  ": saldo inicial " + s.opening_balance->ToString() + " + movimientos " + sum.ToString() + " = " +
                  expected->ToString() + ", pero el saldo final declarado es " + s.closing_balance->ToString() + ".",
              std::move(d));
}

namespace {

// An ISO date PostgreSQL's date type holds: a real day of years 0001–9999.
bool IsStorableDate(const std::string& iso) {
  return iso.size() == 10 && !iso.starts_with("0000") && ParseDate(iso, "%Y-%m-%d").has_value();
}

}  // namespace

std::optional<std::string> LineProblem(const Movement& m) {
  if (m.amount.IsZero()) return "importe cero";
  if (!shared::FitsStoredMoney(m.amount))
    return "importe " + m.amount.ToString() + " fuera de rango (máximo " + shared::kMaxStoredMoney.ToString() + ")";
  if (!IsStorableDate(m.booking_date)) return "fecha de operación inválida «" + m.booking_date + "»";
  if (!m.value_date.empty() && !IsStorableDate(m.value_date)) return "fecha valor inválida «" + m.value_date + "»";
  for (const auto& [field, text] : {std::pair<const char*, const std::string*>{"descripción", &m.description},
                                    {"referencia", &m.reference},
                                    {"referencia del banco", &m.bank_reference},
                                    {"contraparte", &m.counterparty_name},
                                    {"cuenta de la contraparte", &m.counterparty_account},
                                    {"código de operación", &m.transaction_code}}) {
    if (!IsStorableText(*text)) return std::string(field) + " con texto inválido (no UTF-8 o con NUL)";
  }
  return std::nullopt;
}

void SkipRefusedLines(Statement& s) {
  bool moved = false;
  std::erase_if(s.movements, [&](const Movement& m) {
    auto problem = LineProblem(m);
    if (problem) s.skipped.push_back({m.line, std::move(*problem)});
    moved = moved || problem.has_value();
    return problem.has_value();
  });
  if (moved) {
    std::stable_sort(s.skipped.begin(), s.skipped.end(),
                     [](const SkippedLine& a, const SkippedLine& b) { return a.line < b.line; });
  }
}

Status CheckStorable(const Statement& s) {
  auto refuse = [&](std::string field, std::string why, std::string code = "bank.statement_out_of_range") {
    boost::json::object d{{"field", field}};
    if (!s.statement_id.empty() && IsStorableText(s.statement_id)) d["statement_id"] = s.statement_id;
    return Fail(ErrorKind::kInvalidInput, std::move(code), std::move(why), std::move(d));
  };
  const std::string max = shared::kMaxStoredMoney.ToString();
  if (s.opening_balance && !shared::FitsStoredMoney(*s.opening_balance))
    return refuse("opening_balance",
                  "El saldo inicial " + s.opening_balance->ToString() + " excede el máximo permitido (" + max + ").");
  if (s.closing_balance && !shared::FitsStoredMoney(*s.closing_balance))
    return refuse("closing_balance",
                  "El saldo final " + s.closing_balance->ToString() + " excede el máximo permitido (" + max + ").");
  Money total;
  for (const auto& m : s.movements) {
    auto next = total.Add(m.amount);
    if (!next || !shared::FitsStoredMoney(*next))
      return refuse("movements_total", "La suma de los movimientos excede el máximo permitido (" + max + ").");
    total = *next;
  }
  for (const auto& [field, date] :
       {std::pair<const char*, const std::string*>{"from_date", &s.from_date}, {"to_date", &s.to_date}}) {
    if (!date->empty() && !IsStorableDate(*date))
      return refuse(field, "El periodo del estado tiene una fecha inválida «" + *date + "».");
  }
  for (const auto& [field, text] : {std::pair<const char*, const std::string*>{"statement_id", &s.statement_id},
                                    {"account", &s.account},
                                    {"currency", &s.currency}}) {
    if (!IsStorableText(*text))
      return refuse(field, std::string("El campo ") + field + " del estado no es texto UTF-8 válido.",
                    "bank.statement_invalid_text");
  }
  return {};
}

void DerivePeriod(Statement& s) {
  for (const auto& m : s.movements) {
    if (s.from_date.empty() || m.booking_date < s.from_date) s.from_date = m.booking_date;
    if (s.to_date.empty() || m.booking_date > s.to_date) s.to_date = m.booking_date;
  }
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string Squeeze(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string_view StripBom(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  return bytes;
}

Result<Money> ParseAmount(std::string_view text, char decimal_sep, char thousands_sep) {
  std::string_view t = Trim(text);
  auto invalid = [&] {
    return std::unexpected(ParseError("invalid_amount", "importe ilegible «" + std::string(t.substr(0, 40)) + "»."));
  };
  bool negative = false;
  if (t.size() >= 2 && t.front() == '(' && t.back() == ')') {  // accounting style (1,234.00)
    negative = true;
    t = Trim(t.substr(1, t.size() - 2));
  }
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
    negative = negative != (t.front() == '-');
    t = Trim(t.substr(1));
  }
  if (!t.empty() && t.back() == '-') {  // "1,234.00-" as some bank exports write debits
    negative = !negative;
    t = Trim(t.substr(0, t.size() - 1));
  }
  if (!t.empty() && t.front() == '$') t = Trim(t.substr(1));
  if (t.empty()) return invalid();
  std::string canonical;
  canonical.reserve(t.size() + 2);
  bool seen_decimal = false, seen_digit = false;
  int decimals = 0;
  for (char c : t) {
    if (c >= '0' && c <= '9') {
      canonical.push_back(c);
      seen_digit = true;
      if (seen_decimal) ++decimals;
    } else if (c == decimal_sep && !seen_decimal) {
      seen_decimal = true;
      if (!seen_digit) canonical.push_back('0');
      canonical.push_back('.');
    } else if (thousands_sep != 0 && c == thousands_sep && !seen_decimal && seen_digit) {
      continue;
    } else {
      return invalid();
    }
  }
  if (!seen_digit) return invalid();
  if (seen_decimal && decimals == 0) canonical.pop_back();  // MT940 "9," = 9.00
  if (decimals > 2) {
    // Trailing zeros beyond cents are harmless ("12.5000"); other digits would need rounding.
    while (decimals > 2 && canonical.back() == '0') {
      canonical.pop_back();
      --decimals;
    }
    if (decimals > 2)
      return std::unexpected(
          ParseError("too_many_decimals", "el importe «" + std::string(t) + "» tiene más de dos decimales."));
  }
  auto m = Money::Parse(canonical);
  if (!m) return invalid();
  return negative ? m->Negate() : m;
}

namespace {

int MonthFromName(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kEs = {"ENE", "FEB", "MAR", "ABR", "MAY", "JUN",
                                                           "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"};
  static constexpr std::array<std::string_view, 12> kEn = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  std::string up = ToUpperAscii(name.substr(0, 3));
  for (int i = 0; i < 12; ++i)
    if (up == kEs[i] || up == kEn[i]) return i + 1;
  return 0;
}

}  // namespace

Result<std::string> ParseDate(std::string_view text, std::string_view pattern) {
  std::string_view t = Trim(text);
  auto invalid = [&] {
    return std::unexpected(ParseError("invalid_date", "fecha ilegible «" + std::string(t.substr(0, 40)) +
                                                          "» (formato esperado " + std::string(pattern) + ")."));
  };
  int year = -1, month = -1, day = -1;
  size_t i = 0;
  auto digits = [&](size_t min, size_t max) -> int {
    size_t start = i;
    int v = 0;
    while (i < t.size() && i - start < max && t[i] >= '0' && t[i] <= '9') v = v * 10 + (t[i++] - '0');
    return i - start >= min ? v : -1;
  };
  for (size_t p = 0; p < pattern.size(); ++p) {
    if (pattern[p] == '%' && p + 1 < pattern.size()) {
      char spec = pattern[++p];
      if (spec == 'Y')
        year = digits(4, 4);
      else if (spec == 'y') {
        int y = digits(2, 2);
        year = y < 0 ? -1 : (y < 70 ? 2000 + y : 1900 + y);
      } else if (spec == 'm')
        month = digits(1, 2);
      else if (spec == 'd')
        day = digits(1, 2);
      else if (spec == 'b') {
        size_t start = i;
        while (i < t.size() && ((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z')) ++i;
        month = MonthFromName(t.substr(start, i - start));
        if (month == 0) return invalid();
      } else
        return invalid();
      if (year == -1 && (spec == 'Y' || spec == 'y')) return invalid();
      if ((spec == 'm' && month < 0) || (spec == 'd' && day < 0)) return invalid();
    } else {
      if (i >= t.size() || t[i] != pattern[p]) return invalid();
      ++i;
    }
  }
  // A time after the date ("2024-01-02 10:31", "2024-01-02T10:31:00") is allowed and dropped.
  if (i < t.size() && t[i] != ' ' && t[i] != 'T') return invalid();
  if (year < 0 || month < 1 || day < 1) return invalid();
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return invalid();
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

}  // namespace vertice::bank
