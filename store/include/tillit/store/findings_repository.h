// Vulnerability findings, the scanner imports that reported them and their status history
// (migration 5). Runs inside the caller's transaction: an import is one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

struct ScanImportRecord {
  std::int64_t id = 0;
  std::string tool, tool_version, format, file_sha256, scope, asset_override, scan_time;
  std::string imported_at, imported_by;
  std::int64_t findings = 0, new_count = 0, unchanged_count = 0, closed_count = 0, reopened_count = 0;
};
Result<std::int64_t> insert_scan_import(Transaction& tx, const ScanImportRecord& r);
// Sets the report facts known only at the end (tool, version, scan time) and the counts.
Status finish_scan_import(Transaction& tx, const ScanImportRecord& r);
Result<std::vector<ScanImportRecord>> list_scan_imports(Transaction& tx, std::int64_t limit, std::int64_t offset);
Result<std::int64_t> count_scan_imports(Transaction& tx);

struct FindingRecord {
  std::int64_t id = 0;
  std::string scope, fingerprint, kind, tool, asset, component, component_version, purl, location;
  std::string vulnerability_id;
  std::string identifiers;  // JSON array of strings
  std::string cvss;         // JSON array of {vector, version, source, score}
  std::optional<std::int64_t> highest_score;  // tenths
  std::string tool_severity, severity, title, description, fix_version;
  std::string reference_urls;  // JSON array of strings
  std::string status;
  std::string first_seen, last_seen, known_at, due_at, fixed_at;  // "" for none
  std::int64_t first_import = 0, last_import = 0;
  std::optional<std::int64_t> closed_by_import;
  std::string mitigation_kind, mitigation, accepted_until, approved_by;
};

// What an import needs to know about a fingerprint already stored in the scope.
struct FindingMatch {
  std::int64_t id = 0;
  std::string status;
  std::int64_t last_import = 0;
  std::string identifiers, cvss, reference_urls, known_at;
};
Result<std::optional<FindingMatch>> match_finding(Transaction& tx, const std::string& scope,
                                                  const std::string& fingerprint);
Result<std::int64_t> insert_finding(Transaction& tx, const FindingRecord& f);
// A finding seen again: every reported field, last_seen/last_import, and the given status,
// known_at, due_at and fixed_at (a regression reopens).
Status update_seen_finding(Transaction& tx, const FindingRecord& f);

// Findings of `scope` that `import_id` did not report and that were still to be handled:
// each gets a history row, then status fixed, fixed_at and closed_by_import. Returns how many.
Result<std::int64_t> close_unreported(Transaction& tx, const std::string& scope, std::int64_t import_id,
                                      const std::string& at, const std::string& actor);

struct FindingHistoryRecord {
  std::int64_t id = 0, finding_id = 0;
  std::string at, actor, from_status, to_status, reason;
  std::optional<std::int64_t> import_id;
};
Status insert_finding_history(Transaction& tx, const FindingHistoryRecord& h);
Result<std::vector<FindingHistoryRecord>> finding_history(Transaction& tx, std::int64_t finding_id);

struct FindingFilter {
  std::vector<std::string> statuses;    // any of these; empty: every status
  std::vector<std::string> severities;  // any of these; empty: every severity
  std::string asset;                    // exact; empty: any
  std::string scope;                    // exact; empty: any
  std::string overdue_at;               // RFC 3339 now: only findings due before it; empty: no filter
  std::int64_t limit = -1;              // -1: all
  std::int64_t offset = 0;
};
// Most urgent first: earliest due date, then highest score, then id.
Status for_each_finding(Transaction& tx, const FindingFilter& filter,
                        const std::function<bool(const FindingRecord&)>& on_finding);
Result<std::int64_t> count_findings(Transaction& tx, const FindingFilter& filter);
Result<std::optional<FindingRecord>> find_finding(Transaction& tx, std::int64_t id);
// Writes the workflow fields: status, fixed_at, known_at, due_at, mitigation, acceptance.
Status update_finding_workflow(Transaction& tx, const FindingRecord& f);
// Ids of findings accepted or marked false positive whose acceptance ended before `now`.
Result<std::vector<std::int64_t>> expired_acceptances(Transaction& tx, const std::string& now);

}  // namespace tillit::store
