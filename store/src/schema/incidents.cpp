// Schema for outgoing mail and incidents (migration 8). Mail comes first: incidents, their
// notices and alerts will queue their messages in the outbox.
#include "schema_part.h"

namespace tillit::store::schema {

const Part& incidents_part() {
  static const Part part{
      .migrations = {{8,
                      "outgoing mail and incidents",
                      {
                          // The outbox: a message is queued in the transaction of the change that
                          // causes it and delivered later. Subject, body and attachment are one
                          // AES-256-GCM sealed JSON document bound to message_id; recipients (a
                          // JSON array) stay readable for the outbox list.
                          R"(CREATE TABLE mail_outbox (
                id {{serial_pk}},
                message_id TEXT NOT NULL UNIQUE,
                recipients TEXT NOT NULL,
                sealed_content TEXT NOT NULL,
                purpose TEXT NOT NULL,
                object_type TEXT,
                object_id TEXT,
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                queued_at TEXT NOT NULL,
                queued_by TEXT NOT NULL,
                next_attempt_at TEXT NOT NULL,
                claimed_until TEXT,
                sent_at TEXT,
                last_answer TEXT))",
                          "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)",
                          // A finding the customer has been told about (annex: critical and high
                          // vulnerabilities): one row per finding, so it is never told twice.
                          R"(CREATE TABLE finding_notices (
                finding_id BIGINT PRIMARY KEY REFERENCES findings(id),
                mail_id BIGINT NOT NULL REFERENCES mail_outbox(id),
                queued_at TEXT NOT NULL))",
                      }}},
      .tables = {"mail_outbox", "finding_notices"},
      .generated_id_tables = {"mail_outbox"},
  };
  return part;
}

}  // namespace tillit::store::schema
