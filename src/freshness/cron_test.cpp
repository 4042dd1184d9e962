#include "freshness/cron.hpp"

#include <gtest/gtest.h>

namespace vertice::freshness {
namespace {

using namespace std::chrono;

CronExpression::TimePoint At(int y, unsigned mo, unsigned d, int h, int mi) {
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi);
}

CronExpression Cron(std::string_view text) {
  auto c = CronExpression::Parse(text);
  EXPECT_TRUE(c) << text << ": " << (c ? "" : c.error().message);
  return *c;
}

TEST(CronTest, HourlyFiresOnTheHourStrictlyAfter) {
  auto c = Cron("0 * * * *");
  EXPECT_EQ(c.Next(At(2026, 11, 28, 10, 0)), At(2026, 11, 28, 11, 0));
  EXPECT_EQ(c.Next(At(2026, 11, 28, 10, 59) + seconds(59)), At(2026, 11, 28, 11, 0));
  EXPECT_EQ(c.Next(At(2026, 12, 31, 23, 30)), At(2027, 1, 1, 0, 0));
}

TEST(CronTest, StepsRangesAndLists) {
  EXPECT_EQ(Cron("*/5 * * * *").Next(At(2026, 11, 28, 10, 3)), At(2026, 11, 28, 10, 5));
  EXPECT_EQ(Cron("*/5 * * * *").Next(At(2026, 11, 28, 10, 55)), At(2026, 11, 28, 11, 0));
  EXPECT_EQ(Cron("15,45 9-17 * * *").Next(At(2026, 11, 28, 17, 46)), At(2026, 11, 29, 9, 15));
  EXPECT_EQ(Cron("0 8-18/5 * * *").Next(At(2026, 11, 28, 8, 0)), At(2026, 11, 28, 13, 0));
  EXPECT_EQ(Cron("30 2 1 * *").Next(At(2026, 2, 1, 3, 0)), At(2026, 3, 1, 2, 30));
  EXPECT_EQ(Cron("@daily").Next(At(2026, 11, 28, 0, 0)), At(2026, 11, 29, 0, 0));
}

TEST(CronTest, DayOfWeekWithSevenAsSundayAndEitherDayWhenBothRestricted) {
  // 2026-11-28 is a Saturday.
  EXPECT_EQ(Cron("0 9 * * 1-5").Next(At(2026, 11, 28, 8, 0)), At(2026, 11, 30, 9, 0));
  EXPECT_EQ(Cron("0 9 * * 7").Next(At(2026, 11, 28, 8, 0)), At(2026, 11, 29, 9, 0));
  // Vixie semantics: the 1st of the month OR a Monday.
  EXPECT_EQ(Cron("0 0 1 * 1").Next(At(2026, 11, 28, 0, 0)), At(2026, 11, 30, 0, 0));
  EXPECT_EQ(Cron("0 0 1 * 1").Next(At(2026, 11, 30, 0, 0)), At(2026, 12, 1, 0, 0));
}

TEST(CronTest, LeapDayAndImpossibleDates) {
  EXPECT_EQ(Cron("0 0 29 2 *").Next(At(2026, 3, 1, 0, 0)), At(2028, 2, 29, 0, 0));
  EXPECT_EQ(Cron("0 0 31 2 *").Next(At(2026, 3, 1, 0, 0)), CronExpression::TimePoint::max());
}

TEST(CronTest, RefusesMalformedExpressionsNamingTheField) {
  for (const char* bad : {"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
                          "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * * * *", "1,,2 * * * *"}) {
    auto c = CronExpression::Parse(bad);
    EXPECT_FALSE(c) << bad;
    if (!c) {
      EXPECT_EQ(c.error().code, "config.invalid_cron") << bad;
    }
  }
  auto c = CronExpression::Parse("61 * * * *");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("minuto"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace vertice::freshness
