// UTC timestamps as RFC 3339 strings. Storage and APIs use UTC with a 'Z' suffix and
// millisecond precision; the UI renders in Europe/Stockholm. Pure: no clock is read here,
// callers pass the current time in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "tillit/core/result.h"

namespace tillit {

using Clock = std::chrono::system_clock;
using Timestamp = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// "2026-11-23T10:54:15.123Z"
std::string format_rfc3339(Timestamp t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" and a bare date "YYYY-MM-DD"
// (midnight UTC). Rejects everything else with a message naming the expected form.
Result<Timestamp> parse_rfc3339(std::string_view text);

// An ISO 8601 calendar period of whole years, months, weeks or days ("P1Y", "P6M", "P3M",
// "P2W", "P30D"), the form recurring duties use.
struct Period {
  int years = 0;
  int months = 0;
  int days = 0;
  bool operator==(const Period&) const = default;
};
Result<Period> parse_period(std::string_view text);
std::string format_period(const Period& p);

// Adds a period on the calendar: months are added to the month field and the day is
// clamped to the month's last day (31 Jan + P1M = 28/29 Feb), then days are added.
Timestamp add_period(Timestamp t, const Period& p);

// The start of the fixed period of length `every` (counted from the Unix epoch, UTC) that
// holds `t`: with every = 1 h it is the top of the hour, with 24 h midnight UTC. Scheduled
// jobs run once per such slot.
Timestamp slot_start(Timestamp t, std::chrono::seconds every);

}  // namespace tillit
