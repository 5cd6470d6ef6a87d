#include "tillit/core/applicability.h"

#include <algorithm>

namespace tillit {

Applicability decide_applicability(const std::optional<AssessedStatus>& own, const std::vector<AssessedStatus>& mapped) {
  if (own && own->status != "not_assessed") {
    if (own->status == "not_applicable") return {false, "", own->justification, ApplicabilityBasis::own_assessment};
    return {true, own->status, "", ApplicabilityBasis::own_assessment};
  }
  if (mapped.empty()) return {true, "not_assessed", "", ApplicabilityBasis::no_mapping};

  std::vector<std::string> statuses;
  std::string reasons;
  for (const auto& m : mapped) {
    if (m.status == "not_applicable") {
      if (!m.justification.empty() && reasons.find(m.justification) == std::string::npos)
        reasons += (reasons.empty() ? "" : " ") + m.justification;
    } else {
      statuses.push_back(m.status.empty() ? "not_assessed" : m.status);
    }
  }
  if (statuses.empty()) return {false, "", reasons, ApplicabilityBasis::mapped_requirements};

  const auto all = [&](auto pred) { return std::all_of(statuses.begin(), statuses.end(), pred); };
  std::string implementation = "partly_met";
  if (all([](const std::string& s) { return s == "met"; }))
    implementation = "met";
  else if (all([](const std::string& s) { return s == "not_assessed"; }))
    implementation = "not_assessed";
  else if (all([](const std::string& s) { return s == "not_met" || s == "not_assessed"; }))
    implementation = "not_met";
  return {true, implementation, "", ApplicabilityBasis::mapped_requirements};
}

}  // namespace tillit
