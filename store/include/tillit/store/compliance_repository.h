// Requirement assessments with their history, and evidence with its versions, encrypted
// chunks and links (migration 6; the table design is described in
// store/src/schema/compliance.cpp). Runs inside the caller's transaction.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

struct AssessmentRecord {
  std::string catalog_id, requirement_id;
  std::string status, justification, owner, how_met;
  std::string links;  // JSON array of {"type", "id"}
  std::string deviation, deviation_due, next_review;  // dates "" for none
  std::string updated_at, updated_by;
  std::int64_t revision = 0;
};
Result<std::optional<AssessmentRecord>> find_assessment(Transaction& tx, const std::string& catalog_id,
                                                        const std::string& requirement_id);
// Inserts or replaces the row of (catalog_id, requirement_id).
Status save_assessment(Transaction& tx, const AssessmentRecord& a);
// Every assessment of `catalog_id` ("" for all catalogues), by catalogue and requirement id.
Result<std::vector<AssessmentRecord>> list_assessments(Transaction& tx, const std::string& catalog_id);

struct AssessmentHistoryRecord {
  std::int64_t id = 0;
  std::string catalog_id, requirement_id;
  std::int64_t revision = 0;
  std::string at, actor;
  std::string before_state;  // JSON; "" for the first assessment
  std::string after_state;   // JSON
};
Status insert_assessment_history(Transaction& tx, const AssessmentHistoryRecord& h);
// Oldest first.
Result<std::vector<AssessmentHistoryRecord>> assessment_history(Transaction& tx, const std::string& catalog_id,
                                                                const std::string& requirement_id);

struct EvidenceRecord {
  std::int64_t id = 0;
  std::string title, description, valid_until;  // valid_until "" for no end
  std::string created_at, created_by, updated_at, updated_by;
};
Result<std::int64_t> insert_evidence(Transaction& tx, const EvidenceRecord& e);
Status update_evidence(Transaction& tx, const EvidenceRecord& e);  // title, description, valid_until, updated_*
Result<std::optional<EvidenceRecord>> find_evidence(Transaction& tx, std::int64_t id);
// Newest first.
Result<std::vector<EvidenceRecord>> list_evidence(Transaction& tx, std::int64_t limit, std::int64_t offset);
Result<std::int64_t> count_evidence(Transaction& tx);

struct EvidenceVersionRecord {
  std::int64_t id = 0, evidence_id = 0, version = 0;
  std::string file_name, media_type;
  std::int64_t size_bytes = 0;
  std::string sha256, wrapped_key;
  std::int64_t chunk_size = 0, chunk_count = 0;
  std::string uploaded_at, uploaded_by;
};
// The number the next version of `evidence_id` gets (1 for the first).
Result<std::int64_t> next_evidence_version(Transaction& tx, std::int64_t evidence_id);
// Inserts the version row (its size, hash, key and chunk count still to be filled by
// finish_evidence_version once the content is stored) and returns its id.
Result<std::int64_t> insert_evidence_version(Transaction& tx, const EvidenceVersionRecord& v);
Status finish_evidence_version(Transaction& tx, const EvidenceVersionRecord& v);
Result<std::optional<EvidenceVersionRecord>> find_evidence_version(Transaction& tx, std::int64_t evidence_id,
                                                                   std::int64_t version);
// Newest first.
Result<std::vector<EvidenceVersionRecord>> evidence_versions(Transaction& tx, std::int64_t evidence_id);

Status insert_evidence_chunk(Transaction& tx, std::int64_t version_id, std::int64_t index, const std::string& sealed);
// Hands each chunk of `version_id` to `on_chunk` in index order, one at a time.
Status for_each_evidence_chunk(Transaction& tx, std::int64_t version_id,
                               const std::function<Status(std::int64_t index, const std::string& sealed)>& on_chunk);

struct EvidenceLinkRecord {
  std::int64_t evidence_id = 0;
  std::string target_type, target_id, linked_at, linked_by;
};
// False when the link existed already.
Result<bool> insert_evidence_link(Transaction& tx, const EvidenceLinkRecord& l);
// False when there was no such link.
Result<bool> delete_evidence_link(Transaction& tx, std::int64_t evidence_id, const std::string& target_type,
                                  const std::string& target_id);
Result<std::vector<EvidenceLinkRecord>> evidence_links(Transaction& tx, std::int64_t evidence_id);
// Links to any of `target_ids` of `target_type`, with the evidence's validity, by evidence id.
struct LinkedEvidence {
  EvidenceLinkRecord link;
  EvidenceRecord evidence;
};
Result<std::vector<LinkedEvidence>> evidence_linked_to(Transaction& tx, const std::string& target_type,
                                                       const std::vector<std::string>& target_ids);

}  // namespace tillit::store
