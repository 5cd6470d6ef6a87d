#include <gtest/gtest.h>

#include "tillit/core/time.h"

using namespace tillit;
using namespace std::chrono;

TEST(Rfc3339, FormatsUtcWithMilliseconds) {
  const Timestamp t{sys_days{2026y / November / 23} + hours{10} + minutes{54} + seconds{15} + milliseconds{7}};
  EXPECT_EQ(format_rfc3339(t), "2026-11-23T10:54:15.007Z");
}

TEST(Rfc3339, RoundTrips) {
  for (const char* text : {"1999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.000Z", "2026-01-01T12:00:00.000Z"}) {
    auto parsed = parse_rfc3339(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(format_rfc3339(*parsed), text);
  }
}

TEST(Rfc3339, AppliesOffsets) {
  auto stockholm = parse_rfc3339("2026-06-01T12:00:00+02:00");
  ASSERT_TRUE(stockholm);
  EXPECT_EQ(format_rfc3339(*stockholm), "2026-06-01T10:00:00.000Z");
  auto west = parse_rfc3339("2026-06-01T12:00:00.5-03:30");
  ASSERT_TRUE(west);
  EXPECT_EQ(format_rfc3339(*west), "2026-06-01T15:30:00.500Z");
}

TEST(Rfc3339, AcceptsBareDateAsMidnightUtc) {
  auto d = parse_rfc3339("2026-11-23");
  ASSERT_TRUE(d);
  EXPECT_EQ(format_rfc3339(*d), "2026-11-23T00:00:00.000Z");
}

TEST(Rfc3339, RejectsMalformedWithHelpfulMessage) {
  for (const char* text : {"", "2026", "2026-13-01", "2026-02-30", "2026-11-23T25:00:00Z", "2026-11-23T10:00:00",
                           "2026-11-23 10:00:00Z", "2026-11-23T10:00:00Zjunk", "2026-11-23T10:00:00.Z", "yesterday"}) {
    auto r = parse_rfc3339(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(r.error().message.find("RFC 3339"), std::string::npos);
  }
}

TEST(Period, ParsesTheFormsDutiesUse) {
  EXPECT_EQ(parse_period("P1Y").value(), (Period{1, 0, 0}));
  EXPECT_EQ(parse_period("P6M").value(), (Period{0, 6, 0}));
  EXPECT_EQ(parse_period("P2W").value(), (Period{0, 0, 14}));
  EXPECT_EQ(parse_period("P1Y2M3D").value(), (Period{1, 2, 3}));
  EXPECT_EQ(format_period(Period{1, 2, 3}), "P1Y2M3D");
}

TEST(Period, RejectsNonsense) {
  for (const char* text : {"", "P", "1Y", "P0D", "PT1H", "P1M1Y", "P-1D", "P1", "PXY"}) EXPECT_FALSE(parse_period(text)) << text;
}

TEST(Period, AddsOnTheCalendarClampingMonthEnds) {
  const auto jan31 = parse_rfc3339("2026-01-31T08:00:00Z").value();
  EXPECT_EQ(format_rfc3339(add_period(jan31, {0, 1, 0})), "2026-02-28T08:00:00.000Z");
  const auto leap = parse_rfc3339("2024-02-29T00:00:00Z").value();
  EXPECT_EQ(format_rfc3339(add_period(leap, {1, 0, 0})), "2025-02-28T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(add_period(jan31, {0, 6, 0})), "2026-07-31T08:00:00.000Z");
  EXPECT_EQ(format_rfc3339(add_period(jan31, {0, 0, 7})), "2026-02-07T08:00:00.000Z");
}

TEST(Period, WhatItFormatsParsesAgain) {
  auto weeks = parse_period("P142W");
  ASSERT_TRUE(weeks);
  EXPECT_EQ(parse_period(format_period(*weeks)).value(), *weeks);
  EXPECT_FALSE(parse_period("P143W"));  // 1001 days: more than any part may hold
}

TEST(Rfc3339, RejectsInstantsTheFormatCannotWrite) {
  EXPECT_FALSE(parse_rfc3339("0000-01-01T00:00:00+00:01"));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59-00:01"));
  EXPECT_TRUE(parse_rfc3339("0000-01-01T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("9999-12-31T23:59:59Z"));
  // A leap second on the last day folds past 9999 on the wall clock, whatever the offset.
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:60Z"));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:60+01:00"));
}

TEST(Slots, StartAtTheTopOfTheirPeriod) {
  const auto t = parse_rfc3339("2026-11-23T10:15:42.5Z").value();
  EXPECT_EQ(format_rfc3339(slot_start(t, std::chrono::hours(1))), "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(format_rfc3339(slot_start(t, std::chrono::hours(24))), "2026-11-23T00:00:00.000Z");
  EXPECT_EQ(slot_start(t, std::chrono::seconds(0)), t);
}
