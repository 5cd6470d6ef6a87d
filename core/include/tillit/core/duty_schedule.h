// Recurring duties' calendar arithmetic: an interval (count + unit), the next due date from
// the last completion (or the first due date when never completed), month-end clamping and
// the "due soon" window. Dates are calendar days (no time of day): a duty is due on a day.
// Pure: callers pass today's date in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "tillit/core/result.h"
#include "tillit/core/time.h"

namespace tillit {

using CalendarDate = std::chrono::year_month_day;

enum class IntervalUnit { days, weeks, months, years };
const char* to_string(IntervalUnit unit);

struct Interval {
  int count = 1;
  IntervalUnit unit = IntervalUnit::years;
  bool operator==(const Interval&) const = default;
};

// Validates user input: `count` 1-1000 and `unit` one of days, weeks, months, years. Errors
// name the field (interval_count, interval_unit) and say what is allowed.
Result<Interval> make_interval(long long count, std::string_view unit);
// A catalogue duty's ISO 8601 period (P1Y, P6M, P3M, P2W, P30D) as an interval. A period
// mixing units becomes months (P1Y6M) or days (P1M2D is refused: it has no single unit).
Result<Interval> interval_from_period(const Period& period);
// "P1Y", "P3M", "P2W", "P30D": the ISO 8601 form, for APIs and the calendar feed.
std::string to_iso8601(const Interval& interval);

// Strict "YYYY-MM-DD" of a real day (2025-02-29 is refused). `field` names the input in
// the error message: "completed_on: '2025-02-30' is not a date; use YYYY-MM-DD".
Result<CalendarDate> parse_date(std::string_view text, std::string_view field);
std::string format_date(CalendarDate date);
// The UTC calendar day of a timestamp.
CalendarDate calendar_date_of(Timestamp t);

// `from` plus `times` intervals. Months and years move the month and clamp the day to the
// month's last (31 Jan + 1 month = 28 or 29 Feb; 29 Feb + 1 year = 28 Feb), always counted
// from `from` so repeated steps do not drift (31 Jan + 2 months = 31 Mar).
CalendarDate add_interval(CalendarDate from, const Interval& interval, int times = 1);

// When the duty is next due: one interval after the last completion, or `first_due` when it
// has never been completed.
CalendarDate next_due(const Interval& interval, CalendarDate first_due, std::optional<CalendarDate> last_completed);

enum class DutyState {
  upcoming,  // due later than the window
  due_soon,  // due today or within `soon_days`
  overdue,   // the due date has passed
};
const char* to_string(DutyState state);
DutyState duty_state(CalendarDate due, CalendarDate today, int soon_days);

// The default "due soon" window in days.
inline constexpr int kDueSoonDays = 14;

}  // namespace tillit
