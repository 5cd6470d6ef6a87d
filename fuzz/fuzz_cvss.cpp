// fuzz_cvss: score_cvss (core), which reads CVSS vectors from catalogue findings, the API and
// `tillit cvss`. Invariants: a rejection is invalid_argument with a message; an accepted vector
// has every score within 0.0-10.0, a severity matching the score's band (checked here against
// the bands themselves, not through cvss_severity), a normalized vector with the version's
// prefix, and re-scoring the normalized vector gives the same result and the same vector.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tillit/core/cvss.h"

namespace {

using tillit::CvssScore;
using tillit::CvssSeverity;
using tillit::fuzz::show;

CvssSeverity band(int tenths) {
  if (tenths == 0) return CvssSeverity::none;
  if (tenths <= 39) return CvssSeverity::low;
  if (tenths <= 69) return CvssSeverity::medium;
  if (tenths <= 89) return CvssSeverity::high;
  return CvssSeverity::critical;
}

bool in_range(int tenths) { return tenths >= 0 && tenths <= 100; }

std::string describe(const CvssScore& s) {
  return s.version + " base " + std::to_string(s.base) + " temporal " + std::to_string(s.temporal.value_or(-1)) +
         " environmental " + std::to_string(s.environmental.value_or(-1)) + " score " + std::to_string(s.score) +
         " vector " + show(s.vector);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = tillit::fuzz::as_text(data, size);
  const auto scored = tillit::score_cvss(text);
  if (!scored) {
    FUZZ_CHECK(scored.error().code == tillit::ErrorCode::invalid_argument);
    FUZZ_CHECK_MSG(!scored.error().message.empty(), "empty message for " + show(text));
    return 0;
  }
  const CvssScore& s = *scored;
  const std::string detail = show(text) + " -> " + describe(s);
  FUZZ_CHECK_MSG(in_range(s.base) && in_range(s.score), detail);
  FUZZ_CHECK_MSG(!s.temporal || in_range(*s.temporal), detail);
  FUZZ_CHECK_MSG(!s.environmental || in_range(*s.environmental), detail);
  FUZZ_CHECK_MSG(s.severity == band(s.score), detail);
  FUZZ_CHECK_MSG(std::string_view(tillit::to_string(s.severity)) == tillit::to_string(band(s.score)), detail);

  if (s.version == "3.0" || s.version == "3.1") {
    FUZZ_CHECK_MSG(s.temporal && s.environmental, detail);
    FUZZ_CHECK_MSG(s.score == s.base || s.score == *s.temporal || s.score == *s.environmental, detail);
    FUZZ_CHECK_MSG(*s.temporal <= s.base, detail);  // temporal factors are all <= 1
    FUZZ_CHECK_MSG(s.vector.starts_with("CVSS:" + s.version + "/"), detail);
  } else if (s.version == "4.0" || s.version == "2.0") {
    FUZZ_CHECK_MSG(!s.temporal && !s.environmental && s.score == s.base, detail);
    FUZZ_CHECK_MSG(s.version == "2.0" || s.vector.starts_with("CVSS:4.0/"), detail);
  } else {
    FUZZ_CHECK_MSG(false, "unknown version: " + detail);
  }

  // The normalized vector is what gets stored and shown: it must score identically.
  const auto again = tillit::score_cvss(s.vector);
  FUZZ_CHECK_MSG(again.ok(), detail + " but the normalized vector is rejected: " + (again ? "" : again.error().message));
  FUZZ_CHECK_MSG(again->version == s.version && again->base == s.base && again->temporal == s.temporal &&
                     again->environmental == s.environmental && again->score == s.score &&
                     again->severity == s.severity && again->vector == s.vector,
                 detail + " but re-scored as " + describe(*again));
  return 0;
}
