// A scanner finding in Tillit's own terms, whatever tool reported it, and the header of the
// report it came from. Parsers fill these from Trivy, Grype, SARIF, OpenVAS, Nessus, OSV and
// CycloneDX reports (parse.h); the vulnerability service stores, scores and deduplicates them.
//
// Fields hold what the report says, as it says it (no scoring, no renaming of the tool's
// words), so a person can always trace a stored finding back to the line of the report.
#pragma once

#include <string>
#include <vector>

#include "tillit/ingest/severity.h"

namespace tillit::ingest {

// What a finding is about. It decides which fields identify the finding (fingerprint.h).
enum class FindingKind {
  package,        // a known vulnerability in an installed component (Trivy, Grype, OSV, CycloneDX)
  network,        // a check a network scanner ran against a host and port (OpenVAS, Nessus)
  code,           // a rule that matched in a source file (SARIF, Trivy secrets)
  configuration,  // a failed misconfiguration check on a resource (Trivy misconfigurations)
};

const char* to_string(FindingKind kind);  // "package", "network", "code", "configuration"

// A CVSS vector the report gives. Carried, not scored: scoring belongs to core/cvss.h and the
// service that applies the annex's table. The parser has checked that core can parse it.
struct CvssVector {
  std::string vector;   // as given, with a tool's own wrapping removed ("CVSS2#", "(...)") and
                        // the version prefix added where the format keeps it apart (CycloneDX)
  std::string version;  // "2.0", "3.0", "3.1" or "4.0", as core read it
  std::string source;   // who scored it, as the report names it ("nvd", "ghsa", "NVD"); may be empty
};

// A vector the report gives that core cannot parse. Kept so a person sees that the tool
// gave one (and why it is not used), never scored, never a reason to reject the report.
struct RejectedCvss {
  std::string vector;
  std::string source;
  std::string problem;  // core's message, e.g. "metric 'AV' is missing"
};

struct Location {
  std::string path;      // file: source file (code), lockfile or package path, Trivy target
  int line = 0;          // 1-based start line in `path`; 0 when not given. Display only:
                         // lines shift with unrelated edits, so they are not in the fingerprint
  std::string port;      // network: "443", "general"
  std::string protocol;  // network: "tcp", "udp"
  std::string service;   // network: the service the scanner saw on the port ("www")
};

// A VEX statement (CycloneDX vulnerabilities[].analysis), in CycloneDX's own words.
struct Analysis {
  std::string state;          // resolved, resolved_with_pedigree, exploitable, in_triage,
                              // false_positive, not_affected
  std::string justification;  // code_not_present, code_not_reachable, requires_configuration, ...
  std::vector<std::string> responses;  // can_not_fix, will_not_fix, update, rollback, workaround_available
  std::string detail;
};

struct Finding {
  FindingKind kind = FindingKind::package;
  std::string tool;  // the tool that reported it ("Trivy", "CodeQL", "Nessus")

  // Where. `asset` is the system the finding belongs to, as the report names it (image,
  // host, repository), or as the importer named it (ParseOptions); never empty.
  std::string asset;
  std::string component;          // package name
  std::string component_version;  // installed version
  std::string package_type;       // ecosystem or package type as the report names it ("debian", "npm")
  std::string purl;
  Location location;

  // What. At least one of vulnerability_id and rule_id is set.
  std::string vulnerability_id;       // the report's id for the vulnerability: CVE-..., GHSA-..., an OSV id
  std::vector<std::string> aliases;   // other ids of the same vulnerability (CVE for a GHSA, more CVEs a
                                      // network check covers); never repeats vulnerability_id
  std::vector<std::string> cwes;      // "CWE-79"
  std::string rule_id;                // the tool's own check: SARIF rule, Nessus plugin, OpenVAS NVT OID,
                                      // Trivy check id
  std::string tool_fingerprint;       // the tool's own stable id of this occurrence (SARIF
                                      // partialFingerprints); empty when not given

  std::vector<CvssVector> cvss;            // every parseable vector the report gives, in report order
  std::vector<RejectedCvss> rejected_cvss;

  std::string tool_severity;  // the tool's own severity as given ("HIGH", "Negligible", "9.8", "warning")
  SeverityBand severity = SeverityBand::unknown;  // tool_severity on the CVSS bands (severity.h)

  std::string title;
  std::string description;  // about the vulnerability or rule in general
  std::string evidence;     // what the tool saw in this place (Nessus plugin_output, a SARIF message)
  std::string solution;     // the tool's advice
  std::vector<std::string> fixed_versions;
  std::vector<std::string> references;  // URLs

  // The tool's own status for this finding in its words: Trivy "fixed", "will_not_fix",
  // "not_affected"; Grype "not-fixed"; OpenVAS "false_positive"; SARIF "suppressed".
  std::string status;
  Analysis analysis;  // CycloneDX VEX

  // Stable identity across imports and tools (fingerprint.h), set by the parser once the
  // asset is final.
  std::string fingerprint;

  // Empties every field (keeping string capacity, so a parser can reuse one Finding).
  void clear();
};

// Facts about the report as a whole. Known only once the report has been read: some tools
// write them last (Grype's descriptor follows its matches).
struct ReportHeader {
  std::string format;        // registry name: "trivy", "grype", "sarif", ...
  std::string tool_name;     // as the report names the tool ("Trivy", "grype", "CodeQL", "Nessus")
  std::string tool_version;  // empty when the report does not say
  std::string scan_time;     // as given (RFC 3339 for most tools); empty when not given
  std::string asset;         // the asset the report names as a whole, when it names one
};

}  // namespace tillit::ingest
