#include "freshness/cron.hpp"

#include <charconv>
#include <optional>
#include <vector>

namespace vertice::freshness {

namespace {

Error CronError(std::string_view text, const std::string& why) {
  return Error{ErrorKind::kInvalidInput,
               "config.invalid_cron",
               "expresión cron inválida '" + std::string(text) + "': " + why,
               {},
               {}};
}

std::optional<int> Number(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// Sets bits lo..hi of one field from "*", "a", "a-b", "*/n", "a-b/n", "a/n" and lists of them.
template <size_t N>
Status ParseField(std::string_view field, int lo, int hi, std::bitset<N>& bits, bool& restricted,
                  std::string_view whole, std::string_view name) {
  restricted = field != "*";
  for (auto part : Split(field, ',')) {
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      auto s = Number(part.substr(slash + 1));
      if (!s || *s < 1) return std::unexpected(CronError(whole, "paso inválido en " + std::string(name)));
      step = *s;
      part = part.substr(0, slash);
    }
    int from = lo, to = hi;
    if (part == "*") {
    } else if (auto dash = part.find('-'); dash != std::string_view::npos) {
      auto a = Number(part.substr(0, dash));
      auto b = Number(part.substr(dash + 1));
      if (!a || !b || *a > *b) return std::unexpected(CronError(whole, "rango inválido en " + std::string(name)));
      from = *a;
      to = *b;
    } else {
      auto a = Number(part);
      if (!a) return std::unexpected(CronError(whole, "valor inválido en " + std::string(name)));
      from = *a;
      to = step > 1 ? hi : *a;  // "a/n": from a to the end in steps
    }
    if (from < lo || to > hi)
      return std::unexpected(CronError(
          whole, std::string(name) + " fuera de rango (" + std::to_string(lo) + "-" + std::to_string(hi) + ")"));
    for (int v = from; v <= to; v += step) bits.set(static_cast<size_t>(v));
  }
  return {};
}

}  // namespace

Result<CronExpression> CronExpression::Parse(std::string_view text) {
  std::string_view expr = text;
  if (text == "@hourly") expr = "0 * * * *";
  if (text == "@daily" || text == "@midnight") expr = "0 0 * * *";
  if (text == "@weekly") expr = "0 0 * * 0";
  if (text == "@monthly") expr = "0 0 1 * *";
  std::vector<std::string_view> fields;
  for (auto f : Split(expr, ' '))
    if (!f.empty()) fields.push_back(f);
  if (fields.size() != 5) return std::unexpected(CronError(text, "se esperan 5 campos"));
  CronExpression c;
  c.text_ = std::string(text);
  bool ignored = false;
  std::bitset<8> weekdays;
  if (auto s = ParseField(fields[0], 0, 59, c.minutes_, ignored, text, "minuto"); !s) return std::unexpected(s.error());
  if (auto s = ParseField(fields[1], 0, 23, c.hours_, ignored, text, "hora"); !s) return std::unexpected(s.error());
  if (auto s = ParseField(fields[2], 1, 31, c.days_, c.days_restricted_, text, "día"); !s)
    return std::unexpected(s.error());
  if (auto s = ParseField(fields[3], 1, 12, c.months_, ignored, text, "mes"); !s) return std::unexpected(s.error());
  if (auto s = ParseField(fields[4], 0, 7, weekdays, c.weekdays_restricted_, text, "día de la semana"); !s)
    return std::unexpected(s.error());
  for (size_t d = 0; d < 7; ++d) c.weekdays_[d] = weekdays[d];
  if (weekdays[7]) c.weekdays_[0] = true;
  return c;
}

bool CronExpression::DayMatches(std::chrono::year_month_day ymd) const {
  bool dom = days_[static_cast<unsigned>(ymd.day())];
  bool dow = weekdays_[std::chrono::weekday(std::chrono::sys_days(ymd)).c_encoding()];
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

bool CronExpression::Matches(TimePoint t) const {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(floor<minutes>(t - day));
  return months_[static_cast<unsigned>(ymd.month())] && DayMatches(ymd) && hours_[hms.hours().count()] &&
         minutes_[hms.minutes().count()];
}

CronExpression::TimePoint CronExpression::Next(TimePoint after) const {
  using namespace std::chrono;
  auto t = floor<minutes>(after) + minutes(1);
  // Skips whole months, days and hours that cannot match; at most a few thousand steps a year.
  for (int guard = 0; guard < 100000; ++guard) {
    auto day = floor<days>(t);
    year_month_day ymd(day);
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      auto next = year_month_day(ymd.year() / ymd.month() / 1) + months(1);
      t = sys_days(next);
      continue;
    }
    if (!DayMatches(ymd)) {
      t = day + days(1);
      continue;
    }
    hh_mm_ss hms(floor<minutes>(t - day));
    if (!hours_[hms.hours().count()]) {
      t = day + hms.hours() + hours(1);
      continue;
    }
    if (!minutes_[hms.minutes().count()]) {
      t += minutes(1);
      continue;
    }
    return t;
  }
  return TimePoint::max();  // e.g. "0 0 31 2 *": never
}

}  // namespace vertice::freshness
