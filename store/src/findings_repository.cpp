#include "tillit/store/findings_repository.h"

namespace tillit::store {
namespace {

constexpr const char* kImportColumns =
    "id, tool, tool_version, format, file_sha256, scope, asset_override, scan_time, imported_at, imported_by, "
    "findings, new_count, unchanged_count, closed_count, reopened_count";

ScanImportRecord import_of(const Row& r) {
  return {r.integer(0),  r.text(1),    r.text(2),     r.text(3),     r.text(4),     r.text(5),
          r.text(6),     r.text(7),    r.text(8),     r.text(9),     r.integer(10), r.integer(11),
          r.integer(12), r.integer(13), r.integer(14)};
}

constexpr const char* kFindingColumns =
    "id, scope, fingerprint, kind, tool, asset, component, component_version, purl, location, vulnerability_id, "
    "identifiers, cvss, highest_score, tool_severity, severity, title, description, fix_version, reference_urls, "
    "status, first_seen, last_seen, known_at, due_at, fixed_at, first_import, last_import, closed_by_import, "
    "mitigation_kind, mitigation, accepted_until, approved_by";

FindingRecord finding_of(const Row& r) {
  FindingRecord f;
  f.id = r.integer(0);
  f.scope = r.text(1);
  f.fingerprint = r.text(2);
  f.kind = r.text(3);
  f.tool = r.text(4);
  f.asset = r.text(5);
  f.component = r.text(6);
  f.component_version = r.text(7);
  f.purl = r.text(8);
  f.location = r.text(9);
  f.vulnerability_id = r.text(10);
  f.identifiers = r.text(11);
  f.cvss = r.text(12);
  if (!r.is_null(13)) f.highest_score = r.integer(13);
  f.tool_severity = r.text(14);
  f.severity = r.text(15);
  f.title = r.text(16);
  f.description = r.text(17);
  f.fix_version = r.text(18);
  f.reference_urls = r.text(19);
  f.status = r.text(20);
  f.first_seen = r.text(21);
  f.last_seen = r.text(22);
  f.known_at = r.text(23);
  f.due_at = r.text(24);
  f.fixed_at = r.text(25);
  f.first_import = r.integer(26);
  f.last_import = r.integer(27);
  if (!r.is_null(28)) f.closed_by_import = r.integer(28);
  f.mitigation_kind = r.text(29);
  f.mitigation = r.text(30);
  f.accepted_until = r.text(31);
  f.approved_by = r.text(32);
  return f;
}

// WHERE clause and parameters of a filter (only the conditions asked for, so neither engine
// has to infer the type of an unused parameter).
std::string where(const FindingFilter& f, Params& params) {
  std::string sql = " WHERE 1 = 1";
  auto any_of = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql += std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(values[i]);
    }
    sql += ")";
  };
  any_of("status", f.statuses);
  any_of("severity", f.severities);
  if (!f.asset.empty()) {
    sql += " AND asset = ?";
    params.emplace_back(f.asset);
  }
  if (!f.scope.empty()) {
    sql += " AND scope = ?";
    params.emplace_back(f.scope);
  }
  if (!f.overdue_at.empty()) {
    // RFC 3339 UTC with milliseconds sorts as text in time order.
    sql += " AND due_at IS NOT NULL AND due_at < ? AND status IN ('open', 'in_progress')";
    params.emplace_back(f.overdue_at);
  }
  return sql;
}

}  // namespace

Result<std::int64_t> insert_scan_import(Transaction& tx, const ScanImportRecord& r) {
  auto rows = tx.query(
      "INSERT INTO scan_imports (tool, tool_version, format, file_sha256, scope, asset_override, scan_time, "
      "imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {r.tool, r.tool_version, r.format, r.file_sha256, r.scope, nullable(r.asset_override), nullable(r.scan_time),
       r.imported_at, r.imported_by});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status finish_scan_import(Transaction& tx, const ScanImportRecord& r) {
  return tx.exec(
      "UPDATE scan_imports SET tool = ?, tool_version = ?, format = ?, file_sha256 = ?, scan_time = ?, findings = ?, "
      "new_count = ?, unchanged_count = ?, closed_count = ?, reopened_count = ? WHERE id = ?",
      {r.tool, r.tool_version, r.format, r.file_sha256, nullable(r.scan_time), r.findings, r.new_count,
       r.unchanged_count, r.closed_count, r.reopened_count, r.id});
}

