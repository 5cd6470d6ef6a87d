// CVSS scores as FIRST specifies them, for the security annex's remediation deadlines
// (Critical/High 7 days, Medium 30 days, Low backlog).
//
// Supported vectors:
//   CVSS:3.0/... and CVSS:3.1/...  base, temporal and environmental scores (FIRST v3.0 / v3.1
//                                  specifications; v3.1 uses the specification's integer Roundup)
//   CVSS:4.0/...                   the single CVSS-B/BT/BE/BTE score by the macrovector method
//                                  (EQ1..EQ6, FIRST's lookup table, interpolation)
//   AV:N/AC:L/Au:N/C:P/I:P/A:P     CVSS v2 (no prefix), for display only: every base, temporal and
//                                  environmental metric is parsed and validated, but only the v2
//                                  BASE score is computed; `score` is that base score, rated
//                                  with the same bands (v2's own scale has no none/critical).
//
// Scores are kept in tenths (98 means 9.8): every CVSS score has exactly one decimal, and an
// integer makes comparisons and table boundaries exact. Metrics may appear in any order; the
// normalized vector lists them in the specification's order and drops "not defined" (X / ND).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tillit/core/result.h"

namespace tillit {

// The qualitative rating (same bands for v3.x and v4.0): none 0.0, low 0.1-3.9,
// medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0.
enum class CvssSeverity { none, low, medium, high, critical };

const char* to_string(CvssSeverity severity);  // "none", "low", "medium", "high", "critical"

// The band of a score given in tenths (0..100).
CvssSeverity cvss_severity(int tenths);

// "9.8" for 98, "10.0" for 100.
std::string format_cvss_tenths(int tenths);

struct CvssScore {
  std::string version;  // "2.0", "3.0", "3.1" or "4.0"
  int base = 0;         // tenths; for 4.0 the one score the vector defines
  // v3.x only: always computed, with unset metrics taken as Not Defined (as the specification
  // does), so environmental may differ from base even when no environmental metric is given.
  std::optional<int> temporal;
  std::optional<int> environmental;
  // The most specific score: for 3.x the environmental score if any environmental metric is
  // given, else the temporal score if any temporal metric is given, else the base score; for
  // 4.0 the single score; for 2.0 the base score.
  int score = 0;
  CvssSeverity severity = CvssSeverity::none;  // of `score`
  std::string vector;  // normalized: prefix, metrics in specification order, no X / ND values
};

// Parses and scores a vector. Errors are invalid_argument and name the metric at fault, e.g.
// "metric 'AV' is missing", "'AV:Q' is not a valid value for AV (use N, A, L or P)",
// "metric 'AV' appears twice", "unknown metric 'XX' in a CVSS 3.1 vector",
// "unsupported CVSS version prefix 'CVSS:5.0' ...".
Result<CvssScore> score_cvss(std::string_view vector);

// v3.1's Roundup (specification Appendix A): the smallest one-decimal number >= value, after
// rounding value to 5 decimals so that floating-point noise never adds 0.1. In tenths.
int cvss31_roundup_tenths(double value);
// v3.0's Roundup: plain ceiling to one decimal, ignoring representation noise below 1e-9
// (see cvss3.cpp). In tenths.
int cvss30_roundup_tenths(double value);

}  // namespace tillit
