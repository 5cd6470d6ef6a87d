// CVSS v3.0 and v3.1: base, temporal and environmental equations of the FIRST specifications
// (v3.0 section 8, v3.1 section 7 and Appendix A). The two versions differ only in Roundup
// and in the environmental ModifiedImpact for a changed scope.
#include <algorithm>
#include <cmath>

#include "cvss_vector.h"

namespace tillit {

int cvss31_roundup_tenths(double value) {
  // Specification Appendix A: work on the value rounded to 5 decimals, as an integer.
  const auto int_input = static_cast<long long>(std::llround(value * 100000.0));
  if (int_input % 10000 == 0) return static_cast<int>(int_input / 10000);
  return static_cast<int>(int_input / 10000 + 1);
}

int cvss30_roundup_tenths(double value) {
  // v3.0 defines Roundup as the plain ceiling to one decimal of the exact decimal result. In
  // double, a result that is exactly x.x in decimal can come out a few ulp above it and a bare
  // ceil would add 0.1 (it does for 2074 of the 6.7 million v3.x environmental combinations,
  // e.g. 9.2 -> 9.3); dropping noise below 1e-9 first makes all of them match an exact
  // (128-bit) evaluation, and no exact v3.0 value lies that close above a boundary.
  return static_cast<int>(std::ceil(value * 10.0 - 1e-9));
}

namespace cvss_detail {
namespace {

// Metric indexes in kMetrics (specification order).
enum Metric : std::size_t {
  AV, AC, PR, UI, S, C, I, A,  // base
  E, RL, RC,                   // temporal
  CR, IR, AR, MAV, MAC, MPR, MUI, MS, MC, MI, MA,  // environmental
  kMetricCount
};

constexpr MetricSpec kMetrics[] = {
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "R"}, true},
    {"S", {"U", "C"}, true},
    {"C", {"H", "L", "N"}, true},
    {"I", {"H", "L", "N"}, true},
    {"A", {"H", "L", "N"}, true},
    {"E", {"X", "H", "F", "P", "U"}, false},
    {"RL", {"X", "U", "W", "T", "O"}, false},
    {"RC", {"X", "C", "R", "U"}, false},
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    // Modified base metrics: X, then the base metric's values in the same order.
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "R"}, false},
    {"MS", {"X", "U", "C"}, false},
    {"MC", {"X", "H", "L", "N"}, false},
    {"MI", {"X", "H", "L", "N"}, false},
    {"MA", {"X", "H", "L", "N"}, false},
};
static_assert(std::size(kMetrics) == kMetricCount);

// Weights, indexed like the value lists above.
constexpr double kAttackVector[] = {0.85, 0.62, 0.55, 0.2};
constexpr double kAttackComplexity[] = {0.77, 0.44};
constexpr double kPrivilegesScopeUnchanged[] = {0.85, 0.62, 0.27};
constexpr double kPrivilegesScopeChanged[] = {0.85, 0.68, 0.5};
constexpr double kUserInteraction[] = {0.85, 0.62};
constexpr double kImpact[] = {0.56, 0.22, 0.0};
constexpr double kExploitMaturity[] = {1.0, 1.0, 0.97, 0.94, 0.91};
constexpr double kRemediationLevel[] = {1.0, 1.0, 0.97, 0.96, 0.95};
constexpr double kReportConfidence[] = {1.0, 1.0, 0.96, 0.92};
constexpr double kRequirement[] = {1.0, 1.5, 1.0, 0.5};

constexpr int kScopeChanged = 1;  // index of "C" in S

struct Chosen {
  const MetricChoice& c;
  int operator[](Metric m) const { return c[m] == kAbsent ? 0 : c[m]; }  // absent optional = X
  // A modified metric's value as an index into its base metric's list; X means "as the base".
  int modified(Metric modified_metric, Metric base_metric) const {
    const int v = (*this)[modified_metric];
    return v == 0 ? (*this)[base_metric] : v - 1;
  }
};

}  // namespace

