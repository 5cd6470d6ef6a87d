// What CycloneDX JSON and XML share: the vocabulary of ratings (method -> CVSS version
// prefix), the choice of the tool's severity among several ratings, and the index from a
// component's bom-ref to its name, version and purl, which vulnerabilities refer to.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "tillit/ingest/finding.h"

namespace tillit::ingest::cyclonedx {

// The vector with the CVSS prefix the rating's method implies: CycloneDX keeps the version in
// `method` (CVSSv3, CVSSv31, CVSSv4, CVSSv2) and tools often write the vector without its
// "CVSS:3.1/" prefix. Empty for ratings that are not CVSS (OWASP, SSVC, other).
std::string cvss_vector(std::string_view method, std::string_view vector);

// Picks the tool's severity among a vulnerability's ratings: the rating from the
// vulnerability's own source if it has a severity, else the first with a severity, else the
// first score. Feed every rating, then apply().
class SeverityChoice {
 public:
  explicit SeverityChoice(std::string_view vulnerability_source) : source_(vulnerability_source) {}
  void add(std::string_view rating_source, std::string_view severity, std::string_view score);
  void apply(Finding& finding) const;

 private:
  std::string source_;
  std::string from_source_, first_severity_, first_score_;
};

struct Component {
  std::string name, version, purl, type;
};

// bom-ref -> component. Grows with the components of the BOM, not with its findings, and
// stops growing at kMaxComponents (far beyond real BOMs), so a hostile BOM cannot use it to
// exhaust memory; refs past that are read as purls.
class ComponentIndex {
 public:
  void add(std::string_view bom_ref, Component component);
  // Fills the finding's component fields for `ref`: the indexed component, else what a
  // purl says, else the ref itself as the name.
  void resolve(std::string_view ref, Finding& finding) const;

  static constexpr std::size_t kMaxComponents = 1'000'000;

 private:
  std::unordered_map<std::string, Component> by_ref_;
};

}  // namespace tillit::ingest::cyclonedx
