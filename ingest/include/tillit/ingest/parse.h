// Reading a scanner report: detect its format (or take the one named), then stream it,
// handing each finding to a callback as soon as it is complete. Memory stays flat whatever
// the report's size; a malformed report is rejected with the line, column and JSON/XML path
// of the first problem.
//
// Threading: every function here may be called from several threads at once; one call
// reads one source.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"
#include "tillit/ingest/finding.h"
#include "tillit/ingest/source.h"

namespace tillit::ingest {

struct ParseOptions {
  std::string format;  // a registry name ("trivy", "cyclonedx-xml"); empty: detect from the first bytes
  // Replaces the asset every finding names (`tillit import --asset NAME` on a report about
  // one system).
  std::string asset_override;
  // The asset of findings whose report names none (SARIF without repository, OSV-Scanner).
  // A finding without any asset is an error that asks for one.
  std::string default_asset;
};

struct ParseSummary {
  ReportHeader header;
  std::size_t findings = 0;          // findings handed to the callback
  std::size_t rejected_vectors = 0;  // CVSS vectors kept in Finding::rejected_cvss
};

// Called once per finding, in report order. The finding is only valid during the call (the
// parser reuses it): copy what you keep. An error stops the parse, and parse_report returns
// that error unchanged.
using FindingCallback = std::function<Status(const Finding&)>;

// Errors: invalid_argument for a report that is malformed or of no known format (the message
// names the place and the supported formats), unavailable when the source cannot be read, or
// whatever the callback returned.
Result<ParseSummary> parse_report(ByteSource& input, const ParseOptions& options,
                                  const FindingCallback& on_finding);

struct FormatInfo {
  std::string_view name;         // "trivy"
  std::string_view description;  // "Trivy JSON (schema 2, pre-0.20 list, Kubernetes)"
};

// Every format, in the order detection tries them.
std::vector<FormatInfo> supported_formats();

// The format of a report from its first bytes (a few KiB are enough; 64 KiB are read).
// invalid_argument, listing the supported formats, when none recognises it.
Result<std::string> detect_format(std::string_view head);

}  // namespace tillit::ingest
