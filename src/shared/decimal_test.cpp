#include "shared/decimal.hpp"

#include <gtest/gtest.h>

#include <random>

namespace vertice::shared {

Money M(const char* s) { return *Money::Parse(s); }
Rate R(const char* s) { return *Rate::Parse(s); }

TEST(DecimalTest, ParsesStrictlyAndFormatsWithTheScale) {
  EXPECT_EQ(M("1000.5").ToString(), "1000.50");
  EXPECT_EQ(M("-0.01").ToString(), "-0.01");
  EXPECT_EQ(M("0").ToString(), "0.00");
  EXPECT_EQ(R("0.160000").ToString(), "0.160000");
  EXPECT_EQ(R("10.6667").ToString(), "10.666700");
  EXPECT_EQ(M("92233720368547758.07").Units(), INT64_MAX);
}

TEST(DecimalTest, RefusesAmbiguousOrLossyText) {
  for (const char* bad : {"1,000.00", "1e3", "NaN", "", " 1", "1 ", "+1", ".5", "5.", "1.2.3", "--1", "1-", "١٢"}) {
    auto r = Money::Parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "decimal.invalid") << bad;
  }
  EXPECT_EQ(Money::Parse("1.005").error().code, "decimal.too_many_decimals");
  EXPECT_EQ(Rate::Parse("0.1234567").error().code, "decimal.too_many_decimals");
  EXPECT_EQ(Money::Parse("92233720368547758.08").error().code, "decimal.overflow");
  EXPECT_EQ(Money::Parse("99999999999999999999999").error().code, "decimal.overflow");
}

TEST(DecimalTest, StoredAmountsFitNumeric18_2) {
  EXPECT_EQ(ParseStoredMoney("9999999999999999.99")->ToString(), "9999999999999999.99");
  EXPECT_EQ(ParseStoredMoney("-9999999999999999.99")->ToString(), "-9999999999999999.99");
  EXPECT_EQ(ParseStoredMoney("10000000000000000.00").error().code, "decimal.out_of_range");
  EXPECT_EQ(ParseStoredMoney("-10000000000000000").error().code, "decimal.out_of_range");
  EXPECT_EQ(ParseStoredMoney("92233720368547758.08").error().code, "decimal.overflow");
  EXPECT_EQ(ParseStoredMoney("1e3").error().code, "decimal.invalid");
  EXPECT_FALSE(FitsStoredMoney(Money::FromUnits(INT64_MIN)));
}

TEST(DecimalTest, AdditionAndSubtractionDetectOverflow) {
  EXPECT_EQ(M("0.10").Add(M("0.20"))->ToString(), "0.30");  // never 0.30000000000000004
  EXPECT_EQ(M("10.00").Sub(M("10.01"))->ToString(), "-0.01");
  auto max = Money::FromUnits(INT64_MAX);
  EXPECT_EQ(max.Add(M("0.01")).error().code, "decimal.overflow");
  EXPECT_EQ(Money::FromUnits(INT64_MIN).Sub(M("0.01")).error().code, "decimal.overflow");
  EXPECT_EQ(Money::FromUnits(INT64_MIN).Negate().error().code, "decimal.overflow");
}

TEST(DecimalTest, MultiplicationRoundsAsAsked) {
  // 2.5 cents: half-up goes away from zero, half-even to the even cent.
  EXPECT_EQ(M("0.25").Mul(R("0.1"), Rounding::kHalfUp)->ToString(), "0.03");
  EXPECT_EQ(M("0.25").Mul(R("0.1"), Rounding::kHalfEven)->ToString(), "0.02");
  EXPECT_EQ(M("-0.25").Mul(R("0.1"), Rounding::kHalfUp)->ToString(), "-0.03");
  EXPECT_EQ(M("0.35").Mul(R("0.1"), Rounding::kHalfEven)->ToString(), "0.04");
  EXPECT_EQ(M("0.29").Mul(R("0.1"), Rounding::kDown)->ToString(), "0.02");
  EXPECT_EQ(Money::FromUnits(INT64_MAX).Mul(R("2"), Rounding::kHalfUp).error().code, "decimal.overflow");
}

TEST(DecimalTest, PriceTimesQuantityRoundsOnce) {
  auto price = *UnitPrice::Parse("33.333333");
  auto qty = *Quantity::Parse("3");
  EXPECT_EQ(M("1.00").Mul(price, qty, Rounding::kHalfUp)->ToString(), "100.00");
  EXPECT_EQ(Money::FromUnits(INT64_MAX)
                .Mul(Rate::FromUnits(INT64_MAX), Rate::FromUnits(INT64_MAX), Rounding::kHalfUp)
                .error()
                .code,
            "decimal.overflow");
}

TEST(DecimalTest, DivisionRoundsAndRefusesZero) {
  EXPECT_EQ(M("100.00").DivInt(3, Rounding::kHalfUp)->ToString(), "33.33");
  EXPECT_EQ(M("200.00").DivInt(3, Rounding::kHalfUp)->ToString(), "66.67");
  EXPECT_EQ(M("-200.00").DivInt(-3, Rounding::kHalfUp)->ToString(), "66.67");
  EXPECT_EQ(M("1160.00").Div(R("1.16"), Rounding::kHalfUp)->ToString(), "1000.00");
  EXPECT_EQ(M("1.00").DivInt(0, Rounding::kHalfUp).error().code, "decimal.division_by_zero");
  EXPECT_EQ(M("1.00").Div(R("0"), Rounding::kHalfUp).error().code, "decimal.division_by_zero");
}

