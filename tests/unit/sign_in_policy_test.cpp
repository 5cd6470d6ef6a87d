#include <gtest/gtest.h>

#include "tillit/core/sign_in_policy.h"

using namespace tillit;
using namespace std::chrono;

TEST(SignInDelay, GrowsThenLocksOutAndIsCapped) {
  EXPECT_EQ(sign_in_delay(0, 5), seconds(0));
  EXPECT_EQ(sign_in_delay(1, 5), seconds(1));
  EXPECT_EQ(sign_in_delay(2, 5), seconds(2));
  EXPECT_EQ(sign_in_delay(4, 5), seconds(8));
  EXPECT_FALSE(is_lockout(4, 5));
  EXPECT_TRUE(is_lockout(5, 5));
  EXPECT_EQ(sign_in_delay(5, 5), minutes(15));
  EXPECT_EQ(sign_in_delay(6, 5), minutes(30));
  EXPECT_EQ(sign_in_delay(1000, 5), hours(24));
  EXPECT_EQ(sign_in_delay(1, 0), minutes(15));  // a zero threshold still means "lock"
}

TEST(SessionLapsed, IdleOrAbsoluteWhicheverComesFirst) {
  const auto t0 = parse_rfc3339("2026-01-01T08:00:00Z").value();
  EXPECT_FALSE(session_lapsed(t0, t0, t0 + minutes(14), minutes(15), hours(8)));
  EXPECT_TRUE(session_lapsed(t0, t0, t0 + minutes(15), minutes(15), hours(8)));
  EXPECT_FALSE(session_lapsed(t0, t0 + hours(7), t0 + hours(7) + minutes(5), minutes(15), hours(8)));
  EXPECT_TRUE(session_lapsed(t0, t0 + hours(7) + minutes(59), t0 + hours(8), minutes(15), hours(8)));
}

TEST(AddressSignInDelay, NothingBelowTheThresholdThenLockout) {
  EXPECT_EQ(address_sign_in_delay(1, 20), seconds(0));
  EXPECT_EQ(address_sign_in_delay(19, 20), seconds(0));
  EXPECT_EQ(address_sign_in_delay(20, 20), minutes(15));
}
