// Recurring duties' due dates (core/duty_schedule.h) and the iCalendar writer, with explicit dates.
#include <gtest/gtest.h>

#include "tillit/core/duty_schedule.h"
#include "tillit/core/icalendar.h"

namespace tillit {
namespace {

CalendarDate d(const char* text) { return parse_date(text, "test").value(); }
std::string plus(const char* from, int count, const char* unit, int times = 1) {
  return format_date(add_interval(d(from), make_interval(count, unit).value(), times));
}

TEST(DutyScheduleTest, MonthsClampToTheMonthsLastDay) {
  EXPECT_EQ(plus("2025-01-31", 1, "months"), "2025-02-28");
  EXPECT_EQ(plus("2024-01-31", 1, "months"), "2024-02-29");  // leap year
  EXPECT_EQ(plus("2025-08-31", 1, "months"), "2025-09-30");
  EXPECT_EQ(plus("2025-01-31", 2, "months"), "2025-03-31");
  EXPECT_EQ(plus("2025-01-31", 1, "months", 2), "2025-03-31");  // counted from the start: no drift
  EXPECT_EQ(plus("2025-11-30", 3, "months"), "2026-02-28");    // across a year end
  EXPECT_EQ(plus("2025-10-15", 6, "months"), "2026-04-15");
}

TEST(DutyScheduleTest, YearsHandleTheLeapDay) {
  EXPECT_EQ(plus("2024-02-29", 1, "years"), "2025-02-28");
  EXPECT_EQ(plus("2024-02-29", 4, "years"), "2028-02-29");
  EXPECT_EQ(plus("2023-03-01", 1, "years"), "2024-03-01");
  EXPECT_EQ(plus("2099-12-31", 1, "years"), "2100-12-31");
}

TEST(DutyScheduleTest, DaysAndWeeksCountCalendarDays) {
  EXPECT_EQ(plus("2024-02-28", 1, "days"), "2024-02-29");
  EXPECT_EQ(plus("2100-02-28", 1, "days"), "2100-03-01");  // 2100 is not a leap year
  EXPECT_EQ(plus("2000-02-28", 1, "days"), "2000-02-29");  // 2000 is
  EXPECT_EQ(plus("2025-12-20", 30, "days"), "2026-01-19");
  EXPECT_EQ(plus("2025-12-29", 2, "weeks"), "2026-01-12");
}

TEST(DutyScheduleTest, NextDueCountsFromTheLastCompletionElseTheFirstDueDate) {
  const auto quarterly = make_interval(3, "months").value();
  EXPECT_EQ(format_date(next_due(quarterly, d("2026-01-15"), std::nullopt)), "2026-01-15");
  EXPECT_EQ(format_date(next_due(quarterly, d("2026-01-15"), d("2026-02-03"))), "2026-05-03");
  const auto twice_a_year = make_interval(6, "months").value();
  EXPECT_EQ(format_date(next_due(twice_a_year, d("2026-01-01"), d("2025-08-31"))), "2026-02-28");
}

TEST(DutyScheduleTest, StateUsesTheDueSoonWindow) {
  EXPECT_EQ(duty_state(d("2026-03-01"), d("2026-03-02"), 14), DutyState::overdue);
  EXPECT_EQ(duty_state(d("2026-03-02"), d("2026-03-02"), 14), DutyState::due_soon);
  EXPECT_EQ(duty_state(d("2026-03-16"), d("2026-03-02"), 14), DutyState::due_soon);
  EXPECT_EQ(duty_state(d("2026-03-17"), d("2026-03-02"), 14), DutyState::upcoming);
  EXPECT_EQ(duty_state(d("2024-03-01"), d("2024-02-28"), 1), DutyState::upcoming);  // 29 Feb lies between
}

TEST(DutyScheduleTest, BadIntervalsAndDatesNameTheField) {
  auto zero = make_interval(0, "months");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("interval_count"), std::string::npos);
  EXPECT_FALSE(make_interval(-3, "days").ok());
  EXPECT_FALSE(make_interval(1001, "days").ok());
  auto unit = make_interval(1, "fortnights");
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.error().message.find("interval_unit"), std::string::npos);
  for (const char* bad : {"2025-02-29", "2025-02-30", "2025-13-01", "2025-1-01", "2025-01-01T00:00:00Z", "", "yesterday",
                          "2025-04-31", "+025-01-01"}) {
    auto r = parse_date(bad, "completed_on");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.rfind("completed_on: ", 0), 0u) << r.error().message;
  }
  EXPECT_TRUE(parse_date("2024-02-29", "x").ok());
}

