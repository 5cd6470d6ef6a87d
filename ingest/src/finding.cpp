#include "tillit/ingest/finding.h"

namespace tillit::ingest {

const char* to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::package: return "package";
    case FindingKind::network: return "network";
    case FindingKind::code: return "code";
    case FindingKind::configuration: return "configuration";
  }
  return "package";
}

void Finding::clear() {
  kind = FindingKind::package;
  tool.clear();
  asset.clear();
  component.clear();
  component_version.clear();
  package_type.clear();
  purl.clear();
  location.path.clear();
  location.line = 0;
  location.port.clear();
  location.protocol.clear();
  location.service.clear();
  vulnerability_id.clear();
  aliases.clear();
  cwes.clear();
  rule_id.clear();
  tool_fingerprint.clear();
  cvss.clear();
  rejected_cvss.clear();
  tool_severity.clear();
  severity = SeverityBand::unknown;
  title.clear();
  description.clear();
  evidence.clear();
  solution.clear();
  fixed_versions.clear();
  references.clear();
  status.clear();
  analysis.state.clear();
  analysis.justification.clear();
  analysis.responses.clear();
  analysis.detail.clear();
  fingerprint.clear();
}

}  // namespace tillit::ingest
