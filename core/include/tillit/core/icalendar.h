// An iCalendar (RFC 5545) document of all-day events, for the per-user duty feed. Pure text
// building: CRLF line ends, content lines folded at 75 octets without splitting a UTF-8
// character, TEXT values escaped (backslash, comma, semicolon, newline).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/duty_schedule.h"
#include "tillit/core/time.h"

namespace tillit {

struct CalendarEvent {
  std::string uid;  // globally unique and stable across refreshes ("duty-7@<installation>")
  CalendarDate date;  // an all-day event on this day
  std::string summary;
  std::string description;  // may be empty
  std::string url;          // may be empty
};

// RFC 5545 section 3.3.11: backslash, semicolon and comma are escaped; a newline becomes "\n"
// (a CR before it is dropped).
std::string escape_ical_text(std::string_view text);
// Section 3.1: a content line longer than 75 octets continues on lines starting with a
// space; each line (CRLF included) is returned.
std::string fold_ical_line(std::string_view line);

// VCALENDAR with one VEVENT per event; `stamp` is every event's DTSTAMP.
std::string write_icalendar(std::string_view product_id, std::string_view calendar_name,
                            const std::vector<CalendarEvent>& events, Timestamp stamp);

}  // namespace tillit
