// CVSS v4.0 scoring by the macrovector method of the FIRST specification (section 8): the
// effective metric values (modified metrics override base ones; E, CR, IR, AR default to their
// worst case), the EQ1..EQ6 classes, the macrovector's published score, and the interpolation
// toward the next-lower macrovectors by the vector's severity distance from its class's
// highest-severity vectors. The floating-point steps follow the reference calculator's order
// of operations, so results are the same to the last bit before the final rounding.
#include <algorithm>
#include <cmath>

#include "cvss4_tables.h"
#include "cvss_vector.h"

namespace tillit::cvss_detail {
namespace {

enum Metric : std::size_t {
  AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA,                      // base
  E,                                                               // threat
  CR, IR, AR, MAV, MAC, MAT, MPR, MUI, MVC, MVI, MVA, MSC, MSI, MSA,  // environmental
  S, AU, R, V, RE, U,                                              // supplemental (no effect on the score)
  kMetricCount
};

constexpr MetricSpec kMetrics[] = {
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"AT", {"N", "P"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "P", "A"}, true},
    {"VC", {"H", "L", "N"}, true},
    {"VI", {"H", "L", "N"}, true},
    {"VA", {"H", "L", "N"}, true},
    {"SC", {"H", "L", "N"}, true},
    {"SI", {"H", "L", "N"}, true},
    {"SA", {"H", "L", "N"}, true},
    {"E", {"X", "A", "P", "U"}, false},
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MAT", {"X", "N", "P"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "P", "A"}, false},
    {"MVC", {"X", "H", "L", "N"}, false},
    {"MVI", {"X", "H", "L", "N"}, false},
    {"MVA", {"X", "H", "L", "N"}, false},
    {"MSC", {"X", "H", "L", "N"}, false},
    {"MSI", {"X", "S", "H", "L", "N"}, false},  // S: Safety, only as a modified metric
    {"MSA", {"X", "S", "H", "L", "N"}, false},
    {"S", {"X", "N", "P"}, false},
    {"AU", {"X", "N", "Y"}, false},
    {"R", {"X", "A", "U", "I"}, false},
    {"V", {"X", "D", "C"}, false},
    {"RE", {"X", "L", "M", "H"}, false},
    {"U", {"X", "Clear", "Green", "Amber", "Red"}, false},
};
static_assert(std::size(kMetrics) == kMetricCount);

// The values scoring works with, as metric letters.
struct Effective {
  char av, ac, at, pr, ui, vc, vi, va, sc, si, sa, e, cr, ir, ar;
};

Effective effective_values(const MetricChoice& choice) {
  auto letter = [&](Metric m) -> char {
    return choice[m] == kAbsent ? 'X' : kMetrics[m].values[static_cast<std::size_t>(choice[m])][0];
  };
  auto modified_or_base = [&](Metric modified, Metric base) {
    const char v = letter(modified);
    return v == 'X' ? letter(base) : v;
  };
  auto or_default = [&](Metric m, char fallback) {
    const char v = letter(m);
    return v == 'X' ? fallback : v;
  };
  return {modified_or_base(MAV, AV), modified_or_base(MAC, AC), modified_or_base(MAT, AT),
          modified_or_base(MPR, PR), modified_or_base(MUI, UI), modified_or_base(MVC, VC),
          modified_or_base(MVI, VI), modified_or_base(MVA, VA), modified_or_base(MSC, SC),
          modified_or_base(MSI, SI), modified_or_base(MSA, SA), or_default(E, 'A'),
          or_default(CR, 'H'),       or_default(IR, 'H'),       or_default(AR, 'H')};
}

Macrovector macrovector_of(const Effective& v) {
  Macrovector mv{};
  if (v.av == 'N' && v.pr == 'N' && v.ui == 'N')
    mv.eq1 = 0;
  else if ((v.av == 'N' || v.pr == 'N' || v.ui == 'N') && v.av != 'P')
    mv.eq1 = 1;
  else
    mv.eq1 = 2;
  mv.eq2 = v.ac == 'L' && v.at == 'N' ? 0 : 1;
  if (v.vc == 'H' && v.vi == 'H')
    mv.eq3 = 0;
  else if (v.vc == 'H' || v.vi == 'H' || v.va == 'H')
    mv.eq3 = 1;
  else
    mv.eq3 = 2;
  if (v.si == 'S' || v.sa == 'S')
    mv.eq4 = 0;
  else if (v.sc == 'H' || v.si == 'H' || v.sa == 'H')
    mv.eq4 = 1;
  else
    mv.eq4 = 2;
  mv.eq5 = v.e == 'A' ? 0 : v.e == 'P' ? 1 : 2;
  mv.eq6 = (v.cr == 'H' && v.vc == 'H') || (v.ir == 'H' && v.vi == 'H') || (v.ar == 'H' && v.va == 'H') ? 0 : 1;
  return mv;
}

// Severity levels in the reference calculator's units (multiples of 0.1, as the same literals).
double level_av(char v) { return v == 'N' ? 0.0 : v == 'A' ? 0.1 : v == 'L' ? 0.2 : 0.3; }
double level_pr(char v) { return v == 'N' ? 0.0 : v == 'L' ? 0.1 : 0.2; }
double level_ui(char v) { return v == 'N' ? 0.0 : v == 'P' ? 0.1 : 0.2; }
double level_ac(char v) { return v == 'L' ? 0.0 : 0.1; }
double level_at(char v) { return v == 'N' ? 0.0 : 0.1; }
double level_vulnerable(char v) { return v == 'H' ? 0.0 : v == 'L' ? 0.1 : 0.2; }
double level_subsequent(char v) { return v == 'S' ? 0.0 : v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3; }
double level_requirement(char v) { return v == 'H' ? 0.0 : v == 'M' ? 0.1 : 0.2; }

// The vector's distance from one highest-severity vector, metric by metric.
struct Distances {
  double av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar;
  bool any_negative() const {
    for (double d : {av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar})
      if (d < 0) return true;
    return false;
  }
};

// Distances from the first highest-severity vector (in the calculator's order) that the
// vector does not exceed in any metric; if it exceeds all of them, from the last one (as the
// reference calculator does).
Distances severity_distances(const Effective& v, const Macrovector& mv) {
  Distances d{};
  for (const auto& m1 : eq1_maxima(mv.eq1))
    for (const auto& m2 : eq2_maxima(mv.eq2))
      for (const auto& m36 : eq3eq6_maxima(mv.eq3, mv.eq6))
        for (const auto& m4 : eq4_maxima(mv.eq4)) {
          d = {level_av(v.av) - level_av(m1.av),
               level_pr(v.pr) - level_pr(m1.pr),
               level_ui(v.ui) - level_ui(m1.ui),
               level_ac(v.ac) - level_ac(m2.ac),
               level_at(v.at) - level_at(m2.at),
               level_vulnerable(v.vc) - level_vulnerable(m36.vc),
               level_vulnerable(v.vi) - level_vulnerable(m36.vi),
               level_vulnerable(v.va) - level_vulnerable(m36.va),
               level_subsequent(v.sc) - level_subsequent(m4.sc),
               level_subsequent(v.si) - level_subsequent(m4.si),
               level_subsequent(v.sa) - level_subsequent(m4.sa),
               level_requirement(v.cr) - level_requirement(m36.cr),
               level_requirement(v.ir) - level_requirement(m36.ir),
               level_requirement(v.ar) - level_requirement(m36.ar)};
          if (!d.any_negative()) return d;
        }
  return d;
}

// Rounds half up to one decimal after lifting the value by 1e-6, as FIRST's calculator does
// (Math.round((value + 1e-6) * 10) / 10): the interpolation can land one ulp below an x.x5 tie
// (5.6499999999999995 for 5.65), which must round up. Math.round's tie-up is done exactly.
int round_to_tenths(double value) {
  const double scaled = (value + 1e-6) * 10.0;
  const double whole = std::floor(scaled);
  return static_cast<int>(whole) + (scaled - whole >= 0.5 ? 1 : 0);
}

int score_tenths(const Effective& v) {
  if (v.vc == 'N' && v.vi == 'N' && v.va == 'N' && v.sc == 'N' && v.si == 'N' && v.sa == 'N') return 0;
  const Macrovector mv = macrovector_of(v);
  double value = macrovector_score(mv);

  auto lower = [&](int d1, int d2, int d3, int d4, int d5, int d6) {
    return macrovector_score({mv.eq1 + d1, mv.eq2 + d2, mv.eq3 + d3, mv.eq4 + d4, mv.eq5 + d5, mv.eq6 + d6});
  };
  const double eq1_next = lower(1, 0, 0, 0, 0, 0);
  const double eq2_next = lower(0, 1, 0, 0, 0, 0);
  double eq3eq6_next = 0;
  if (mv.eq3 == 0 && mv.eq6 == 0) {
    // Two next-lower macrovectors (both always exist); the higher one counts.
    const double left = lower(0, 0, 0, 0, 0, 1);
    const double right = lower(0, 0, 1, 0, 0, 0);
    eq3eq6_next = left > right ? left : right;
  } else if (mv.eq6 == 1 && mv.eq3 <= 1) {
    eq3eq6_next = lower(0, 0, 1, 0, 0, 0);
  } else if (mv.eq3 == 1 && mv.eq6 == 0) {
    eq3eq6_next = lower(0, 0, 0, 0, 0, 1);
  } else {
    eq3eq6_next = lower(0, 0, 1, 0, 0, 1);  // none exists
  }
  const double eq4_next = lower(0, 0, 0, 1, 0, 0);
  const double eq5_next = lower(0, 0, 0, 0, 1, 0);

  const Distances d = severity_distances(v, mv);
  const double current_eq1 = d.av + d.pr + d.ui;
  const double current_eq2 = d.ac + d.at;
  const double current_eq3eq6 = d.vc + d.vi + d.va + d.cr + d.ir + d.ar;
  const double current_eq4 = d.sc + d.si + d.sa;

  constexpr double kStep = 0.1;
  int existing_lower = 0;
  // Each class moves the score toward its next-lower macrovector by the share of the class's
  // depth that the vector lies below the class's highest severity; NaN (no lower) is skipped.
  auto normalized = [&](double available, double current, double depth) {
    if (std::isnan(available)) return 0.0;
    ++existing_lower;
    return available * (current / depth);
  };
  const double n1 = normalized(value - eq1_next, current_eq1, eq1_depth(mv.eq1) * kStep);
  const double n2 = normalized(value - eq2_next, current_eq2, eq2_depth(mv.eq2) * kStep);
  const double n3 = normalized(value - eq3eq6_next, current_eq3eq6, eq3eq6_depth(mv.eq3, mv.eq6) * kStep);
  const double n4 = normalized(value - eq4_next, current_eq4, eq4_depth(mv.eq4) * kStep);
  // EQ5 has a single value per class, so the vector is always at its top: distance 0.
  const double n5 = normalized(value - eq5_next, 0.0, 1.0);
  const double mean = existing_lower == 0 ? 0.0 : (n1 + n2 + n3 + n4 + n5) / existing_lower;
  value = std::min(10.0, std::max(0.0, value - mean));
  return round_to_tenths(value);
}

}  // namespace

Result<CvssScore> score_cvss4(std::string_view body) {
  auto parsed = parse_metrics(body, kMetrics, "CVSS 4.0");
  if (!parsed) return parsed.error();
  CvssScore out;
  out.version = "4.0";
  out.base = score_tenths(effective_values(*parsed));
  out.score = out.base;
  out.severity = cvss_severity(out.score);
  out.vector = normalized_vector("CVSS:4.0/", kMetrics, *parsed);
  return out;
}

}  // namespace tillit::cvss_detail