TEST(DutyScheduleTest, CatalogPeriodsBecomeIntervals) {
  EXPECT_EQ(interval_from_period(parse_period("P1Y").value()).value(), (Interval{1, IntervalUnit::years}));
  EXPECT_EQ(interval_from_period(parse_period("P6M").value()).value(), (Interval{6, IntervalUnit::months}));
  EXPECT_EQ(interval_from_period(parse_period("P1Y6M").value()).value(), (Interval{18, IntervalUnit::months}));
  EXPECT_EQ(interval_from_period(parse_period("P2W").value()).value(), (Interval{2, IntervalUnit::weeks}));
  EXPECT_EQ(interval_from_period(parse_period("P10D").value()).value(), (Interval{10, IntervalUnit::days}));
  EXPECT_FALSE(interval_from_period(parse_period("P1M2D").value()).ok());
  EXPECT_EQ(to_iso8601({3, IntervalUnit::months}), "P3M");
  EXPECT_EQ(to_iso8601({2, IntervalUnit::weeks}), "P2W");
}

TEST(ICalendarTest, EscapesTextValues) {
  EXPECT_EQ(escape_ical_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
}

TEST(ICalendarTest, FoldsAt75OctetsWithoutSplittingCharacters) {
  const std::string ascii(160, 'x');
  const std::string folded = fold_ical_line(ascii);
  EXPECT_EQ(folded, std::string(75, 'x') + "\r\n " + std::string(74, 'x') + "\r\n " + std::string(11, 'x') + "\r\n");
  // "ö" is two octets: a line of them may not be cut between the two.
  std::string swedish = "SUMMARY:";
  for (int i = 0; i < 60; ++i) swedish += "ö";
  const std::string out = fold_ical_line(swedish);
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = out.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 75u);
    const unsigned char next = static_cast<unsigned char>(out[end + 2 < out.size() ? end + 3 : end]);
    if (end + 2 < out.size()) EXPECT_NE(next & 0xC0, 0x80) << "a continuation line starts inside a character";
    start = end + 2;
  }
}

TEST(ICalendarTest, WritesAllDayEvents) {
  const auto stamp = parse_rfc3339("2026-11-23T17:02:09.500Z").value();
  const std::string ics =
      write_icalendar("-//Tillit//Duties//EN", "Tillit: duties",
                      {{"duty-7@example", d("2027-02-28"), "Restore test; backups, yearly", "Line one\nline two", "https://t/duties/7"}},
                      stamp);
  EXPECT_EQ(ics.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u);
  EXPECT_NE(ics.find("\r\nUID:duty-7@example\r\n"), std::string::npos);
  EXPECT_NE(ics.find("\r\nDTSTAMP:20261123T170209Z\r\n"), std::string::npos);
  EXPECT_NE(ics.find("\r\nDTSTART;VALUE=DATE:20270228\r\n"), std::string::npos);
  EXPECT_NE(ics.find("\r\nDTEND;VALUE=DATE:20270301\r\n"), std::string::npos);
  EXPECT_NE(ics.find("\r\nSUMMARY:Restore test\\; backups\\, yearly\r\n"), std::string::npos);
  EXPECT_NE(ics.find("\r\nDESCRIPTION:Line one\\nline two\r\n"), std::string::npos);
  EXPECT_EQ(ics.substr(ics.size() - 15), "END:VCALENDAR\r\n");
  for (std::size_t i = 0; i < ics.size(); ++i)
    if (ics[i] == '\n') EXPECT_EQ(ics[i - 1], '\r');
}

}  // namespace
}  // namespace tillit
