#include "reconciliation/decisions.hpp"

#include <gtest/gtest.h>

namespace vertice::reconciliation {
namespace {

Money M(std::string_view s) { return Money::Parse(s).value(); }

OpenDocument Pesos(int64_t id, std::string_view open) { return {id, "MXN", "1.000000", M(open)}; }

TEST(PlanManualMatchTest, DocumentsAndFeesMustAddUpToTheMovement) {
  ManualMatchRequest req{"7", std::nullopt, {{"11", M("1000.00")}, {"12", M("150.00")}}, M("10.00"), M("1.60")};
  auto plan = PlanManualMatch(M("1161.60"), req, {Pesos(11, "1000.00"), Pesos(12, "500.00")});
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].invoice_id, 11);
  EXPECT_EQ((*plan)[1].doc_amount, M("150.00"));

  auto short_by_a_cent = PlanManualMatch(M("1161.61"), req, {Pesos(11, "1000.00"), Pesos(12, "500.00")});
  ASSERT_FALSE(short_by_a_cent);
  EXPECT_EQ(short_by_a_cent.error().code, "reconciliation.amounts_do_not_add_up");
  EXPECT_EQ(short_by_a_cent.error().kind, ErrorKind::kBusinessRule);
}

TEST(PlanManualMatchTest, APesoDocumentCannotReceiveMoreThanItHasOpen) {
  ManualMatchRequest req{"7", std::nullopt, {{"11", M("-800.00")}}, std::nullopt, std::nullopt};
  auto plan = PlanManualMatch(M("-800.00"), req, {Pesos(11, "799.99")});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, "reconciliation.over_applied");
  EXPECT_NE(plan.error().message.find("799.99"), std::string::npos);
  EXPECT_TRUE(PlanManualMatch(M("-800.00"), req, {Pesos(11, "800.00")}));
}

TEST(PlanManualMatchTest, AForeignDocumentReceivesPesosAtItsOwnRate) {
  ManualMatchRequest req{"7", std::nullopt, {{"11", M("2000.00")}}, std::nullopt, std::nullopt};
  // Open balance is in dollars and is not compared with pesos.
  auto plan = PlanManualMatch(M("2000.00"), req, {{11, "USD", "17.123456", M("50.00")}});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ((*plan)[0].amount, M("2000.00"));
  EXPECT_EQ((*plan)[0].doc_amount, M("116.80"));  // 2000 / 17.123456 = 116.8020…
}

TEST(PlanManualMatchTest, ACategorisedMovementNeedsNoDocuments) {
  ManualMatchRequest req{"7", std::string("comisiones"), {}, std::nullopt, std::nullopt};
  auto plan = PlanManualMatch(M("-35.00"), req, {});
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->empty());
}

TEST(PlanManualMatchTest, SumsBeyondNumericAreRefusedNotThrown) {
  // Each figure fits NUMERIC(18,2); ten of them do not fit 64-bit cents.
  const Money big = M("9999999999999999.99");
  ManualMatchRequest req{"7", std::nullopt, {}, big, std::nullopt};
  std::vector<OpenDocument> docs;
  for (int i = 0; i < 10; ++i) {
    req.lines.push_back({std::to_string(11 + i), big});
    docs.push_back(Pesos(11 + i, "9999999999999999.99"));
  }
  auto plan = PlanManualMatch(big, req, docs);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::kInvalidInput);
}

TEST(MatchMachineTest, DecisionsFollowTheLifecycle) {
  const auto& m = MatchMachine();
  EXPECT_EQ((*m.Find("proposed", "accept", "cfo"))->to, "accepted");
  EXPECT_EQ((*m.Find("proposed", "reject", "cfo"))->to, "rejected");
  EXPECT_EQ((*m.Find("accepted", "undo", "cfo"))->to, "undone");
  EXPECT_EQ((*m.Find("proposed", "supersede", "cfo"))->to, "superseded");
  EXPECT_EQ(m.EventsFrom("rejected", "owner"), std::vector<std::string>{});
}

TEST(MatchMachineTest, RefusalsAreTheApisConflicts) {
  const auto& m = MatchMachine();
  auto again = m.Find("rejected", "accept", "cfo");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(again.error().code, "reconciliation.not_proposed");
  EXPECT_NE(again.error().message.find("rejected"), std::string::npos);
  auto undo = m.Find("proposed", "undo", "cfo");
  ASSERT_FALSE(undo);
  EXPECT_EQ(undo.error().code, "reconciliation.not_accepted");
}

}  // namespace
}  // namespace vertice::reconciliation
