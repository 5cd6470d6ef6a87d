// Internal to core: CVSS v4.0 data tables (cvss4_tables.cpp) used by the scoring in cvss4.cpp.
#pragma once

#include <vector>

namespace tillit::cvss_detail {

struct Macrovector {
  int eq1, eq2, eq3, eq4, eq5, eq6;
};

// The published score of a macrovector, or NaN if there is none (a class index out of range,
// as the "next lower" macrovector of the lowest class is, or EQ3 = 2 with EQ6 = 0).
double macrovector_score(const Macrovector& mv);

// The highest-severity vectors of each class, as metric letters.
struct Eq1Max { char av, pr, ui; };
struct Eq2Max { char ac, at; };
struct Eq3Eq6Max { char vc, vi, va, cr, ir, ar; };
struct Eq4Max { char sc, si, sa; };

const std::vector<Eq1Max>& eq1_maxima(int eq1);
const std::vector<Eq2Max>& eq2_maxima(int eq2);
const std::vector<Eq3Eq6Max>& eq3eq6_maxima(int eq3, int eq6);
const std::vector<Eq4Max>& eq4_maxima(int eq4);

// Each class's depth (FIRST's max_severity), in steps of 0.1.
int eq1_depth(int eq1);
int eq2_depth(int eq2);
int eq3eq6_depth(int eq3, int eq6);
int eq4_depth(int eq4);

}  // namespace tillit::cvss_detail
