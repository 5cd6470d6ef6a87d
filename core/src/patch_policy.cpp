#include "tillit/core/patch_policy.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace tillit {
namespace {

using namespace std::chrono;

constexpr int kCriticalApplyDays = 30;  // req. 17
constexpr int kRolloutStartDays = 7;    // Microsoft: after Patch Tuesday

CalendarDate plus_days(CalendarDate d, int n) { return CalendarDate(sys_days(d) + days(n)); }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

CalendarDate patch_tuesday(year_month month) { return CalendarDate(sys_days(month / Tuesday[2])); }

bool is_microsoft(std::string_view vendor) { return lower(vendor) == "microsoft"; }

Result<std::string> patch_severity(std::string_view text) {
  const auto s = lower(text);
  // Vendors' own words map onto the annex's bands (Microsoft: Critical, Important, Moderate, Low).
  if (s == "critical") return std::string("critical");
  if (s == "high" || s == "important") return std::string("high");
  if (s == "medium" || s == "moderate") return std::string("medium");
  if (s == "low") return std::string("low");
  return make_error(ErrorCode::invalid_argument,
                    "severity: '" + std::string(text) + "' is not one of critical, high (important), medium (moderate), low");
}

PatchVerdict judge_patch(const PatchFacts& patch, CalendarDate today) {
  PatchVerdict v;
  std::vector<std::string> reasons;
  if (patch.severity == "critical") {
    v.apply_by = plus_days(patch.released, kCriticalApplyDays);
    const auto done = patch.applied.value_or(today);
    if (sys_days(done) > sys_days(*v.apply_by))
      reasons.push_back(std::string(patch.applied ? "applied" : "not applied") + " after " + format_date(*v.apply_by) +
                        ", 30 days from the release");
  }
  if (is_microsoft(patch.vendor)) {
    const auto tuesday = patch_tuesday(patch.released.year() / patch.released.month());
    // An out-of-band release after the month's Patch Tuesday counts from its own date.
    const auto reference = sys_days(patch.released) > sys_days(tuesday) ? patch.released : tuesday;
    v.rollout_start_by = plus_days(reference, kRolloutStartDays);
    const auto started = patch.rollout_started ? patch.rollout_started : patch.applied;
    const auto done = started.value_or(today);
    if (sys_days(done) > sys_days(*v.rollout_start_by))
      reasons.push_back(std::string(started ? "rollout started" : "rollout not started") + " after " +
                        format_date(*v.rollout_start_by) + ", 7 days from Patch Tuesday " + format_date(reference));
  }
  if (patch.applied) v.latency_days = static_cast<int>((sys_days(*patch.applied) - sys_days(patch.released)).count());
  v.late = !reasons.empty();
  for (const auto& r : reasons) v.reason += (v.reason.empty() ? "" : "; ") + r;
  return v;
}

}  // namespace tillit
