#include "tillit/core/remediation.h"

#include <cmath>

namespace tillit {

const RemediationPolicy& RemediationPolicy::annex() {
  static const RemediationPolicy policy({{"low", 1, 39, std::nullopt},
                                         {"medium", 40, 69, 30},
                                         {"high", 70, 89, 7},
                                         {"critical", 90, 100, 7}});
  return policy;
}

Result<RemediationPolicy> RemediationPolicy::from_catalog(const std::vector<RemediationBand>& bands) {
  if (bands.empty())
    return make_error(ErrorCode::invalid_argument,
                      "the catalogue has no cvss_remediation table; add one (see content/annex.yaml)");
  std::vector<RemediationRule> rules;
  for (const auto& b : bands) {
    // Catalogue bounds are written with one decimal; anything finer cannot be a CVSS score.
    const double min10 = b.min * 10, max10 = b.max * 10;
    if (std::abs(min10 - std::round(min10)) > 1e-6 || std::abs(max10 - std::round(max10)) > 1e-6 || b.min < 0 ||
        b.max > 10 || b.min > b.max)
      return make_error(ErrorCode::invalid_argument, "cvss_remediation row '" + b.severity +
                                                         "' must have bounds with one decimal within 0.0-10.0");
    if (b.days && *b.days < 0)
      return make_error(ErrorCode::invalid_argument,
                        "cvss_remediation row '" + b.severity + "' has a negative number of days");
    rules.push_back({b.severity, static_cast<int>(std::lround(min10)), static_cast<int>(std::lround(max10)), b.days});
  }
  return RemediationPolicy(std::move(rules));
}

const RemediationRule* RemediationPolicy::for_score(int tenths) const {
  for (const auto& r : rules_)
    if (tenths >= r.min_tenths && tenths <= r.max_tenths) return &r;
  return nullptr;
}

const RemediationRule* RemediationPolicy::named(std::string_view severity) const {
  for (const auto& r : rules_)
    if (r.severity == severity) return &r;
  return nullptr;
}

RemediationAssessment assess(const RemediationPolicy& policy, std::optional<int> highest_tenths,
                             std::string_view tool_band) {
  if (highest_tenths) {
    if (const auto* rule = policy.for_score(*highest_tenths)) return {rule->severity, rule->days, true};
    return {"none", std::nullopt, true};
  }
  if (const auto* rule = policy.named(tool_band)) return {rule->severity, rule->days, false};
  return {tool_band == "none" ? "none" : "unknown", std::nullopt, false};
}

std::optional<Timestamp> due_at(Timestamp known_at, std::optional<int> days) {
  if (!days) return std::nullopt;
  return add_period(known_at, Period{0, 0, *days});
}

bool is_overdue(std::optional<Timestamp> due, Timestamp now) { return due && now > *due; }

const std::vector<std::string>& severity_names() {
  static const std::vector<std::string> names = {"critical", "high", "medium", "low", "none", "unknown"};
  return names;
}

bool is_severity_name(std::string_view name) {
  for (const auto& n : severity_names())
    if (n == name) return true;
  return false;
}

}  // namespace tillit
