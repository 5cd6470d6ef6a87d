#include "tillit/core/icalendar.h"

#include <cstdio>

namespace tillit {
namespace {

// "20261123T170200Z": DTSTAMP must be a UTC DATE-TIME.
std::string utc_stamp(Timestamp t) {
  const std::string s = format_rfc3339(t);  // 2026-11-23T17:02:00.000Z
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2) + "T" + s.substr(11, 2) + s.substr(14, 2) +
         s.substr(17, 2) + "Z";
}

std::string ical_date(CalendarDate d) {
  const std::string s = format_date(d);
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}

bool is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string escape_ical_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      if (i + 1 >= text.size() || text[i + 1] != '\n') out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      // Other control characters are not allowed in TEXT; leave them out.
    } else {
      out += c;
    }
  }
  return out;
}

std::string fold_ical_line(std::string_view line) {
  std::string out;
  std::size_t limit = 75;  // octets on the first line; continuation lines spend one on the space
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && is_continuation_byte(static_cast<unsigned char>(line[cut]))) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = 74;
  }
  out.append(line);
  out += "\r\n";
  return out;
}

std::string write_icalendar(std::string_view product_id, std::string_view calendar_name,
                            const std::vector<CalendarEvent>& events, Timestamp stamp) {
  std::string out;
  auto line = [&](std::string_view name, std::string_view value) { out += fold_ical_line(std::string(name) + ":" + std::string(value)); };
  line("BEGIN", "VCALENDAR");
  line("VERSION", "2.0");
  line("PRODID", escape_ical_text(product_id));
  line("CALSCALE", "GREGORIAN");
  line("METHOD", "PUBLISH");
  line("X-WR-CALNAME", escape_ical_text(calendar_name));
  const std::string dtstamp = utc_stamp(stamp);
  for (const auto& e : events) {
    line("BEGIN", "VEVENT");
    line("UID", e.uid);
    line("DTSTAMP", dtstamp);
    line("DTSTART;VALUE=DATE", ical_date(e.date));
    // An all-day event ends (exclusively) the next day.
    line("DTEND;VALUE=DATE", ical_date(CalendarDate{std::chrono::sys_days{e.date} + std::chrono::days{1}}));
    line("SUMMARY", escape_ical_text(e.summary));
    if (!e.description.empty()) line("DESCRIPTION", escape_ical_text(e.description));
    if (!e.url.empty()) line("URL", e.url);
    line("TRANSP", "TRANSPARENT");
    line("END", "VEVENT");
  }
  line("END", "VCALENDAR");
  return out;
}

}  // namespace tillit
