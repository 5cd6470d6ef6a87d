// Schema for requirement assessments and evidence (migration 6).
//
// Table design (stable: the duties and reports features read these tables).
//
// requirement_assessments: one row per assessed requirement of any catalogue; a requirement
//   without a row is "not_assessed".
//   catalog_id, requirement_id  TEXT, primary key ("annex", "K14"; "iso27001-2022", "A.5.1")
//   status        TEXT  not_assessed | not_met | partly_met | met | not_applicable
//   justification TEXT  why not_applicable ('' otherwise; required for not_applicable)
//   owner         TEXT  who answers for the requirement (a user name or a role, free text)
//   how_met       TEXT  free text
//   links         TEXT  JSON array of {"type": "...", "id": "..."}: controls ("requirement",
//                       "iso27001-2022:A.5.1"), policies, risks, other records
//   deviation     TEXT  '' when none
//   deviation_due TEXT  YYYY-MM-DD planned date the deviation is closed (NULL when none);
//                       flagged as overdue once the date has passed
//   next_review   TEXT  YYYY-MM-DD (NULL when not planned)
//   updated_at (RFC 3339), updated_by (actor), revision BIGINT (1, 2, ... per change)
//
// assessment_history: every change, never updated or deleted.
//   id (generated), catalog_id, requirement_id, revision, at, actor,
//   before_state TEXT (JSON of the assessment before, NULL for the first),
//   after_state TEXT (JSON)
//
// evidence: one piece of evidence; its content lives in versions.
//   id (generated), title, description, valid_until TEXT YYYY-MM-DD or NULL (no end; after
//   the date the evidence no longer counts as current), created_at, created_by,
//   updated_at, updated_by
//
// evidence_versions: each upload; older versions are kept.
//   id (generated), evidence_id -> evidence, version BIGINT (1, 2, ...; UNIQUE with
//   evidence_id), file_name, media_type, size_bytes BIGINT, sha256 TEXT (hex of the
//   plaintext), wrapped_key TEXT (the per-file AES-256 data key sealed under the
//   installation's field key, bound to the version id), chunk_size BIGINT (plaintext bytes
//   per chunk), chunk_count BIGINT, uploaded_at, uploaded_by.
//   The current version of a piece of evidence is the one with the highest version.
//
// evidence_chunks: the encrypted content, one row per chunk.
//   version_id -> evidence_versions, chunk_index BIGINT, primary key (version_id, chunk_index)
//   sealed TEXT  base64 of nonce || ciphertext || tag (AES-256-GCM under the data key; the
//                associated data binds the version id, chunk index and whether it is the last)
//
// evidence_links: what a piece of evidence supports.
//   evidence_id -> evidence, target_type TEXT, target_id TEXT, linked_at, linked_by,
//   primary key (evidence_id, target_type, target_id)
//   target_type "requirement" with target_id "CATALOG:ID" ("annex:K14"); other records by
//   their kind ("risk", "incident", "duty", "duty_completion", "change", ...) and id as text.
//   Evidence linked to a requirement also serves every requirement mapped to or from it.
#include "schema_part.h"

namespace tillit::store::schema {

const Part& compliance_part() {
  static const Part part{
      .migrations =
          {
              {6,
               "requirement assessments with their history, evidence with encrypted versions and links",
               {
                   R"(CREATE TABLE requirement_assessments (
                        catalog_id TEXT NOT NULL,
                        requirement_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        justification TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        how_met TEXT NOT NULL,
                        links TEXT NOT NULL,
                        deviation TEXT NOT NULL,
                        deviation_due TEXT,
                        next_review TEXT,
                        updated_at TEXT NOT NULL,
                        updated_by TEXT NOT NULL,
                        revision BIGINT NOT NULL,
                        PRIMARY KEY (catalog_id, requirement_id)))",
                   // Every change with who, when and the whole assessment before and after.
                   R"(CREATE TABLE assessment_history (
                        id {{serial_pk}},
                        catalog_id TEXT NOT NULL,
                        requirement_id TEXT NOT NULL,
                        revision BIGINT NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        before_state TEXT,
                        after_state TEXT NOT NULL))",
                   "CREATE INDEX assessment_history_requirement ON assessment_history (catalog_id, requirement_id)",
                   R"(CREATE TABLE evidence (
                        id {{serial_pk}},
                        title TEXT NOT NULL,
                        description TEXT NOT NULL,
                        valid_until TEXT,
                        created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        updated_by TEXT NOT NULL))",
                   // The data key is sealed under the installation's field key; content is in chunks.
                   R"(CREATE TABLE evidence_versions (
                        id {{serial_pk}},
                        evidence_id BIGINT NOT NULL REFERENCES evidence(id),
                        version BIGINT NOT NULL,
                        file_name TEXT NOT NULL,
                        media_type TEXT NOT NULL,
                        size_bytes BIGINT NOT NULL,
                        sha256 TEXT NOT NULL,
                        wrapped_key TEXT NOT NULL,
                        chunk_size BIGINT NOT NULL,
                        chunk_count BIGINT NOT NULL,
                        uploaded_at TEXT NOT NULL,
                        uploaded_by TEXT NOT NULL,
                        UNIQUE (evidence_id, version)))",
                   R"(CREATE TABLE evidence_chunks (
                        version_id BIGINT NOT NULL REFERENCES evidence_versions(id),
                        chunk_index BIGINT NOT NULL,
                        sealed TEXT NOT NULL,
                        PRIMARY KEY (version_id, chunk_index)))",
                   R"(CREATE TABLE evidence_links (
                        evidence_id BIGINT NOT NULL REFERENCES evidence(id),
                        target_type TEXT NOT NULL,
                        target_id TEXT NOT NULL,
                        linked_at TEXT NOT NULL,
                        linked_by TEXT NOT NULL,
                        PRIMARY KEY (evidence_id, target_type, target_id)))",
                   "CREATE INDEX evidence_links_target ON evidence_links (target_type, target_id)",
               }},
          },
      .tables = {"requirement_assessments", "assessment_history", "evidence", "evidence_versions", "evidence_chunks",
                 "evidence_links"},
      .generated_id_tables = {"assessment_history", "evidence", "evidence_versions"},
  };
  return part;
}

}  // namespace tillit::store::schema
