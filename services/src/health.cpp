#include "tillit/services/health.h"

#include <sys/timex.h>

#include "tillit/core/version.h"

namespace tillit::services {

Health check_health(Installation& inst) {
  Health h;
  h.version = kVersion;
  h.database_backend = inst.db().backend();
  auto tx = inst.db().begin(store::Access::read);
  if (!tx) {
    h.database_state = tx.error().message;
  } else {
    auto rows = (*tx)->query("SELECT 1");
    h.database_state = rows ? "ok" : rows.error().message;
  }
  // adjtimex with modes = 0 only reads the kernel's NTP discipline state.
  struct timex tx_state {};
  const int state = ::adjtimex(&tx_state);
  if (state == -1) {
    h.clock_state = "unknown";
  } else {
    h.clock_state = (state == TIME_ERROR || (tx_state.status & STA_UNSYNC)) ? "unsynchronized" : "synchronized";
    h.clock_max_error_ms = tx_state.maxerror / 1000;
  }
  h.time = format_rfc3339(now_utc());
  h.clock_measurement = last_clock_check();
  return h;
}

}  // namespace tillit::services
