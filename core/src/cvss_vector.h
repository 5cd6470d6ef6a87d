// Internal to core: the METRIC:VALUE syntax shared by every CVSS version. Each version
// describes its metrics as a table of MetricSpec (in specification order), and the parser returns
// for each metric the index of the chosen value, so the scoring code indexes weight arrays that
// sit beside the value lists instead of comparing strings.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/cvss.h"

namespace tillit::cvss_detail {

inline constexpr int kAbsent = -1;

struct MetricSpec {
  std::string_view key;
  // Allowed values in the order of the scoring code's weight arrays; empty entries end the list.
  std::array<std::string_view, 6> values;
  bool mandatory;
  std::string_view not_defined = "X";  // the value meaning "not defined" ("ND" in v2), if any
};

// For each spec (same index), the index of its value in MetricSpec::values, or kAbsent.
using MetricChoice = std::vector<int>;

// Parses "K:V/K:V/..." (the part after the version prefix). `version_label` ("CVSS 3.1")
// goes into the messages.
Result<MetricChoice> parse_metrics(std::string_view body, std::span<const MetricSpec> specs,
                                   std::string_view version_label);

// prefix + the chosen metrics in spec order, skipping absent and not-defined values.
std::string normalized_vector(std::string_view prefix, std::span<const MetricSpec> specs, const MetricChoice& choice);

// True if any of specs[first, last) has a value other than absent / not defined.
bool any_defined(std::span<const MetricSpec> specs, const MetricChoice& choice, std::size_t first, std::size_t last);

Result<CvssScore> score_cvss3(std::string_view version, std::string_view body);
Result<CvssScore> score_cvss4(std::string_view body);

}  // namespace tillit::cvss_detail
