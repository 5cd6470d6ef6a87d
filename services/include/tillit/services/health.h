// The server's own health: database reachable, system clock synchronised (annex
// requirement 30 asks for one common time source), version. Served at /healthz.
#pragma once

#include <optional>
#include <string>

#include "tillit/services/installation.h"
#include "tillit/services/time_check.h"

namespace tillit::services {

struct Health {
  std::string version;
  std::string database_backend;
  std::string database_state;  // "ok" or what failed
  std::string clock_state;     // "synchronized", "unsynchronized" or "unknown"
  long clock_max_error_ms = -1;
  std::string time;            // the server's UTC time, RFC 3339
  std::optional<ClockReport> clock_measurement;  // the latest offset to the time source, if measured

  bool healthy() const { return database_state == "ok"; }
};

Health check_health(Installation& inst);

}  // namespace tillit::services
