// Vulnerability findings (annex: vulnerabilities, req. 14): scanner reports imported into
// findings with the annex's severity and remediation deadline, listed, and moved through the
// workflow open -> in_progress -> mitigated -> fixed (or accepted for a limited time).
//
// Import. A report is streamed through ingest::parse_report inside ONE write transaction: a
// malformed report, a failing database or a crash leaves the database exactly as before, and
// the error names the report's line and path. Findings are unique per scope by fingerprint
// (ingest/fingerprint.h); duplicates within one report are merged. A scope is what a scan
// covers; importing it again closes what it no longer reports (fixed, verified by the scan)
// and reopens what was fixed and is back (a regression, known again from that scan). The
// default scope is "<tool>:<asset>" for a report about one asset (a scan by one tool is no
// evidence that another tool's finding is gone); give the same --scope to two tools to merge
// their findings. A report about several assets needs --scope. One audit event per import.
//
// Severity and deadline come from core/remediation.h with the annex catalogue's table: the
// highest CVSS 3.x/4.0 score (v2 is for display), else the tool's own severity. The deadline
// runs from known_at (first seen, editable with a reason).
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/core/remediation.h"
#include "tillit/ingest/source.h"
#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/findings_repository.h"

namespace tillit::services {

struct ImportOptions {
  std::string format;  // "" detects it; else an ingest format name ("trivy", "sarif", ...)
  std::string asset;   // replaces the asset every finding names
  std::string scope;   // "" for the default (see above)
};

struct ImportSummary {
  store::ScanImportRecord record;  // id, tool, version, format, SHA-256, scope and the counts
  std::int64_t duplicates = 0;     // findings merged into one already reported by this import
  std::int64_t rejected_vectors = 0;
};

nlohmann::json to_json(const store::ScanImportRecord& r);

// The annex's four kinds of mitigation when no fix is available.
const std::vector<std::string>& mitigation_kinds();  // disable_service, security_controls,
                                                    // monitoring, awareness
const std::vector<std::string>& finding_statuses();  // open, in_progress, mitigated, fixed,
                                                    // risk_accepted, false_positive

struct FindingQuery {
  std::vector<std::string> statuses, severities;
  std::string asset, scope;
  bool overdue = false;
  std::int64_t page = 1, per_page = 50;  // per_page 0: all
};

struct FindingView {
  store::FindingRecord record;
  bool overdue = false;
  std::vector<store::FindingHistoryRecord> history;  // filled by get
};
// `detail`: description, references, history and the workflow fields as well.
nlohmann::json to_json(const FindingView& f, bool detail);

struct StatusChange {
  std::string status;           // the new status
  std::string reason;           // why: evidence of a fix, the mitigation, the justification
  std::string mitigation_kind;  // mitigated: one of mitigation_kinds()
  std::string requested_by;     // risk_accepted / false_positive: the user name who asked
  std::string until;            // risk_accepted / false_positive: RFC 3339 expiry, at most a year ahead
};

class FindingService {
 public:
  explicit FindingService(Installation& inst, TimeSource clock = now_utc);

  Result<ImportSummary> import(const Actor& actor, ingest::ByteSource& report, const ImportOptions& options);
  Result<std::vector<store::ScanImportRecord>> imports(const Actor& actor, std::int64_t page, std::int64_t per_page,
                                                       std::int64_t* total);

  // Most urgent first. `total` (when given) receives the count without paging.
  Result<std::vector<FindingView>> list(const Actor& actor, const FindingQuery& query, std::int64_t* total = nullptr);
  Result<FindingView> get(const Actor& actor, std::int64_t id);

  // The workflow. open <-> in_progress -> mitigated -> fixed; fixed by hand needs evidence;
  // mitigated names a kind and describes it; risk_accepted / false_positive are decided by a
  // holder of findings_accept for a different person's request, with a justification and an
  // expiry after which the finding reopens. Any closed finding may be reopened with a reason.
  Result<FindingView> change_status(const Actor& actor, std::int64_t id, const StatusChange& change);
  // Moves the date the vulnerability became known (and so the deadline), with a reason.
  Result<FindingView> set_known_at(const Actor& actor, std::int64_t id, const std::string& known_at,
                                   const std::string& reason);
  // Reopens accepted risks and false positives whose acceptance has expired; returns how
  // many. Imports run it too.
  Result<std::int64_t> reopen_expired(const Actor& actor);

 private:
  Installation& inst_;
  TimeSource clock_;
  RemediationPolicy policy_;
};

}  // namespace tillit::services
