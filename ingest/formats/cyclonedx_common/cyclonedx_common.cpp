#include "cyclonedx_common/cyclonedx_common.h"

#include "identifiers.h"

namespace tillit::ingest::cyclonedx {

std::string cvss_vector(std::string_view method, std::string_view vector) {
  vector = trim(vector);
  if (vector.empty()) return {};
  std::string_view prefix;
  if (equals_ci(method, "CVSSv2")) {
    prefix = "";
  } else if (equals_ci(method, "CVSSv3")) {
    prefix = "CVSS:3.0/";
  } else if (equals_ci(method, "CVSSv31")) {
    prefix = "CVSS:3.1/";
  } else if (equals_ci(method, "CVSSv4")) {
    prefix = "CVSS:4.0/";
  } else if (!starts_with_ci(vector, "CVSS:")) {
    return {};  // OWASP, SSVC, other: not CVSS
  }
  if (starts_with_ci(vector, "CVSS:") || prefix.empty()) return std::string(vector);
  return std::string(prefix) + std::string(vector);
}

void SeverityChoice::add(std::string_view rating_source, std::string_view severity, std::string_view score) {
  severity = trim(severity);
  score = trim(score);
  if (!severity.empty()) {
    if (from_source_.empty() && !source_.empty() && equals_ci(trim(rating_source), source_)) from_source_ = severity;
    if (first_severity_.empty()) first_severity_ = severity;
  } else if (!score.empty() && first_score_.empty()) {
    first_score_ = score;
  }
}

void SeverityChoice::apply(Finding& finding) const {
  if (!from_source_.empty() || !first_severity_.empty()) {
    finding.tool_severity = !from_source_.empty() ? from_source_ : first_severity_;
    finding.severity = severity_band(SeverityScale::word, finding.tool_severity);
  } else if (!first_score_.empty()) {
    finding.tool_severity = first_score_;
    finding.severity = severity_band(SeverityScale::score, first_score_);
  }
}

void ComponentIndex::add(std::string_view bom_ref, Component component) {
  bom_ref = trim(bom_ref);
  if (bom_ref.empty() || by_ref_.size() >= kMaxComponents) return;
  by_ref_.insert_or_assign(std::string(bom_ref), std::move(component));
}

void ComponentIndex::resolve(std::string_view ref, Finding& finding) const {
  ref = trim(ref);
  if (const auto it = by_ref_.find(std::string(ref)); it != by_ref_.end()) {
    const Component& c = it->second;
    finding.component = c.name;
    finding.component_version = c.version;
    finding.purl = c.purl;
    finding.package_type.clear();
    if (finding.purl.empty() && !parse_purl(ref).name.empty()) finding.purl = ref;
    // The package type says more ("maven", "deb") than the component type ("library").
    if (finding.purl.empty()) finding.package_type = c.type;
  } else if (const Purl purl = parse_purl(ref); !purl.name.empty()) {
    finding.component = percent_decode(purl.name);
    finding.component_version = percent_decode(purl.version);
    finding.purl = ref;
    finding.package_type = percent_decode(purl.type);
  } else {
    finding.component = ref;
    finding.component_version.clear();
    finding.purl.clear();
    finding.package_type.clear();
  }
  if (finding.package_type.empty() && !finding.purl.empty()) {
    finding.package_type = percent_decode(parse_purl(finding.purl).type);
  }
}

}  // namespace tillit::ingest::cyclonedx
