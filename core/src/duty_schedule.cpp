#include "tillit/core/duty_schedule.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace tillit {

using namespace std::chrono;

const char* to_string(IntervalUnit unit) {
  switch (unit) {
    case IntervalUnit::days: return "days";
    case IntervalUnit::weeks: return "weeks";
    case IntervalUnit::months: return "months";
    case IntervalUnit::years: return "years";
  }
  return "years";
}

const char* to_string(DutyState state) {
  switch (state) {
    case DutyState::upcoming: return "upcoming";
    case DutyState::due_soon: return "due_soon";
    case DutyState::overdue: return "overdue";
  }
  return "upcoming";
}

Result<Interval> make_interval(long long count, std::string_view unit) {
  if (count < 1 || count > 1000)
    return make_error(ErrorCode::invalid_argument,
                      "interval_count: " + std::to_string(count) + " is not allowed; a duty recurs every 1 to 1000 units");
  for (auto u : {IntervalUnit::days, IntervalUnit::weeks, IntervalUnit::months, IntervalUnit::years})
    if (unit == to_string(u)) return Interval{static_cast<int>(count), u};
  return make_error(ErrorCode::invalid_argument, "interval_unit: '" + std::string(unit.substr(0, 32)) +
                                                     "' is not a unit; use days, weeks, months or years");
}

Result<Interval> interval_from_period(const Period& p) {
  const bool calendar = p.years || p.months;
  if (calendar && p.days)
    return make_error(ErrorCode::invalid_argument,
                      "the period " + format_period(p) + " mixes months and days; a duty recurs in one unit");
  if (p.years && !p.months) return make_interval(p.years, "years");
  if (calendar) return make_interval(12LL * p.years + p.months, "months");
  if (p.days % 7 == 0) return make_interval(p.days / 7, "weeks");
  return make_interval(p.days, "days");
}

std::string to_iso8601(const Interval& i) {
  const char* letter = i.unit == IntervalUnit::years ? "Y" : i.unit == IntervalUnit::months ? "M"
                       : i.unit == IntervalUnit::weeks ? "W" : "D";
  return "P" + std::to_string(i.count) + letter;
}

Result<CalendarDate> parse_date(std::string_view text, std::string_view field) {
  auto bad = [&] {
    return make_error(ErrorCode::invalid_argument, std::string(field) + ": '" + std::string(text.substr(0, 32)) +
                                                       "' is not a date; use YYYY-MM-DD");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  auto number = [&](std::size_t pos, std::size_t len, int& out) {
    for (std::size_t i = pos; i < pos + len; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return bad();
  const CalendarDate date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return bad();
  return date;
}

std::string format_date(CalendarDate date) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return out;
}

CalendarDate calendar_date_of(Timestamp t) { return CalendarDate{floor<days>(t)}; }

CalendarDate add_interval(CalendarDate from, const Interval& interval, int times) {
  const int n = interval.count * times;
  switch (interval.unit) {
    case IntervalUnit::days: return CalendarDate{sys_days{from} + days{n}};
    case IntervalUnit::weeks: return CalendarDate{sys_days{from} + weeks{n}};
    case IntervalUnit::months:
    case IntervalUnit::years: {
      const auto ym = year_month{from.year(), from.month()} +
                      (interval.unit == IntervalUnit::years ? months{12 * n} : months{n});
      const auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
      return CalendarDate{ym.year(), ym.month(), std::min(from.day(), last)};
    }
  }
  return from;
}

CalendarDate next_due(const Interval& interval, CalendarDate first_due, std::optional<CalendarDate> last_completed) {
  return last_completed ? add_interval(*last_completed, interval) : first_due;
}

DutyState duty_state(CalendarDate due, CalendarDate today, int soon_days) {
  if (sys_days{due} < sys_days{today}) return DutyState::overdue;
  if (sys_days{due} <= sys_days{today} + days{soon_days}) return DutyState::due_soon;
  return DutyState::upcoming;
}

}  // namespace tillit
