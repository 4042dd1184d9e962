#include "members/memberships.hpp"

#include <gtest/gtest.h>

#include "auth/crypto.hpp"

namespace vertice::members {
namespace {

const std::string kAna = "11111111-1111-1111-1111-111111111111";
const std::string kBeto = "22222222-2222-2222-2222-222222222222";

TEST(KeepAnOwnerTest, TheLastOwnerCanBeNeitherDemotedNorRemoved) {
  for (const auto& to : {std::optional<std::string>("cfo"), std::optional<std::string>()}) {
    auto kept = KeepAnOwner({kAna, "owner", to}, {kAna});
    ASSERT_FALSE(kept);
    EXPECT_EQ(kept.error().code, "member.last_owner");
    EXPECT_EQ(kept.error().kind, ErrorKind::kBusinessRule);
  }
}

TEST(KeepAnOwnerTest, AnOwnerMayLeaveWhileAnotherOwnerStays) {
  EXPECT_TRUE(KeepAnOwner({kAna, "owner", "viewer"}, {kAna, kBeto}));
  EXPECT_TRUE(KeepAnOwner({kAna, "owner", std::nullopt}, {kBeto, kAna}));
}

TEST(KeepAnOwnerTest, OnlyAChangeThatTakesAnOwnerAwayNeedsTheOwners) {
  EXPECT_TRUE(StopsBeingOwner({kAna, "owner", "cfo"}));
  EXPECT_TRUE(StopsBeingOwner({kAna, "owner", std::nullopt}));
  EXPECT_FALSE(StopsBeingOwner({kAna, "owner", "owner"}));
  EXPECT_FALSE(StopsBeingOwner({kBeto, "cfo", std::nullopt}));
  EXPECT_FALSE(StopsBeingOwner({kBeto, "viewer", "owner"}));
  // Such changes are allowed whoever the owners are, even none read.
  EXPECT_TRUE(KeepAnOwner({kAna, "owner", "owner"}, {kAna}));
  EXPECT_TRUE(KeepAnOwner({kBeto, "cfo", std::nullopt}, {}));
}

TEST(InitialPasswordTest, AGivenPasswordIsKeptElseATemporaryOneIsMade) {
  auth::InitCrypto();
  auto given = ChooseInitialPassword(std::string("correcto-caballo-bateria"));
  EXPECT_EQ(given.text, "correcto-caballo-bateria");
  EXPECT_FALSE(given.temporary);
  auto made = ChooseInitialPassword(std::nullopt);
  EXPECT_TRUE(made.temporary);
  EXPECT_EQ(made.text.size(), 16u);
  EXPECT_NE(made.text, ChooseInitialPassword(std::nullopt).text);
}

}  // namespace
}  // namespace vertice::members
