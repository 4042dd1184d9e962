// Who may charge what: the catalog price is the cashier's unless the company allows a discount;
// owner, CEO and CFO set any price.
#include "verticals/cpg/pricing.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vertice::verticals::cpg {
namespace {

namespace json = boost::json;

shared::UnitPrice Price(const char* text) { return *shared::UnitPrice::Parse(text); }
shared::Quantity Qty(const char* text) { return *shared::Quantity::Parse(text); }

const std::vector<Product> kCatalog = {
    {1, "AGUA-1L", Price("10.50"), *shared::Rate::Parse("0.16"), true},
    {2, "JUGO", Price("23"), *shared::Rate::Parse("0"), true},
};

std::vector<LineRequest> Lines(std::optional<shared::UnitPrice> agua, std::optional<shared::UnitPrice> jugo) {
  return {{"AGUA-1L", Qty("2"), agua}, {"JUGO", Qty("1"), jugo}};
}

PriceAuthority Cashier(const char* max_discount = nullptr) {
  json::object config{{"default_commission_rate", "0.10"}};
  if (max_discount) config["max_discount_rate"] = max_discount;
  return PriceAuthorityFor("cashier", config);
}

std::string Fields(const Error& e) {
  std::string out;
  for (const auto& f : e.details.at("fields").as_array()) out += std::string(f.at("field").as_string()) + ";";
  return out;
}

TEST(PriceAuthorityTest, ACashierChargesTheCatalogPriceAndNothingElseByDefault) {
  auto as_catalog = PriceLines(Lines(std::nullopt, Price("23")), kCatalog, Cashier());
  ASSERT_TRUE(as_catalog) << as_catalog.error().message;
  EXPECT_FALSE((*as_catalog)[0].PriceChanged());
  EXPECT_FALSE((*as_catalog)[1].PriceChanged());
  EXPECT_EQ((*as_catalog)[0].amount.subtotal.ToString(), "21.00");

  auto lower = PriceLines(Lines(Price("10.49"), std::nullopt), kCatalog, Cashier());
  ASSERT_FALSE(lower);
  EXPECT_EQ(lower.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(lower.error().code, "cpg.price_change_not_allowed");
  EXPECT_EQ(Fields(lower.error()), "lines[0].unit_price;");
  EXPECT_NE(json::serialize(lower.error().details).find("10.500000"), std::string::npos) << lower.error().details;

  // Nor more than the catalog (overcharging a customer at the till), nor giving it away.
  auto higher = PriceLines(Lines(Price("11"), Price("0")), kCatalog, Cashier());
  ASSERT_FALSE(higher);
  EXPECT_EQ(Fields(higher.error()), "lines[0].unit_price;lines[1].unit_price;");
}

TEST(PriceAuthorityTest, ACashierMayDiscountUpToTheCompanysConfiguredRate) {
  // 10 % off 10.50 is 9.45; off 23.00 it is 20.70.
  auto within = PriceLines(Lines(Price("9.45"), Price("20.70")), kCatalog, Cashier("0.10"));
  ASSERT_TRUE(within) << within.error().details;
  EXPECT_TRUE((*within)[0].PriceChanged());
  EXPECT_EQ((*within)[0].amount.subtotal.ToString(), "18.90");

  auto beyond = PriceLines(Lines(Price("9.449999"), Price("20.70")), kCatalog, Cashier("0.10"));
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(Fields(beyond.error()), "lines[0].unit_price;");
  EXPECT_NE(json::serialize(beyond.error().details).find("9.450000"), std::string::npos) << beyond.error().details;
  EXPECT_FALSE(PriceLines(Lines(Price("10.51"), std::nullopt), kCatalog, Cashier("0.10")));
  // A full discount allowed by configuration lets the cashier give the product away.
  EXPECT_TRUE(PriceLines(Lines(Price("0"), Price("0")), kCatalog, Cashier("1")));
}

TEST(PriceAuthorityTest, OwnersCeosAndCfosSetAnyPriceAndOtherRolesDoNot) {
  for (const char* role : {"owner", "ceo", "cfo"}) {
    auto any = PriceLines(Lines(Price("0.01"), Price("99")), kCatalog, PriceAuthorityFor(role, {}));
    EXPECT_TRUE(any) << role;
  }
  for (const char* role : {"cashier", "accountant", "viewer"})
    EXPECT_FALSE(PriceLines(Lines(Price("0.01"), std::nullopt), kCatalog, PriceAuthorityFor(role, {}))) << role;
  // A configuration that is not a valid rate allows no discount.
  for (const char* bad : {"-0.1", "1.5", "diez"})
    EXPECT_FALSE(PriceLines(Lines(Price("10"), std::nullopt), kCatalog, Cashier(bad))) << bad;
}

TEST(PriceAuthorityTest, UnknownProductsAreReportedBeforePrices) {
  std::vector<LineRequest> lines = {{"NADA", Qty("1"), std::nullopt}, {"AGUA-1L", Qty("1"), Price("1")}};
  auto r = PriceLines(lines, kCatalog, Cashier());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBusinessRule);
  EXPECT_EQ(r.error().code, "unknown_product");
}

}  // namespace
}  // namespace vertice::verticals::cpg
