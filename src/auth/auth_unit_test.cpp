#include <gtest/gtest.h>

#include "auth/crypto.hpp"
#include "auth/rate_limiter.hpp"

namespace vertice::auth {

TEST(CryptoTest, PasswordsVerifyOnlyWithTheRightPassword) {
  InitCrypto();
  auto hash = HashPassword("vertice-demo");
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(hash, "vertice-demo"));
  EXPECT_FALSE(VerifyPassword(hash, "vertice-demO"));
}

TEST(CryptoTest, TokensAreRandomAndOnlyTheirHashIsStored) {
  InitCrypto();
  auto a = NewToken("vs_"), b = NewToken("vs_");
  EXPECT_EQ(a.size(), 46u);
  EXPECT_NE(a, b);
  EXPECT_EQ(HashToken(a), HashToken(a));
  EXPECT_NE(HashToken(a), HashToken(b));
  EXPECT_EQ(HashToken(a).find(a.substr(3)), std::string::npos);
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(RateLimiterTest, AllowsABurstThenRefillsOverTime) {
  ManualClock clock(std::chrono::system_clock::time_point{});
  RateLimiter limiter(clock, 3, 60);  // burst 3, one per second
  EXPECT_TRUE(limiter.Allow("ip:1"));
  EXPECT_TRUE(limiter.Allow("ip:1"));
  EXPECT_TRUE(limiter.Allow("ip:1"));
  std::chrono::seconds retry{0};
  EXPECT_FALSE(limiter.Allow("ip:1", &retry));
  EXPECT_GE(retry.count(), 1);
  EXPECT_TRUE(limiter.Allow("ip:2"));  // keys are independent
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(limiter.Allow("ip:1"));
  EXPECT_FALSE(limiter.Allow("ip:1"));
}

TEST(ClientKeyTest, AnIpv6ClientCountsAsItsSlash64) {
  EXPECT_EQ(ClientKey("203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(ClientKey("::ffff:203.0.113.9"), "203.0.113.9");
  // Rotating through one's own /64 does not give fresh counters.
  EXPECT_EQ(ClientKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientKey("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
  EXPECT_NE(ClientKey("2001:db8:1:3::1"), ClientKey("2001:db8:1:2::1"));
  EXPECT_EQ(ClientKey("not-an-address"), "not-an-address");
}

}  // namespace vertice::auth
