// The annex's rules for security updates (req. 17 and the patch-management section of the
// incident/vulnerability annex): critical security updates are applied within 30 days of the
// vendor's release; for Microsoft products the rollout starts at most 7 days after Patch
// Tuesday, the second Tuesday of the month. Pure: dates in, deadlines and verdicts out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tillit/core/duty_schedule.h"
#include "tillit/core/result.h"

namespace tillit {

// The second Tuesday of the month: Microsoft's monthly security release.
CalendarDate patch_tuesday(std::chrono::year_month month);

// "critical", "high", "medium", "low" (the vendor's rating mapped onto the annex's bands).
Result<std::string> patch_severity(std::string_view text);

struct PatchFacts {
  std::string vendor;     // "Microsoft" gets the Patch Tuesday rule (any case)
  std::string severity;   // patch_severity()
  CalendarDate released;  // the vendor's release date
  std::optional<CalendarDate> rollout_started;
  std::optional<CalendarDate> applied;
};

struct PatchVerdict {
  std::optional<CalendarDate> apply_by;          // critical: released + 30 days
  std::optional<CalendarDate> rollout_start_by;  // Microsoft: Patch Tuesday (or a later out-of-band release) + 7 days
  bool late = false;                             // a deadline passed before the step was done
  std::string reason;                            // why it is late, for people
  std::optional<int> latency_days;               // applied - released, once applied
};

// The deadlines and whether they were kept, as of `today`.
PatchVerdict judge_patch(const PatchFacts& patch, CalendarDate today);

bool is_microsoft(std::string_view vendor);

}  // namespace tillit
