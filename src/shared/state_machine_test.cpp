#include "shared/state_machine.hpp"

#include <gtest/gtest.h>

namespace vertice::shared {

StateMachineSpec ConsignmentLike() {
  return {"test.document",
          "test_documents",
          "id",
          "status",
          {{"draft", "deliver", "delivered", {"owner", "cfo", "cashier"}},
           {"delivered", "settle", "settled", {"owner", "cfo"}},
           {"draft", "cancel", "cancelled", {}}}};
}

TEST(StateMachineTest, FindsDeclaredTransitionsForAllowedRoles) {
  StateMachine sm(ConsignmentLike());
  auto t = sm.Find("draft", "deliver", "cashier");
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)->to, "delivered");
  EXPECT_TRUE(sm.Find("draft", "cancel", "viewer"));  // no role list: anyone
}

TEST(StateMachineTest, InvalidTransitionIs422NamingStateAndEvent) {
  StateMachine sm(ConsignmentLike());
  auto t = sm.Find("settled", "deliver", "owner");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::kBusinessRule);
  EXPECT_EQ(t.error().code, "test.document.invalid_transition");
  EXPECT_EQ(t.error().details.at("state").as_string(), "settled");
  EXPECT_EQ(t.error().details.at("event").as_string(), "deliver");
}

TEST(StateMachineTest, RoleNotAllowedIs422) {
  StateMachine sm(ConsignmentLike());
  auto t = sm.Find("delivered", "settle", "cashier");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, "test.document.transition_not_allowed");
}

TEST(StateMachineTest, EventsOfferedPerRole) {
  StateMachine sm(ConsignmentLike());
  EXPECT_EQ(sm.EventsFrom("draft", "cashier"), (std::vector<std::string>{"deliver", "cancel"}));
  EXPECT_EQ(sm.EventsFrom("draft", "viewer"), (std::vector<std::string>{"cancel"}));
  EXPECT_TRUE(sm.EventsFrom("settled", "owner").empty());
}

TEST(StateMachineTest, MalformedSpecsAreProgrammingErrors) {
  auto dup = ConsignmentLike();
  dup.transitions.push_back({"draft", "deliver", "settled", {}});
  EXPECT_THROW(StateMachine{dup}, std::logic_error);
  auto bad_table = ConsignmentLike();
  bad_table.table = "docs; DROP TABLE users";
  EXPECT_THROW(StateMachine{bad_table}, std::logic_error);
}

}  // namespace vertice::shared

namespace vertice::shared {

TEST(StateMachineTest, UnknownStatesAndEventsAreInvalidTransitions) {
  StateMachine sm(ConsignmentLike());
  EXPECT_EQ(sm.Find("limbo", "deliver", "owner").error().code, "test.document.invalid_transition");
  EXPECT_EQ(sm.Find("draft", "teleport", "owner").error().code, "test.document.invalid_transition");
}

}  // namespace vertice::shared
