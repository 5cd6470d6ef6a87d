// A finding's stable identity: the same vulnerability on the same thing gets the same
// fingerprint in every import, whichever tool reported it where the data allows, so that
// re-imports find what is new, unchanged, closed or reopened.
//
// Recipes (the hashed text is shown by fingerprint_key()):
//   package        vulnerability + component + asset. The vulnerability is its CVE when the
//                  report gives one (as id or alias), so Grype's GHSA with a related CVE
//                  meets Trivy's CVE. The component is its bare package name (the last part
//                  of "group:artifact", "github.com/org/module" or "@scope/name", lower case,
//                  runs of "-_." as one "-"), because tools spell names differently (Trivy
//                  "org.apache.tomcat:tomcat-catalina", Grype "tomcat-catalina"). The version
//                  is left out: upgrading to a still-vulnerable version is the same finding.
//   network        the tool's check (plugin or NVT id) + asset + port/protocol. A network
//                  check covers several CVEs at once, so the check is the thing to track.
//   code           rule + file + asset + the tool's own occurrence fingerprint when it gives
//                  one (SARIF partialFingerprints, which survive line shifts). Line numbers
//                  are left out: they move with every unrelated edit above the finding, which
//                  would close and reopen it on each scan. Without a tool fingerprint, all
//                  matches of one rule in one file are one finding (fixing the file fixes it).
//   configuration  rule + resource (Trivy target) + asset.
// Asset, path and ids are compared case-insensitively except paths (file systems differ).
// Findings of one report may share a fingerprint (one package in two lockfiles); the
// importer merges them.
#pragma once

#include <string>
#include <string_view>

#include "tillit/ingest/finding.h"

namespace tillit::ingest {

// 32 lower-case hex digits: the first 128 bits of SHA-256 over fingerprint_key(finding).
// Pure: depends on the finding's fields only.
std::string fingerprint(const Finding& finding);

// The canonical text that is hashed, "tillit-finding/1\n<kind>\n..." (for tests and for
// explaining why two findings match).
std::string fingerprint_key(const Finding& finding);

// The pieces, exposed for tests.
std::string vulnerability_key(const Finding& finding);  // "CVE-2021-44228"
std::string component_key(std::string_view name, std::string_view purl);  // "tomcat-catalina"

}  // namespace tillit::ingest
