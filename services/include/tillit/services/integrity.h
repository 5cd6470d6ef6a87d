// `tillit verify`: the installation checks itself (annex req. 26) -- the database's own
// consistency check and the audit chain (evidence files' SHA-256 once they exist) -- and can
// write the result as a report signed with the installation's Ed25519 audit signing key, so
// the report itself is evidence the customer can check against the published fingerprint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tillit/services/audit_service.h"
#include "tillit/services/installation.h"

namespace tillit::services {

struct IntegrityReport {
  std::string installation_id;
  std::string checked_at;
  std::string backend;
  std::string database_check;  // "ok" or what the back end found
  VerifyReport audit;
  std::vector<std::string> problems;  // empty: everything checked out
  bool ok() const { return problems.empty(); }
};

// Runs every check; a check that cannot run is itself a problem in the report, not an error,
// so one broken part never hides the others. Records "integrity.verify" (when the database
// still takes writes).
Result<IntegrityReport> check_integrity(Installation& inst, const Actor& actor);

nlohmann::json integrity_report_json(const IntegrityReport& report);
std::string integrity_report_text(const IntegrityReport& report);

// {"report": {...}, "signed_by": "SHA256:...", "signature": base64(Ed25519 over the report's
// compact JSON)} on one line.
std::string signed_integrity_report(const Installation& inst, const IntegrityReport& report);
// Checks a signed report against the signer's public key fingerprint; returns the report.
Result<nlohmann::json> verify_signed_integrity_report(std::string_view text, std::string_view public_key_pem,
                                                       std::string_view expected_fingerprint);

}  // namespace tillit::services
