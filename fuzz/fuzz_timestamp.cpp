// fuzz_timestamp: the small text parsers of outside input.
//   parse_rfc3339 (core)      - API query parameters (?since=), CLI --since, stored timestamps
//   parse_period (core)       - a duty's `every:` in catalogue files
//   add_period (core)         - the calendar arithmetic applied to what those two return
//   services::parse_listen    - `listen:` in tillit.yaml, TILLIT_LISTEN, --listen
//
// The whole input is offered to each parser. If it holds a newline, the text before it is
// also read as a timestamp and the text after it as a period, and the period is added to the
// timestamp (seed: "2024-01-31T10:00:00Z\nP1M").
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tillit/core/time.h"
#include "tillit/services/config.h"

namespace {

using namespace std::chrono;
using tillit::Period;
using tillit::Timestamp;

using tillit::fuzz::show;

std::string show(Timestamp t) { return std::to_string(t.time_since_epoch().count()) + " ms since the epoch"; }

void check_timestamp(std::string_view text) {
  const auto parsed = tillit::parse_rfc3339(text);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == tillit::ErrorCode::invalid_argument);
    return;
  }
  const Timestamp t = *parsed;
  if (text.size() == 10) FUZZ_CHECK_MSG(t == floor<days>(t), "a bare date must be midnight UTC: " + show(text));

  // Storage and the API write timestamps with format_rfc3339 and read them back with
  // parse_rfc3339: every accepted timestamp must survive that round trip unchanged.
  const std::string formatted = tillit::format_rfc3339(t);
  const auto again = tillit::parse_rfc3339(formatted);
  FUZZ_CHECK_MSG(again.ok(), "input " + show(text) + " parses to " + show(t) + ", which formats as " + show(formatted) +
                                 ", which parse_rfc3339 rejects");
  FUZZ_CHECK_MSG(*again == t, "input " + show(text) + " parses to " + show(t) + ", formats as " + show(formatted) +
                                  ", which parses back to " + show(*again));
  FUZZ_CHECK_MSG(tillit::format_rfc3339(*again) == formatted, "format is not stable for " + show(formatted));
  FUZZ_CHECK_MSG(formatted.size() == 24 && formatted[10] == 'T' && formatted.back() == 'Z',
                 "unexpected shape " + show(formatted) + " for input " + show(text));

  // A numeric offset means local time = UTC + offset: the same text with 'Z' instead of the
  // offset must lie exactly `offset` later.
  const std::size_t n = text.size();
  if (n >= 25 && (text[n - 6] == '+' || text[n - 6] == '-') && text[n - 3] == ':') {
    const std::string as_utc = std::string(text.substr(0, n - 6)) + "Z";
    const auto utc = tillit::parse_rfc3339(as_utc);
    FUZZ_CHECK_MSG(utc.ok(), show(text) + " parses but " + show(as_utc) + " does not");
    const int oh = (text[n - 5] - '0') * 10 + (text[n - 4] - '0');
    const int om = (text[n - 2] - '0') * 10 + (text[n - 1] - '0');
    minutes offset = hours{oh} + minutes{om};
    if (text[n - 6] == '-') offset = -offset;
    FUZZ_CHECK_MSG(*utc - t == offset, "offset applied wrongly for " + show(text));
  }
}

void check_period(std::string_view text) {
  const auto parsed = tillit::parse_period(text);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == tillit::ErrorCode::invalid_argument);
    return;
  }
  const Period p = *parsed;
  FUZZ_CHECK_MSG(p.years >= 0 && p.months >= 0 && p.days >= 0, "negative field in " + show(text));
  FUZZ_CHECK_MSG(p.years != 0 || p.months != 0 || p.days != 0, "empty period accepted: " + show(text));
  // Catalogue JSON, the web pages and the CLI show periods with format_period; what they
  // show must read back as the same period.
  const std::string formatted = tillit::format_period(p);
  const auto again = tillit::parse_period(formatted);
  FUZZ_CHECK_MSG(again.ok(), "input " + show(text) + " is accepted, but its format_period form " + show(formatted) +
                                 " is rejected");
  FUZZ_CHECK_MSG(*again == p, "input " + show(text) + " formats as " + show(formatted) + ", which reads back differently");
}

void check_add_period(std::string_view time_text, std::string_view period_text) {
  const auto t = tillit::parse_rfc3339(time_text);
  const auto p = tillit::parse_period(period_text);
  if (!t || !p) return;
  const Timestamp r = tillit::add_period(*t, *p);
  const std::string context = show(time_text) + " + " + show(period_text);
  FUZZ_CHECK_MSG(r > *t, "a period must move time forward: " + context);
  // Periods are whole days: the time of day is kept.
  FUZZ_CHECK_MSG(r - floor<days>(r) == *t - floor<days>(*t), "time of day changed: " + context);
  if (p->days == 0) {
    // Whole months or years: the day of the month is kept, or clamped to the month's end.
    const year_month_day before{floor<days>(*t)}, after{floor<days>(r)};
    FUZZ_CHECK_MSG(after.ok() && after.day() <= before.day(), "day of month grew: " + context);
  }
  (void)tillit::format_rfc3339(r);
}

void check_listen(std::string_view text) {
  std::string address = "unchanged";
  unsigned short port = 7;
  const auto s = tillit::services::parse_listen(text, address, port);
  if (!s) {
    FUZZ_CHECK_MSG(address == "unchanged" && port == 7, "parse_listen wrote its outputs and failed: " + show(text));
    FUZZ_CHECK(s.error().code == tillit::ErrorCode::invalid_argument);
    return;
  }
  FUZZ_CHECK_MSG(!address.empty(), "empty host accepted: " + show(text));
  // Written back as HOST:PORT (bracketed when the host has a colon or starts with '['), the
  // address reads back the same.
  const bool bracket = address.find(':') != std::string::npos || address.front() == '[';
  const std::string written = (bracket ? "[" + address + "]" : address) + ":" + std::to_string(port);
  std::string address2;
  unsigned short port2 = 0;
  FUZZ_CHECK_MSG(tillit::services::parse_listen(written, address2, port2).ok(),
                 show(text) + " is accepted but its canonical form " + show(written) + " is not");
  FUZZ_CHECK_MSG(address2 == address && port2 == port, show(text) + " does not round-trip through " + show(written));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = tillit::fuzz::as_text(data, size);
  check_timestamp(text);
  check_period(text);
  check_listen(text);
  if (const auto nl = text.find('\n'); nl != std::string_view::npos) {
    const auto left = text.substr(0, nl), right = text.substr(nl + 1);
    check_timestamp(left);
    check_period(right);
    check_add_period(left, right);
  }
  return 0;
}
