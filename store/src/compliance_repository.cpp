#include "tillit/store/compliance_repository.h"

namespace tillit::store {
namespace {

constexpr const char* kAssessmentColumns =
    "catalog_id, requirement_id, status, justification, owner, how_met, links, deviation, deviation_due, "
    "next_review, updated_at, updated_by, revision";

AssessmentRecord assessment_of(const Row& r) {
  return {r.text(0), r.text(1), r.text(2),  r.text(3),  r.text(4),  r.text(5),   r.text(6),
          r.text(7), r.text(8), r.text(9),  r.text(10), r.text(11), r.integer(12)};
}

constexpr const char* kEvidenceColumns =
    "id, title, description, valid_until, created_at, created_by, updated_at, updated_by";

EvidenceRecord evidence_of(const Row& r, std::size_t first = 0) {
  return {r.integer(first),      r.text(first + 1), r.text(first + 2), r.text(first + 3),
          r.text(first + 4),     r.text(first + 5), r.text(first + 6), r.text(first + 7)};
}

constexpr const char* kVersionColumns =
    "id, evidence_id, version, file_name, media_type, size_bytes, sha256, wrapped_key, chunk_size, chunk_count, "
    "uploaded_at, uploaded_by";

EvidenceVersionRecord version_of(const Row& r) {
  return {r.integer(0), r.integer(1), r.integer(2), r.text(3),    r.text(4),  r.integer(5),
          r.text(6),    r.text(7),    r.integer(8), r.integer(9), r.text(10), r.text(11)};
}

}  // namespace

Result<std::optional<AssessmentRecord>> find_assessment(Transaction& tx, const std::string& catalog_id,
                                                        const std::string& requirement_id) {
  auto rows = tx.query(std::string("SELECT ") + kAssessmentColumns +
                           " FROM requirement_assessments WHERE catalog_id = ? AND requirement_id = ?",
                       {catalog_id, requirement_id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AssessmentRecord>{};
  return std::optional<AssessmentRecord>{assessment_of(rows->front())};
}

Status save_assessment(Transaction& tx, const AssessmentRecord& a) {
  return tx.exec(
      "INSERT INTO requirement_assessments (catalog_id, requirement_id, status, justification, owner, how_met, links, "
      "deviation, deviation_due, next_review, updated_at, updated_by, revision) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (catalog_id, requirement_id) DO UPDATE SET status = excluded.status, "
      "justification = excluded.justification, owner = excluded.owner, how_met = excluded.how_met, "
      "links = excluded.links, deviation = excluded.deviation, deviation_due = excluded.deviation_due, "
      "next_review = excluded.next_review, updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
      "revision = excluded.revision",
      {a.catalog_id, a.requirement_id, a.status, a.justification, a.owner, a.how_met, a.links, a.deviation,
       nullable(a.deviation_due), nullable(a.next_review), a.updated_at, a.updated_by, a.revision});
}

Result<std::vector<AssessmentRecord>> list_assessments(Transaction& tx, const std::string& catalog_id) {
  std::string sql = std::string("SELECT ") + kAssessmentColumns + " FROM requirement_assessments";
  Params params;
  if (!catalog_id.empty()) {
    sql += " WHERE catalog_id = ?";
    params.emplace_back(catalog_id);
  }
  auto rows = tx.query(sql + " ORDER BY catalog_id, requirement_id", params);
  if (!rows) return rows.error();
  std::vector<AssessmentRecord> out;
  for (const auto& r : *rows) out.push_back(assessment_of(r));
  return out;
}

Status insert_assessment_history(Transaction& tx, const AssessmentHistoryRecord& h) {
  return tx.exec(
      "INSERT INTO assessment_history (catalog_id, requirement_id, revision, at, actor, before_state, after_state) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {h.catalog_id, h.requirement_id, h.revision, h.at, h.actor, nullable(h.before_state), h.after_state});
}

Result<std::vector<AssessmentHistoryRecord>> assessment_history(Transaction& tx, const std::string& catalog_id,
                                                                const std::string& requirement_id) {
  auto rows = tx.query(
      "SELECT id, catalog_id, requirement_id, revision, at, actor, before_state, after_state FROM assessment_history "
      "WHERE catalog_id = ? AND requirement_id = ? ORDER BY id",
      {catalog_id, requirement_id});
  if (!rows) return rows.error();
  std::vector<AssessmentHistoryRecord> out;
  for (const auto& r : *rows)
    out.push_back({r.integer(0), r.text(1), r.text(2), r.integer(3), r.text(4), r.text(5), r.text(6), r.text(7)});
  return out;
}

Result<std::int64_t> insert_evidence(Transaction& tx, const EvidenceRecord& e) {
  auto rows = tx.query(
      "INSERT INTO evidence (title, description, valid_until, created_at, created_by, updated_at, updated_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {e.title, e.description, nullable(e.valid_until), e.created_at, e.created_by, e.updated_at, e.updated_by});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status update_evidence(Transaction& tx, const EvidenceRecord& e) {
  return tx.exec("UPDATE evidence SET title = ?, description = ?, valid_until = ?, updated_at = ?, updated_by = ? "
                 "WHERE id = ?",
                 {e.title, e.description, nullable(e.valid_until), e.updated_at, e.updated_by, e.id});
}

Result<std::optional<EvidenceRecord>> find_evidence(Transaction& tx, std::int64_t id) {
  auto rows = tx.query(std::string("SELECT ") + kEvidenceColumns + " FROM evidence WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<EvidenceRecord>{};
  return std::optional<EvidenceRecord>{evidence_of(rows->front())};
}

Result<std::vector<EvidenceRecord>> list_evidence(Transaction& tx, std::int64_t limit, std::int64_t offset) {
  auto rows = tx.query(std::string("SELECT ") + kEvidenceColumns + " FROM evidence ORDER BY id DESC LIMIT ? OFFSET ?",
                       {limit, offset});
  if (!rows) return rows.error();
  std::vector<EvidenceRecord> out;
  for (const auto& r : *rows) out.push_back(evidence_of(r));
  return out;
}

Result<std::int64_t> count_evidence(Transaction& tx) {
  auto rows = tx.query("SELECT COUNT(*) FROM evidence");
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::int64_t> next_evidence_version(Transaction& tx, std::int64_t evidence_id) {
  auto rows = tx.query("SELECT COALESCE(MAX(version), 0) + 1 FROM evidence_versions WHERE evidence_id = ?", {evidence_id});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::int64_t> insert_evidence_version(Transaction& tx, const EvidenceVersionRecord& v) {
  auto rows = tx.query(
      "INSERT INTO evidence_versions (evidence_id, version, file_name, media_type, size_bytes, sha256, wrapped_key, "
      "chunk_size, chunk_count, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {v.evidence_id, v.version, v.file_name, v.media_type, v.size_bytes, v.sha256, v.wrapped_key, v.chunk_size,
       v.chunk_count, v.uploaded_at, v.uploaded_by});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status finish_evidence_version(Transaction& tx, const EvidenceVersionRecord& v) {
  return tx.exec("UPDATE evidence_versions SET size_bytes = ?, sha256 = ?, wrapped_key = ?, chunk_count = ? WHERE id = ?",
                 {v.size_bytes, v.sha256, v.wrapped_key, v.chunk_count, v.id});
}

Result<std::optional<EvidenceVersionRecord>> find_evidence_version(Transaction& tx, std::int64_t evidence_id,
                                                                   std::int64_t version) {
  auto rows = tx.query(std::string("SELECT ") + kVersionColumns +
                           " FROM evidence_versions WHERE evidence_id = ? AND version = ?",
                       {evidence_id, version});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<EvidenceVersionRecord>{};
  return std::optional<EvidenceVersionRecord>{version_of(rows->front())};
}

Result<std::vector<EvidenceVersionRecord>> evidence_versions(Transaction& tx, std::int64_t evidence_id) {
  auto rows = tx.query(std::string("SELECT ") + kVersionColumns +
                           " FROM evidence_versions WHERE evidence_id = ? ORDER BY version DESC",
                       {evidence_id});
  if (!rows) return rows.error();
  std::vector<EvidenceVersionRecord> out;
  for (const auto& r : *rows) out.push_back(version_of(r));
  return out;
}

Status insert_evidence_chunk(Transaction& tx, std::int64_t version_id, std::int64_t index, const std::string& sealed) {
  return tx.exec("INSERT INTO evidence_chunks (version_id, chunk_index, sealed) VALUES (?, ?, ?)",
                 {version_id, index, sealed});
}

Status for_each_evidence_chunk(Transaction& tx, std::int64_t version_id,
                               const std::function<Status(std::int64_t index, const std::string& sealed)>& on_chunk) {
  Status inner;
  auto s = tx.for_each("SELECT chunk_index, sealed FROM evidence_chunks WHERE version_id = ? ORDER BY chunk_index",
                       {version_id}, [&](const Row& r) {
                         inner = on_chunk(r.integer(0), r.text(1));
                         return static_cast<bool>(inner);
                       });
  if (!s) return s;
  return inner;
}

Result<bool> insert_evidence_link(Transaction& tx, const EvidenceLinkRecord& l) {
  auto rows = tx.query(
      "INSERT INTO evidence_links (evidence_id, target_type, target_id, linked_at, linked_by) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (evidence_id, target_type, target_id) DO NOTHING RETURNING evidence_id",
      {l.evidence_id, l.target_type, l.target_id, l.linked_at, l.linked_by});
  if (!rows) return rows.error();
  return !rows->empty();
}

Result<bool> delete_evidence_link(Transaction& tx, std::int64_t evidence_id, const std::string& target_type,
                                  const std::string& target_id) {
  auto rows = tx.query(
      "DELETE FROM evidence_links WHERE evidence_id = ? AND target_type = ? AND target_id = ? RETURNING evidence_id",
      {evidence_id, target_type, target_id});
  if (!rows) return rows.error();
  return !rows->empty();
}

Result<std::vector<EvidenceLinkRecord>> evidence_links(Transaction& tx, std::int64_t evidence_id) {
  auto rows = tx.query(
      "SELECT evidence_id, target_type, target_id, linked_at, linked_by FROM evidence_links WHERE evidence_id = ? "
      "ORDER BY target_type, target_id",
      {evidence_id});
  if (!rows) return rows.error();
  std::vector<EvidenceLinkRecord> out;
  for (const auto& r : *rows) out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4)});
  return out;
}

Result<std::vector<LinkedEvidence>> evidence_linked_to(Transaction& tx, const std::string& target_type,
                                                       const std::vector<std::string>& target_ids) {
  std::vector<LinkedEvidence> out;
  if (target_ids.empty()) return out;
  std::string sql =
      "SELECT l.evidence_id, l.target_type, l.target_id, l.linked_at, l.linked_by, e.id, e.title, e.description, "
      "e.valid_until, e.created_at, e.created_by, e.updated_at, e.updated_by FROM evidence_links l "
      "JOIN evidence e ON e.id = l.evidence_id WHERE l.target_type = ? AND l.target_id IN (";
  Params params{target_type};
  for (std::size_t i = 0; i < target_ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(target_ids[i]);
  }
  auto rows = tx.query(sql + ") ORDER BY l.evidence_id, l.target_id", params);
  if (!rows) return rows.error();
  for (const auto& r : *rows)
    out.push_back({{r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4)}, evidence_of(r, 5)});
  return out;
}

}  // namespace tillit::store
