// Patch management (req. 17; the patch section of the vulnerability annex): each security
// update per asset with the vendor's release date, the planned, rollout and applied dates and
// the change request that carried it. The deadlines and lateness come from
// core/patch_policy.h (critical: applied within 30 days of release; Microsoft: rollout started
// within 7 days of Patch Tuesday), judged as of today; a latency report covers a period.
//
// Reading needs findings_read, recording and updating findings_triage. Every change is an
// audit event with the fields before and after.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/core/patch_policy.h"
#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/patches_repository.h"

namespace tillit::services {

// What a user gives. Dates are YYYY-MM-DD. On update, a field left empty keeps its value.
struct PatchInput {
  std::string asset, product, advisory, vendor, severity;
  std::string released_on, planned_on, rollout_started_on, applied_on;
  std::string change_ref, note;
};

struct PatchView {
  store::PatchRecord record;
  PatchVerdict verdict;
};
nlohmann::json to_json(const PatchView& p);

struct PatchLatencyReport {
  std::string from, to;  // the release dates covered, YYYY-MM-DD inclusive
  std::int64_t released = 0, applied = 0, late = 0, critical = 0;
  std::optional<double> average_latency_days;  // of the applied ones
  std::optional<int> longest_latency_days;
  std::vector<PatchView> patches;  // newest release first
};
nlohmann::json to_json(const PatchLatencyReport& r);
std::string to_csv(const PatchLatencyReport& r);

class PatchService {
 public:
  explicit PatchService(Installation& inst, TimeSource clock = now_utc);

  Result<PatchView> record(const Actor& actor, const PatchInput& input);
  Result<PatchView> update(const Actor& actor, std::int64_t id, const PatchInput& changes);
  Result<PatchView> get(const Actor& actor, std::int64_t id);
  // `late_only`: only the ones whose deadline has passed without the step being done (or that
  // were done late).
  Result<std::vector<PatchView>> list(const Actor& actor, const store::PatchFilter& filter, bool late_only = false);
  Result<PatchLatencyReport> latency_report(const Actor& actor, const std::string& from, const std::string& to);

 private:
  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
