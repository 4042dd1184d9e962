// Five-field cron expressions (minute hour day-of-month month day-of-week, evaluated in UTC) and
// the next time one fires. Written by hand: Debian ships no C++ cron library.
// Supported: '*', numbers, ranges 'a-b', steps '*/n' and 'a-b/n', lists 'a,b', day-of-week 0-7
// (0 and 7 are Sunday), and @hourly/@daily/@weekly/@monthly. As in Vixie cron, when both day
// fields are restricted a day matches either.
#pragma once

#include <bitset>
#include <chrono>
#include <string>

#include "core/error.hpp"

namespace vertice::freshness {

class CronExpression {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  static Result<CronExpression> Parse(std::string_view text);
  // The first minute strictly after `after` that matches.
  TimePoint Next(TimePoint after) const;
  bool Matches(TimePoint t) const;
  const std::string& Text() const { return text_; }

 private:
  bool DayMatches(std::chrono::year_month_day ymd) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace vertice::freshness