TEST(DecimalTest, AllocationNeverLosesOrInventsACent) {
  auto thirds = *AllocateEvenly(M("100.00"), 3);
  EXPECT_EQ(thirds[0].ToString(), "33.34");
  EXPECT_EQ(thirds[1].ToString(), "33.33");
  EXPECT_EQ(thirds[2].ToString(), "33.33");
  auto weighted = *Allocate(M("10.00"), {R("1"), R("1"), R("1"), R("0")});
  int64_t sum = 0;
  for (auto m : weighted) sum += m.Units();
  EXPECT_EQ(sum, 1000);
  EXPECT_EQ(weighted[3].ToString(), "0.00");
  auto negative = *Allocate(M("-0.05"), {R("1"), R("1")});
  EXPECT_EQ(negative[0].Units() + negative[1].Units(), -5);
  EXPECT_FALSE(Allocate(M("1.00"), {}));
  EXPECT_FALSE(Allocate(M("1.00"), {R("0"), R("0")}));
  EXPECT_EQ(Allocate(M("1.00"), {R("-1"), R("2")}).error().code, "decimal.negative_weight");
}

TEST(DecimalTest, CurrencyConversionAndPercentages) {
  EXPECT_EQ(Convert(M("1500.00"), R("17.1234"))->ToString(), "25685.10");
  EXPECT_EQ(Percentage(M("1000.00"), R("16"))->ToString(), "160.00");
  EXPECT_EQ(Percentage(M("999.99"), R("10.6667"))->ToString(), "106.67");
}

TEST(DecimalTest, RescaleRoundsOnlyWhenDroppingDecimals) {
  EXPECT_EQ((*M("12.34").Rescale<6>(Rounding::kHalfUp)).ToString(), "12.340000");
  EXPECT_EQ((*R("12.345000").Rescale<2>(Rounding::kHalfUp)).ToString(), "12.35");
  EXPECT_EQ((*R("12.345000").Rescale<2>(Rounding::kHalfEven)).ToString(), "12.34");
}

TEST(DecimalTest, ComparisonsFollowValue) {
  EXPECT_LT(M("-1.00"), M("0.00"));
  EXPECT_EQ(M("1.5"), M("1.50"));
  EXPECT_TRUE(M("0.01").IsPositive());
  EXPECT_EQ(M("-3.00").Abs().ToString(), "3.00");
}

}  // namespace vertice::shared

namespace vertice::shared {

TEST(DecimalTest, FromIntChecksRange) {
  EXPECT_EQ(Money::FromInt(1500)->ToString(), "1500.00");
  EXPECT_EQ(Money::FromInt(INT64_MAX / 10).error().code, "decimal.overflow");
}

TEST(DecimalTest, HalfEvenOnNegativeAndExactValues) {
  EXPECT_EQ(M("-0.25").Mul(R("0.1"), Rounding::kHalfEven)->ToString(), "-0.02");
  EXPECT_EQ(M("-0.35").Mul(R("0.1"), Rounding::kHalfEven)->ToString(), "-0.04");
  EXPECT_EQ(M("12.00").Mul(R("0.5"), Rounding::kHalfEven)->ToString(), "6.00");
  EXPECT_EQ(M("-100.00").DivInt(3, Rounding::kHalfUp)->ToString(), "-33.33");
  EXPECT_EQ(M("-200.00").DivInt(3, Rounding::kHalfUp)->ToString(), "-66.67");
  EXPECT_EQ(M("-200.00").DivInt(3, Rounding::kDown)->ToString(), "-66.66");
}

TEST(DecimalTest, RescaleUpCanOverflow) {
  EXPECT_EQ(Money::FromUnits(INT64_MAX).Rescale<6>(Rounding::kHalfUp).error().code, "decimal.overflow");
}

TEST(DecimalTest, RandomAllocationsAlwaysSumToTheTotal) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> amount(-10'000'000, 10'000'000);
  std::uniform_int_distribution<int64_t> weight(0, 1'000'000);
  std::uniform_int_distribution<int> count(1, 12);
  for (int i = 0; i < 2000; ++i) {
    std::vector<Rate> weights(static_cast<size_t>(count(rng)));
    for (auto& w : weights) w = Rate::FromUnits(weight(rng));
    weights[0] = Rate::FromUnits(weights[0].Units() + 1);  // never all zero
    auto total = Money::FromUnits(amount(rng));
    auto parts = *Allocate(total, weights);
    int64_t sum = 0;
    for (auto p : parts) sum += p.Units();
    ASSERT_EQ(sum, total.Units());
    for (size_t k = 0; k < parts.size(); ++k) {
      if (weights[k].IsZero()) {
        ASSERT_TRUE(parts[k].IsZero());
      }
    }
  }
}

TEST(DecimalTest, AmountsRoundTripThroughText) {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int64_t> d(INT64_MIN + 1, INT64_MAX);
  for (int i = 0; i < 10000; ++i) {
    auto m = Money::FromUnits(d(rng));
    ASSERT_EQ(Money::Parse(m.ToString())->Units(), m.Units());
    auto r = Rate::FromUnits(d(rng));
    ASSERT_EQ(Rate::Parse(r.ToString())->Units(), r.Units());
  }
}

}  // namespace vertice::shared
