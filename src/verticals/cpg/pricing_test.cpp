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
  auto as_catalog = PriceLines(Lines(std::nullopt, Price("23")), kCatalog, Cashier(), PriceBasis::kCatalog);
  ASSERT_TRUE(as_catalog) << as_catalog.error().message;
  EXPECT_FALSE((*as_catalog)[0].PriceChanged());
  EXPECT_FALSE((*as_catalog)[1].PriceChanged());
  EXPECT_EQ((*as_catalog)[0].amount.subtotal.ToString(), "21.00");

  auto lower = PriceLines(Lines(Price("10.49"), std::nullopt), kCatalog, Cashier(), PriceBasis::kCatalog);
  ASSERT_FALSE(lower);
  EXPECT_EQ(lower.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(lower.error().code, "cpg.price_change_not_allowed");
  EXPECT_EQ(Fields(lower.error()), "lines[0].unit_price;");
  EXPECT_NE(json::serialize(lower.error().details).find("10.500000"), std::string::npos) << lower.error().details;

  // Nor more than the catalog (overcharging a customer at the till), nor giving it away.
  auto higher = PriceLines(Lines(Price("11"), Price("0")), kCatalog, Cashier(), PriceBasis::kCatalog);
  ASSERT_FALSE(higher);
  EXPECT_EQ(Fields(higher.error()), "lines[0].unit_price;lines[1].unit_price;");
}

TEST(PriceAuthorityTest, ACashierMayDiscountUpToTheCompanysConfiguredRate) {
  // 10 % off 10.50 is 9.45; off 23.00 it is 20.70.
  auto within = PriceLines(Lines(Price("9.45"), Price("20.70")), kCatalog, Cashier("0.10"), PriceBasis::kCatalog);
  ASSERT_TRUE(within) << within.error().details;
  EXPECT_TRUE((*within)[0].PriceChanged());
  EXPECT_EQ((*within)[0].amount.subtotal.ToString(), "18.90");

  auto beyond = PriceLines(Lines(Price("9.449999"), Price("20.70")), kCatalog, Cashier("0.10"), PriceBasis::kCatalog);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(Fields(beyond.error()), "lines[0].unit_price;");
  EXPECT_NE(json::serialize(beyond.error().details).find("9.450000"), std::string::npos) << beyond.error().details;
  EXPECT_FALSE(PriceLines(Lines(Price("10.51"), std::nullopt), kCatalog, Cashier("0.10"), PriceBasis::kCatalog));
  // A full discount allowed by configuration lets the cashier give the product away.
  EXPECT_TRUE(PriceLines(Lines(Price("0"), Price("0")), kCatalog, Cashier("1"), PriceBasis::kCatalog));
}

TEST(PriceAuthorityTest, OwnersCeosAndCfosSetAnyPriceAndOtherRolesDoNot) {
  for (const char* role : {"owner", "ceo", "cfo"}) {
    auto any =
        PriceLines(Lines(Price("0.01"), Price("99")), kCatalog, PriceAuthorityFor(role, {}), PriceBasis::kCatalog);
    EXPECT_TRUE(any) << role;
  }
  for (const char* role : {"cashier", "accountant", "viewer"})
    EXPECT_FALSE(
        PriceLines(Lines(Price("0.01"), std::nullopt), kCatalog, PriceAuthorityFor(role, {}), PriceBasis::kCatalog))
        << role;
  // A configuration that is not a valid rate allows no discount.
  for (const char* bad : {"-0.1", "1.5", "diez"})
    EXPECT_FALSE(PriceLines(Lines(Price("10"), std::nullopt), kCatalog, Cashier(bad), PriceBasis::kCatalog)) << bad;
}

TEST(PriceAuthorityTest, UnknownProductsAreReportedBeforePrices) {
  std::vector<LineRequest> lines = {{"NADA", Qty("1"), std::nullopt}, {"AGUA-1L", Qty("1"), Price("1")}};
  auto r = PriceLines(lines, kCatalog, Cashier(), PriceBasis::kCatalog);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBusinessRule);
  EXPECT_EQ(r.error().code, "unknown_product");
}

