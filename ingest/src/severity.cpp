#include "tillit/ingest/severity.h"

#include <charconv>
#include <cmath>

#include "identifiers.h"
#include "tillit/core/cvss.h"

namespace tillit::ingest {
namespace {

SeverityBand from_word(std::string_view word) {
  struct Entry {
    std::string_view word;
    SeverityBand band;
  };
  // Every tool's vocabulary in one table. "negligible" and "unimportant" (Debian, Grype)
  // are real vulnerabilities with little risk: low, so they stay on the backlog the annex
  // asks for instead of disappearing as "none".
  static constexpr Entry kWords[] = {
      {"critical", SeverityBand::critical},  {"high", SeverityBand::high},
      {"important", SeverityBand::high},     {"medium", SeverityBand::medium},
      {"moderate", SeverityBand::medium},    {"low", SeverityBand::low},
      {"negligible", SeverityBand::low},     {"unimportant", SeverityBand::low},
      {"none", SeverityBand::none},          {"info", SeverityBand::none},
      {"informational", SeverityBand::none}, {"log", SeverityBand::none},
      {"debug", SeverityBand::none},         {"unknown", SeverityBand::unknown},
      {"unspecified", SeverityBand::unknown},
  };
  for (const auto& entry : kWords) {
    if (equals_ci(word, entry.word)) return entry.band;
  }
  return SeverityBand::unknown;
}

SeverityBand from_score(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0.0 && value <= 10.0)) {
    return SeverityBand::unknown;
  }
  const int tenths = static_cast<int>(std::lround(value * 10));
  switch (cvss_severity(tenths)) {
    case CvssSeverity::none: return SeverityBand::none;
    case CvssSeverity::low: return SeverityBand::low;
    case CvssSeverity::medium: return SeverityBand::medium;
    case CvssSeverity::high: return SeverityBand::high;
    case CvssSeverity::critical: return SeverityBand::critical;
  }
  return SeverityBand::unknown;
}

SeverityBand from_nessus_level(std::string_view level) {
  if (level.size() != 1) return SeverityBand::unknown;
  switch (level[0]) {
    case '0': return SeverityBand::none;
    case '1': return SeverityBand::low;
    case '2': return SeverityBand::medium;
    case '3': return SeverityBand::high;
    case '4': return SeverityBand::critical;
    default: return SeverityBand::unknown;
  }
}

SeverityBand from_sarif_level(std::string_view level) {
  if (equals_ci(level, "error")) return SeverityBand::high;
  if (equals_ci(level, "warning")) return SeverityBand::medium;
  if (equals_ci(level, "note")) return SeverityBand::low;
  if (equals_ci(level, "none")) return SeverityBand::none;
  return SeverityBand::unknown;
}

}  // namespace

const char* to_string(SeverityBand band) {
  switch (band) {
    case SeverityBand::unknown: return "unknown";
    case SeverityBand::none: return "none";
    case SeverityBand::low: return "low";
    case SeverityBand::medium: return "medium";
    case SeverityBand::high: return "high";
    case SeverityBand::critical: return "critical";
  }
  return "unknown";
}

SeverityBand severity_band(SeverityScale scale, std::string_view value) {
  value = trim(value);
  switch (scale) {
    case SeverityScale::word: return from_word(value);
    case SeverityScale::score: return from_score(value);
    case SeverityScale::nessus_level: return from_nessus_level(value);
    case SeverityScale::sarif_level: return from_sarif_level(value);
  }
  return SeverityBand::unknown;
}

}  // namespace tillit::ingest
