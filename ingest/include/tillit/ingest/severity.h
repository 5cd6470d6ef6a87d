// Severity bands for findings that carry no CVSS vector. The annex sets deadlines by CVSS
// score; when a report gives no vector, the tool's own severity (a word, a 0-10 number or a
// level) is the best evidence there is, so it is mapped onto the same bands.
#pragma once

#include <string_view>

namespace tillit::ingest {

// The CVSS qualitative bands plus `unknown` for a severity the tool did not give or that
// Tillit cannot read. Ordered: a higher value is more severe (unknown lowest).
enum class SeverityBand { unknown, none, low, medium, high, critical };

const char* to_string(SeverityBand band);  // "unknown", "none", "low", "medium", "high", "critical"

// How a tool writes its severity.
enum class SeverityScale {
  // A word, case-insensitive: critical; high, important; medium, moderate; low, negligible,
  // unimportant; none, info, informational, log, debug; unknown, unspecified. Trivy, Grype,
  // OSV, CycloneDX, Nessus risk_factor and OpenVAS threat all use these.
  word,
  // A number from 0.0 to 10.0 on the CVSS bands: OpenVAS severity, SARIF security-severity,
  // OSV-Scanner max_severity.
  score,
  // Nessus ReportItem severity attribute: 0 info, 1 low, 2 medium, 3 high, 4 critical.
  nessus_level,
  // SARIF result level: error -> high, warning -> medium, note -> low, none -> none (the
  // mapping GitHub code scanning uses for results without security-severity).
  sarif_level,
};

// Anything that does not fit the scale (empty, unknown word, number out of range) is
// `unknown`: a finding is never silently rated lower than it may be.
SeverityBand severity_band(SeverityScale scale, std::string_view value);

}  // namespace tillit::ingest