Result<CvssScore> score_cvss3(std::string_view version, std::string_view body) {
  const bool v31 = version == "3.1";
  auto parsed = parse_metrics(body, kMetrics, v31 ? "CVSS 3.1" : "CVSS 3.0");
  if (!parsed) return parsed.error();
  const Chosen m{*parsed};
  const auto roundup = v31 ? cvss31_roundup_tenths : cvss30_roundup_tenths;

  // Base.
  const bool scope_changed = m[S] == kScopeChanged;
  const double impact_subscore = 1 - (1 - kImpact[m[C]]) * (1 - kImpact[m[I]]) * (1 - kImpact[m[A]]);
  const double impact = scope_changed ? 7.52 * (impact_subscore - 0.029) - 3.25 * std::pow(impact_subscore - 0.02, 15)
                                      : 6.42 * impact_subscore;
  const double privileges = (scope_changed ? kPrivilegesScopeChanged : kPrivilegesScopeUnchanged)[m[PR]];
  const double exploitability =
      8.22 * kAttackVector[m[AV]] * kAttackComplexity[m[AC]] * privileges * kUserInteraction[m[UI]];
  int base = 0;
  if (impact > 0)
    base = scope_changed ? roundup(std::min(1.08 * (impact + exploitability), 10.0))
                         : roundup(std::min(impact + exploitability, 10.0));

  // Temporal.
  const double temporal_factor = kExploitMaturity[m[E]] * kRemediationLevel[m[RL]] * kReportConfidence[m[RC]];
  const int temporal = roundup(base / 10.0 * temporal_factor);

  // Environmental.
  const bool modified_scope_changed = m.modified(MS, S) == kScopeChanged;
  const double modified_impact_subscore =
      std::min(1 - (1 - kRequirement[m[CR]] * kImpact[m.modified(MC, C)]) *
                       (1 - kRequirement[m[IR]] * kImpact[m.modified(MI, I)]) *
                       (1 - kRequirement[m[AR]] * kImpact[m.modified(MA, A)]),
               0.915);
  double modified_impact = 6.42 * modified_impact_subscore;
  if (modified_scope_changed) {
    modified_impact = v31 ? 7.52 * (modified_impact_subscore - 0.029) -
                                3.25 * std::pow(modified_impact_subscore * 0.9731 - 0.02, 13)
                          : 7.52 * (modified_impact_subscore - 0.029) - 3.25 * std::pow(modified_impact_subscore - 0.02, 15);
  }
  const double modified_privileges =
      (modified_scope_changed ? kPrivilegesScopeChanged : kPrivilegesScopeUnchanged)[m.modified(MPR, PR)];
  const double modified_exploitability = 8.22 * kAttackVector[m.modified(MAV, AV)] *
                                         kAttackComplexity[m.modified(MAC, AC)] * modified_privileges *
                                         kUserInteraction[m.modified(MUI, UI)];
  int environmental = 0;
  if (modified_impact > 0) {
    const int modified_base =
        modified_scope_changed ? roundup(std::min(1.08 * (modified_impact + modified_exploitability), 10.0))
                               : roundup(std::min(modified_impact + modified_exploitability, 10.0));
    environmental = roundup(modified_base / 10.0 * temporal_factor);
  }

  CvssScore out;
  out.version = std::string(version);
  out.base = base;
  out.temporal = temporal;
  out.environmental = environmental;
  out.score = any_defined(kMetrics, *parsed, CR, kMetricCount) ? environmental
              : any_defined(kMetrics, *parsed, E, CR)          ? temporal
                                                               : base;
  out.severity = cvss_severity(out.score);
  out.vector = normalized_vector("CVSS:" + std::string(version) + "/", kMetrics, *parsed);
  return out;
}

}  // namespace cvss_detail
}  // namespace tillit