// A shelf price includes IVA: the consumer pays what the shelf says and the ticket shows the IVA it
// contains, net + IVA exactly the shelf total per line.
TEST(TaxIncludedPriceTest, TheShelfPriceIsWhatTheConsumerPays) {
  auto water = PriceLineTaxIncluded(Qty("1"), Price("8.50"), *shared::Rate::Parse("0.16"));
  ASSERT_TRUE(water);
  EXPECT_EQ(water->subtotal.ToString(), "7.33");  // 8.50 / 1.16 = 7.3276
  EXPECT_EQ(water->iva.ToString(), "1.17");
  EXPECT_EQ(water->Total()->ToString(), "8.50");
  auto three = PriceLineTaxIncluded(Qty("3"), Price("8.50"), *shared::Rate::Parse("0.16"));
  EXPECT_EQ(three->subtotal.ToString(), "21.98");  // 25.50 / 1.16 = 21.9827
  EXPECT_EQ(three->iva.ToString(), "3.52");
  auto beans = PriceLineTaxIncluded(Qty("2"), Price("31.90"), *shared::Rate::Parse("0"));
  EXPECT_EQ(beans->subtotal.ToString(), "63.80");
  EXPECT_EQ(beans->iva.ToString(), "0.00");
  // Half up at the cent: 0.58 / 1.16 = 0.5 exactly; 1.45 / 1.16 = 1.25.
  EXPECT_EQ(PriceLineTaxIncluded(Qty("1"), Price("0.58"), *shared::Rate::Parse("0.16"))->iva.ToString(), "0.08");
  EXPECT_EQ(PriceLineTaxIncluded(Qty("1"), Price("1.45"), *shared::Rate::Parse("0.16"))->subtotal.ToString(), "1.25");
}

TEST(TaxIncludedPriceTest, TicketsChargeTheShelfPriceConsignmentsPriceNetPlusIva) {
  const std::vector<Product> shelf = {{1, "AGUA", Price("8.50"), *shared::Rate::Parse("0.16"), true, true},
                                      {2, "LECHE", Price("28.00"), *shared::Rate::Parse("0"), true, true},
                                      {3, "JABON", Price("10.00"), *shared::Rate::Parse("0.16"), true, false}};
  std::vector<LineRequest> lines = {
      {"AGUA", Qty("1"), std::nullopt}, {"LECHE", Qty("1"), std::nullopt}, {"JABON", Qty("1"), std::nullopt}};
  auto ticket = PriceLines(lines, shelf, Cashier(), PriceBasis::kCatalog);
  ASSERT_TRUE(ticket);
  EXPECT_TRUE((*ticket)[0].tax_included);
  EXPECT_EQ((*ticket)[0].amount.Total()->ToString(), "8.50");
  EXPECT_EQ((*ticket)[1].amount.Total()->ToString(), "28.00");
  EXPECT_EQ((*ticket)[2].amount.Total()->ToString(), "11.60");  // a net catalog price: + IVA
  EXPECT_FALSE((*ticket)[0].PriceChanged());

  auto consigned = PriceLines(lines, shelf, Cashier(), PriceBasis::kNet);
  ASSERT_TRUE(consigned);
  EXPECT_FALSE((*consigned)[0].tax_included);
  EXPECT_EQ((*consigned)[0].unit_price.ToString(), "7.327586");  // 8.50 / 1.16 at the unit price's scale
  EXPECT_EQ((*consigned)[0].amount.subtotal.ToString(), "7.33");
  EXPECT_EQ((*consigned)[0].amount.iva.ToString(), "1.17");
  EXPECT_FALSE((*consigned)[0].PriceChanged());
  EXPECT_EQ((*consigned)[2].unit_price.ToString(), "10.000000");
}

}  // namespace
}  // namespace vertice::verticals::cpg
