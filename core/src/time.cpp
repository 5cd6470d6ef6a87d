#include "tillit/core/time.h"

#include <charconv>
#include <cstdio>

namespace tillit {
namespace {

using namespace std::chrono;

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  std::from_chars(text.data() + pos, text.data() + pos + count, out);
  return true;
}

Error bad_timestamp(std::string_view text) {
  return make_error(ErrorCode::invalid_argument,
                    "'" + std::string(text.substr(0, 64)) +
                        "' is not a valid timestamp; use RFC 3339 such as 2026-01-31T12:00:00Z or a date 2026-01-31");
}

}  // namespace

std::string format_rfc3339(Timestamp t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[48];  // room for any value the fields' types allow, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()), static_cast<long>(hms.subseconds().count()));
  return buf;
}

Result<Timestamp> parse_rfc3339(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!parse_digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !parse_digits(text, 5, 2, mo) ||
      text[7] != '-' || !parse_digits(text, 8, 2, d))
    return bad_timestamp(text);
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad_timestamp(text);
  if (text.size() == 10) return Timestamp{sys_days{ymd}};

  if ((text[10] != 'T' && text[10] != 't') || !parse_digits(text, 11, 2, h) || text.size() < 19 || text[13] != ':' ||
      !parse_digits(text, 14, 2, mi) || text[16] != ':' || !parse_digits(text, 17, 2, s))
    return bad_timestamp(text);
  if (h > 23 || mi > 59 || s > 60) return bad_timestamp(text);
  std::size_t pos = 19;
  milliseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100, ms = 0;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad_timestamp(text);
    fraction = milliseconds{ms};
  }
  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!parse_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !parse_digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
      return bad_timestamp(text);
    offset = hours{oh} + minutes{om};
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return bad_timestamp(text);
  }
  if (pos != text.size()) return bad_timestamp(text);
  // A leap second (:60) is folded onto the next second; storage never holds one.
  const Timestamp wall_clock{sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + fraction};
  const Timestamp result = wall_clock - offset;
  // The format writes the years 0000-9999 only. Both the written wall-clock time (a leap
  // second on 9999-12-31 folds past it) and the instant after the offset must fit.
  const Timestamp first{sys_days{year{0} / January / 1}};
  const Timestamp end{sys_days{year{10000} / January / 1}};
  if (wall_clock >= end || result < first || result >= end) return bad_timestamp(text);
  return result;
}

Result<Period> parse_period(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::invalid_argument, "'" + std::string(text.substr(0, 32)) +
                                                       "' is not a period; use ISO 8601 such as P1Y, P6M, P3M, P2W or P30D");
  };
  if (text.size() < 3 || text[0] != 'P') return bad();
  Period p;
  std::size_t pos = 1;
  bool any = false;
  char last_unit = 0;
  static constexpr std::string_view order = "YMWD";
  while (pos < text.size()) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), n);
    if (ec != std::errc{} || end == text.data() + pos || n < 0 || n > 1000) return bad();
    pos = static_cast<std::size_t>(end - text.data());
    if (pos >= text.size()) return bad();
    const char unit = text[pos++];
    const auto rank = order.find(unit);
    if (rank == std::string_view::npos || (last_unit && rank <= order.find(last_unit))) return bad();
    last_unit = unit;
    if (unit == 'Y') p.years = n;
    if (unit == 'M') p.months = n;
    if (unit == 'W') p.days += 7 * n;
    if (unit == 'D') p.days += n;
    any = true;
  }
  // Each part stays within 1000 so that format_period's output (weeks as days) parses again.
  if (!any || (p.years == 0 && p.months == 0 && p.days == 0) || p.days > 1000) return bad();
  return p;
}

std::string format_period(const Period& p) {
  std::string out = "P";
  if (p.years) out += std::to_string(p.years) + "Y";
  if (p.months) out += std::to_string(p.months) + "M";
  if (p.days) out += std::to_string(p.days) + "D";
  return out;
}

Timestamp add_period(Timestamp t, const Period& p) {
  const auto day = floor<days>(t);
  const auto time_of_day = t - day;
  year_month_day ymd{day};
  const auto ym = year_month{ymd.year(), ymd.month()} + years{p.years} + months{p.months};
  const auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  const year_month_day shifted{ym.year(), ym.month(), std::min(ymd.day(), last)};
  return Timestamp{sys_days{shifted} + days{p.days}} + time_of_day;
}

Timestamp slot_start(Timestamp t, std::chrono::seconds every) {
  if (every.count() <= 0) return t;
  const auto since_epoch = t.time_since_epoch();
  const auto period = duration_cast<milliseconds>(every);
  return Timestamp{since_epoch - since_epoch % period};
}

}  // namespace tillit
