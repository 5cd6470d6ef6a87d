// Is this server's clock right? Annex requirement 30: every system synchronises against the
// same time source. Two answers: the kernel's own view (is an NTP daemon — chrony,
// systemd-timesyncd, ntpd — disciplining the clock?) and a measurement (an SNTP query to the
// configured source, giving the offset). /healthz and `tillit doctor` report both.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "tillit/core/result.h"
#include "tillit/core/sntp.h"
#include "tillit/services/config.h"

namespace tillit::services {

// One SNTP query to HOST:PORT, waiting at most `timeout` for the answer.
Result<sntp::Sample> query_time_source(const std::string& host, unsigned short port, std::chrono::milliseconds timeout);

struct ClockReport {
  std::string kernel_state;  // "synchronized", "unsynchronized" or "unknown"
  long max_error_ms = -1;    // the kernel's own error bound, when known
  std::string source;        // the configured time source
  std::optional<sntp::Sample> sample;
  std::string source_error;  // why there is no sample
  // "ok"; "warning" (unsynchronised, offset beyond the limit, or the source unreachable).
  std::string state;
  std::string summary;  // one sentence for people
  std::string checked_at;
};

// Measures now (the kernel state and one SNTP query).
ClockReport check_clock(const TimeSettings& settings, std::chrono::milliseconds timeout = std::chrono::seconds(2));

// The latest measurement of this process, kept for /healthz: anyone may call /healthz, so it
// never measures itself (that would let callers flood the time source) but reports what the
// server's scheduler measured last (`tillit serve` measures at start and every five minutes).
void remember_clock_check(ClockReport report);
std::optional<ClockReport> last_clock_check();

}  // namespace tillit::services
