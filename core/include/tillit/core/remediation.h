// The annex's remediation policy for vulnerabilities: a CVSS score band decides the severity
// and the time allowed to fix or mitigate (Low 0.1-3.9 backlog, Medium 4.0-6.9 30 days,
// High 7.0-8.9 7 days, Critical 9.0-10.0 as soon as possible and at most 7 days). The policy
// is data (the annex catalogue's `cvss_remediation` table), so a changed table changes every
// deadline computed from it. Pure: the caller passes every date in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/catalog.h"
#include "tillit/core/result.h"
#include "tillit/core/time.h"

namespace tillit {

struct RemediationRule {
  std::string severity;     // "low", "medium", "high", "critical"
  int min_tenths = 0;       // inclusive, in tenths (40 = 4.0), as core/cvss.h keeps scores
  int max_tenths = 0;       // inclusive
  std::optional<int> days;  // nullopt: no fixed deadline (backlog)
};

class RemediationPolicy {
 public:
  // The annex's own table, for when no catalogue is at hand (tests, a bare core).
  static const RemediationPolicy& annex();
  // From a catalogue's table; invalid_argument when it has no rows, a row's bounds are not
  // whole tenths within 0.0-10.0, or a day count is negative.
  static Result<RemediationPolicy> from_catalog(const std::vector<RemediationBand>& bands);
  explicit RemediationPolicy(std::vector<RemediationRule> rules) : rules_(std::move(rules)) {}

  const std::vector<RemediationRule>& rules() const { return rules_; }
  // The row whose bounds hold the score; nullptr for a score in no row (0.0 is "none").
  const RemediationRule* for_score(int tenths) const;
  // The row named `severity` ("high"); nullptr when the table has none.
  const RemediationRule* named(std::string_view severity) const;

 private:
  std::vector<RemediationRule> rules_;
};

// The severity and deadline of one finding.
struct RemediationAssessment {
  // "critical", "high", "medium", "low", "none" (a score of 0.0 or a tool saying none/info)
  // or "unknown" (neither a score nor a readable tool severity: to be triaged by a person).
  std::string severity;
  std::optional<int> days;  // time allowed; nullopt: no deadline (backlog, none, unknown)
  bool from_score = false;  // decided by the highest CVSS score rather than the tool's word
};

// The highest CVSS score decides whenever there is one: the annex defines a vulnerability's
// criticality by CVSS. Without a score, `tool_band` (the tool's own severity already mapped
// onto the CVSS band names: "critical" ... "none", "unknown") picks the table row of that name.
RemediationAssessment assess(const RemediationPolicy& policy, std::optional<int> highest_tenths,
                             std::string_view tool_band);

// The deadline: the moment the vulnerability became known to the supplier plus the allowed
// whole days on the UTC calendar (a day is always 24 hours in UTC, so 28 February + 7 days is
// 6 March in a leap year and 7 March otherwise). nullopt when there is no deadline.
std::optional<Timestamp> due_at(Timestamp known_at, std::optional<int> days);

// Overdue once `now` has passed the deadline while the finding still needs work.
bool is_overdue(std::optional<Timestamp> due, Timestamp now);

// Severity names in order, most severe first, for sorting and validation.
const std::vector<std::string>& severity_names();
bool is_severity_name(std::string_view name);

}  // namespace tillit
