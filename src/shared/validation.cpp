#include "shared/validation.hpp"

#include <array>
#include <cstring>
#include <ctime>

#include "core/text.hpp"

namespace vertice::shared {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// RFC text with Ñ (UTF-8 C3 91) folded to a single byte marker so positions are characters.
constexpr char kEnye = '\x01';
std::string FoldEnye(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xC3 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x91) {
      out.push_back(kEnye);
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// SAT's table: 0–9 → 0–9, A–N → 10–23, & → 24, O–Z → 25–36, space → 37, Ñ → 38.
int RfcValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'N') return 10 + (c - 'A');
  if (c == '&') return 24;
  if (c >= 'O' && c <= 'Z') return 25 + (c - 'O');
  if (c == ' ') return 37;
  if (c == kEnye) return 38;
  return -1;
}

bool ValidDate(int yy_or_yyyy, int mm, int dd, bool two_digit_year) {
  if (mm < 1 || mm > 12 || dd < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (dd > kDays[mm - 1]) return false;
  if (mm == 2 && dd == 29) {
    int y = yy_or_yyyy;
    if (two_digit_year) return y % 4 == 0;  // 00 counts as 2000, a leap year
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  }
  return true;
}

int Num(std::string_view s, size_t pos, size_t len) {
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

bool IsGenericRfc(std::string_view rfc) { return rfc == "XAXX010101000" || rfc == "XEXX010101000"; }

std::optional<char> RfcCheckDigit(std::string_view rfc_without_digit) {
  std::string s = FoldEnye(rfc_without_digit);
  if (s.size() == 11) s = " " + s;  // personas morales are padded to 12 with a leading space
  if (s.size() != 12) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) {
    int v = RfcValue(s[i]);
    if (v < 0) return std::nullopt;
    sum += v * static_cast<int>(13 - i);
  }
  int r = sum % 11;
  if (r == 0) return '0';
  int d = 11 - r;
  return d == 10 ? 'A' : static_cast<char>('0' + d);
}

RfcStatus CheckRfc(std::string_view rfc) {
  if (IsGenericRfc(rfc)) return RfcStatus::kValid;
  std::string s = FoldEnye(rfc);
  size_t letters = s.size() == 12 ? 3 : s.size() == 13 ? 4 : 0;
  if (letters == 0) return RfcStatus::kInvalid;
  for (size_t i = 0; i < letters; ++i) {
    if (!(IsUpper(s[i]) || s[i] == '&' || s[i] == kEnye)) return RfcStatus::kInvalid;
  }
  for (size_t i = letters; i < letters + 6; ++i) {
    if (!IsDigit(s[i])) return RfcStatus::kInvalid;
  }
  if (!ValidDate(Num(s, letters, 2), Num(s, letters + 2, 2), Num(s, letters + 4, 2), true)) return RfcStatus::kInvalid;
  for (size_t i = letters + 6; i < s.size(); ++i) {
    if (!(IsUpper(s[i]) || IsDigit(s[i]))) return RfcStatus::kInvalid;
  }
  auto digit = RfcCheckDigit(rfc.substr(0, rfc.size() - 1));
  return digit && *digit == s.back() ? RfcStatus::kValid : RfcStatus::kDigitMismatch;
}

bool IsValidClabe(std::string_view clabe) {
  if (clabe.size() != 18) return false;
  static constexpr int kWeights[] = {3, 7, 1};
  int sum = 0;
  for (size_t i = 0; i < 18; ++i) {
    if (!IsDigit(clabe[i])) return false;
    if (i < 17) sum += ((clabe[i] - '0') * kWeights[i % 3]) % 10;
  }
  return (10 - sum % 10) % 10 == clabe[17] - '0';
}

std::optional<std::string_view> ClabeBankName(std::string_view clabe) {
  if (clabe.size() < 3) return std::nullopt;
  struct Bank {
    const char* code;
    const char* name;
  };
  // Banxico participant codes of the most common banks.
  static constexpr Bank kBanks[] = {
      {"002", "Banamex"},         {"012", "BBVA México"},  {"014", "Santander"},   {"021", "HSBC"},
      {"030", "BanBajío"},        {"036", "Inbursa"},      {"042", "Mifel"},       {"044", "Scotiabank"},
      {"058", "Banregio"},        {"059", "Invex"},        {"062", "Afirme"},      {"072", "Banorte"},
      {"106", "Bank of America"}, {"127", "Banco Azteca"}, {"130", "Compartamos"}, {"137", "BanCoppel"},
      {"138", "ABC Capital"},     {"145", "Banco Base"},   {"646", "STP"},         {"706", "Arcus"},
      {"722", "Mercado Pago"},    {"638", "Nu México"},
  };
  for (const auto& b : kBanks) {
    if (clabe.substr(0, 3) == b.code) return std::string_view(b.name);
  }
  return std::nullopt;
}

bool IsValidCfdiUuid(std::string_view uuid) { return IsUuid(uuid); }

bool IsIso4217(std::string_view code) {
  static constexpr std::string_view kCodes[] = {
      "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
      "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
      "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
      "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
      "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
      "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
      "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
      "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
      "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
      "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL", "XXX"};
  if (code.size() != 3) return false;
  for (auto c : kCodes) {
    if (code == c) return true;
  }
  return false;
}

bool IsValidPostalCode(std::string_view cp) {
  if (cp.size() != 5) return false;
  for (char c : cp) {
    if (!IsDigit(c)) return false;
  }
  return Num(cp, 0, 5) >= 1000;
}

bool IsPositiveAmount(const Money& amount) { return amount.IsPositive(); }
bool IsNonNegativeAmount(const Money& amount) { return !amount.IsNegative(); }

bool IsIsoDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(d[i])) return false;
  }
  return Num(d, 0, 4) >= 1 && ValidDate(Num(d, 0, 4), Num(d, 5, 2), Num(d, 8, 2), false);
}

