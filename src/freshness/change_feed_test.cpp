#include "freshness/change_feed.hpp"

#include <gtest/gtest.h>

namespace vertice::freshness {

// Ids 11..13 committed in order: the next poll starts after them, re-reading nothing.
TEST(ChangeCursorTest, APollStartsAfterEverythingAlreadyRead) {
  ChangeCursor cursor(10, 5000, 400);
  EXPECT_EQ(cursor.From(), 0);  // at start, anything in the last 5,000 ids may still commit
  for (int64_t id = 1; id <= 13; ++id) EXPECT_TRUE(cursor.Accept(id));
  cursor.Settle();
  EXPECT_EQ(cursor.From(), 13);
  EXPECT_FALSE(cursor.Accept(12));  // an old row read again is not a new notice
}

// 21 committed before 20 (taken first, committed later): polls keep reading from the gap, 20 is
// delivered when it appears, and 21 is not delivered twice.
TEST(ChangeCursorTest, AnIdCommittedAfterAHigherOneIsStillDeliveredOnce) {
  ChangeCursor cursor(19, 5000, 400);
  for (int64_t id = 1; id <= 19; ++id) cursor.Accept(id);
  cursor.Settle();
  EXPECT_TRUE(cursor.Accept(21));
  cursor.Settle();
  EXPECT_EQ(cursor.From(), 19);
  EXPECT_FALSE(cursor.Accept(21));
  EXPECT_TRUE(cursor.Accept(20));
  cursor.Settle();
  EXPECT_EQ(cursor.From(), 21);
}

// A rolled-back insert's id never comes: given up once it is `lookback` ids old, or after
// `give_up_polls` polls without it.
TEST(ChangeCursorTest, AGapThatNeverFillsIsGivenUp) {
  ChangeCursor by_ids(0, 100, 1000);
  by_ids.Accept(2);
  by_ids.Settle();
  EXPECT_EQ(by_ids.From(), 0);
  for (int64_t id = 3; id <= 100; ++id) by_ids.Accept(id);
  by_ids.Settle();
  EXPECT_EQ(by_ids.From(), 0);  // 1 is 99 ids below the highest: may still come
  by_ids.Accept(101);
  by_ids.Settle();
  EXPECT_EQ(by_ids.From(), 101);

  ChangeCursor by_polls(0, 100, 3);
  by_polls.Accept(2);
  by_polls.Accept(3);
  by_polls.Settle();
  by_polls.Settle();
  EXPECT_EQ(by_polls.From(), 0);
  by_polls.Settle();
  EXPECT_EQ(by_polls.From(), 3);
  EXPECT_TRUE(by_polls.Accept(4));
}

}  // namespace vertice::freshness