Result<std::vector<ScanImportRecord>> list_scan_imports(Transaction& tx, std::int64_t limit, std::int64_t offset) {
  std::vector<ScanImportRecord> out;
  auto s = tx.for_each(std::string("SELECT ") + kImportColumns + " FROM scan_imports ORDER BY id DESC LIMIT ? OFFSET ?",
                       {limit, offset}, [&](const Row& r) {
                         out.push_back(import_of(r));
                         return true;
                       });
  if (!s) return s.error();
  return out;
}

Result<std::int64_t> count_scan_imports(Transaction& tx) {
  auto rows = tx.query("SELECT COUNT(*) FROM scan_imports");
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::optional<FindingMatch>> match_finding(Transaction& tx, const std::string& scope,
                                                  const std::string& fingerprint) {
  std::optional<FindingMatch> match;
  auto s = tx.for_each(
      "SELECT id, status, last_import, identifiers, cvss, reference_urls, known_at FROM findings "
      "WHERE scope = ? AND fingerprint = ?",
      {scope, fingerprint}, [&](const Row& r) {
        match = FindingMatch{r.integer(0), r.text(1), r.integer(2), r.text(3), r.text(4), r.text(5), r.text(6)};
        return false;
      });
  if (!s) return s.error();
  return match;
}

Result<std::int64_t> insert_finding(Transaction& tx, const FindingRecord& f) {
  auto rows = tx.query(
      "INSERT INTO findings (scope, fingerprint, kind, tool, asset, component, component_version, purl, location, "
      "vulnerability_id, identifiers, cvss, highest_score, tool_severity, severity, title, description, fix_version, "
      "reference_urls, status, first_seen, last_seen, known_at, due_at, first_import, last_import) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {f.scope, f.fingerprint, f.kind, f.tool, f.asset, f.component, f.component_version, f.purl, f.location,
       f.vulnerability_id, f.identifiers, f.cvss, nullable(f.highest_score), f.tool_severity, f.severity, f.title,
       f.description, f.fix_version, f.reference_urls, f.status, f.first_seen, f.last_seen, f.known_at,
       nullable(f.due_at), f.first_import, f.last_import});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status update_seen_finding(Transaction& tx, const FindingRecord& f) {
  return tx.exec(
      "UPDATE findings SET kind = ?, tool = ?, component_version = ?, purl = ?, location = ?, identifiers = ?, "
      "cvss = ?, highest_score = ?, tool_severity = ?, severity = ?, title = ?, description = ?, fix_version = ?, "
      "reference_urls = ?, status = ?, last_seen = ?, known_at = ?, due_at = ?, fixed_at = ?, last_import = ?, "
      "closed_by_import = ? WHERE id = ?",
      {f.kind, f.tool, f.component_version, f.purl, f.location, f.identifiers, f.cvss, nullable(f.highest_score),
       f.tool_severity, f.severity, f.title, f.description, f.fix_version, f.reference_urls, f.status, f.last_seen,
       f.known_at, nullable(f.due_at), nullable(f.fixed_at), f.last_import, nullable(f.closed_by_import), f.id});
}

Result<std::int64_t> close_unreported(Transaction& tx, const std::string& scope, std::int64_t import_id,
                                      const std::string& at, const std::string& actor) {
  // A false positive stays one whether or not the tool still reports it; everything else
  // that was still to be handled is fixed, verified by this scan.
  const std::string still_open = "scope = ? AND last_import <> ? AND status IN ('open', 'in_progress', 'mitigated', "
                                 "'risk_accepted')";
  if (auto s = tx.exec("INSERT INTO finding_history (finding_id, at, actor, from_status, to_status, reason, import_id) "
                       "SELECT id, ?, ?, status, 'fixed', 'not reported by a later scan of the scope', ? FROM findings "
                       "WHERE " + still_open,
                       {at, actor, import_id, scope, import_id});
      !s)
    return s.error();
  // Counted row by row: a scope of a million findings must not become a million rows in memory.
  std::int64_t closed = 0;
  auto s = tx.for_each("UPDATE findings SET status = 'fixed', fixed_at = ?, closed_by_import = ? WHERE " + still_open +
                           " RETURNING id",
                       {at, import_id, scope, import_id}, [&](const Row&) {
                         ++closed;
                         return true;
                       });
  if (!s) return s.error();
  return closed;
}

Status insert_finding_history(Transaction& tx, const FindingHistoryRecord& h) {
  return tx.exec(
      "INSERT INTO finding_history (finding_id, at, actor, from_status, to_status, reason, import_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {h.finding_id, h.at, h.actor, nullable(h.from_status), h.to_status, h.reason, nullable(h.import_id)});
}

Result<std::vector<FindingHistoryRecord>> finding_history(Transaction& tx, std::int64_t finding_id) {
  std::vector<FindingHistoryRecord> out;
  auto s = tx.for_each(
      "SELECT id, finding_id, at, actor, from_status, to_status, reason, import_id FROM finding_history "
      "WHERE finding_id = ? ORDER BY id",
      {finding_id}, [&](const Row& r) {
        FindingHistoryRecord h{r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), {}};
        if (!r.is_null(7)) h.import_id = r.integer(7);
        out.push_back(std::move(h));
        return true;
      });
  if (!s) return s.error();
  return out;
}

Status for_each_finding(Transaction& tx, const FindingFilter& filter,
                        const std::function<bool(const FindingRecord&)>& on_finding) {
  Params params;
  std::string sql = std::string("SELECT ") + kFindingColumns + " FROM findings" + where(filter, params) +
                    " ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, "
                    "CASE WHEN highest_score IS NULL THEN 1 ELSE 0 END, highest_score DESC, id";
  if (filter.limit >= 0) {
    sql += " LIMIT ? OFFSET ?";
    params.emplace_back(filter.limit);
    params.emplace_back(filter.offset);
  }
  return tx.for_each(sql, params, [&](const Row& r) { return on_finding(finding_of(r)); });
}

Result<std::int64_t> count_findings(Transaction& tx, const FindingFilter& filter) {
  Params params;
  auto rows = tx.query("SELECT COUNT(*) FROM findings" + where(filter, params), params);
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::optional<FindingRecord>> find_finding(Transaction& tx, std::int64_t id) {
  std::optional<FindingRecord> out;
  auto s = tx.for_each(std::string("SELECT ") + kFindingColumns + " FROM findings WHERE id = ?", {id},
                       [&](const Row& r) {
                         out = finding_of(r);
                         return false;
                       });
  if (!s) return s.error();
  return out;
}

Status update_finding_workflow(Transaction& tx, const FindingRecord& f) {
  return tx.exec(
      "UPDATE findings SET status = ?, fixed_at = ?, known_at = ?, due_at = ?, mitigation_kind = ?, mitigation = ?, "
      "accepted_until = ?, approved_by = ? WHERE id = ?",
      {f.status, nullable(f.fixed_at), f.known_at, nullable(f.due_at), nullable(f.mitigation_kind),
       nullable(f.mitigation), nullable(f.accepted_until), nullable(f.approved_by), f.id});
}

Result<std::vector<std::int64_t>> expired_acceptances(Transaction& tx, const std::string& now) {
  std::vector<std::int64_t> ids;
  auto s = tx.for_each(
      "SELECT id FROM findings WHERE status IN ('risk_accepted', 'false_positive') AND accepted_until IS NOT NULL "
      "AND accepted_until < ? ORDER BY id",
      {now}, [&](const Row& r) {
        ids.push_back(r.integer(0));
        return true;
      });
  if (!s) return s.error();
  return ids;
}

}  // namespace tillit::store