bool IsIsoTimestamp(std::string_view ts) {
  if (ts.size() < 20 || !IsIsoDate(ts.substr(0, 10)) || ts[10] != 'T') return false;
  auto t = ts.substr(11);
  if (t.size() < 9 || t[2] != ':' || t[5] != ':') return false;
  for (size_t i : {0, 1, 3, 4, 6, 7}) {
    if (!IsDigit(t[i])) return false;
  }
  if (Num(t, 0, 2) > 23 || Num(t, 3, 2) > 59 || Num(t, 6, 2) > 60) return false;
  size_t i = 8;
  if (t[i] == '.') {
    size_t start = ++i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == start || i - start > 9) return false;
  }
  auto zone = t.substr(i);
  if (zone == "Z") return true;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return false;
  return IsDigit(zone[1]) && IsDigit(zone[2]) && IsDigit(zone[4]) && IsDigit(zone[5]) && Num(zone, 1, 2) <= 14 &&
         Num(zone, 4, 2) <= 59;
}

db::Task<Result<std::string>> BusinessDate(db::Transaction& tx, std::string iso_timestamp) {
  if (!IsIsoTimestamp(iso_timestamp))
    co_return Fail(ErrorKind::kInvalidInput, "invalid_timestamp",
                   "La fecha y hora debe ser ISO 8601 con zona horaria.");
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                              co_await tx.Query("SELECT (($1::timestamptz) AT TIME ZONE $2)::date::text",
                                                db::P(std::move(iso_timestamp), std::string(kBusinessTimeZone))));
  co_return std::string(rows.Get(0, 0));
}

db::Task<Result<std::string>> BusinessToday(db::Transaction& tx, const Clock& clock) {
  co_return co_await BusinessDate(tx, IsoUtc(clock.Now()));
}

std::string IsoUtc(Clock::TimePoint at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Money> MoneyField(FieldErrors& errors, std::string_view field, const std::optional<std::string>& text,
                                bool must_be_positive) {
  if (!text) return std::nullopt;
  auto m = ParseStoredMoney(*text);
  if (!m) {
    errors.Add(field, "invalid_field", m.error().message);
    return std::nullopt;
  }
  if (must_be_positive && !IsPositiveAmount(*m)) {
    errors.Add(field, "invalid_field", "debe ser mayor que cero");
    return std::nullopt;
  }
  return *m;
}

}  // namespace vertice::shared
