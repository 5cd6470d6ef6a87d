// The mail outbox and the record of which findings the customer has been told about
// (migration 8). Runs inside the caller's transaction; services/mail.h is the only caller of
// the outbox functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

struct MailRecord {
  std::int64_t id = 0;
  std::string message_id;
  std::string recipients;      // JSON array of addresses
  std::string sealed_content;  // base64 of the sealed JSON {subject, body, attachment}
  std::string purpose, object_type, object_id;
  std::string status;  // pending, sent, failed
  std::int64_t attempts = 0;
  std::string queued_at, queued_by, next_attempt_at, claimed_until, sent_at, last_answer;
};

Result<std::int64_t> insert_mail(Transaction& tx, const MailRecord& m);
// Newest first; `status` "" for every status.
Result<std::vector<MailRecord>> list_mail(Transaction& tx, const std::string& status, std::int64_t limit);
// Pending messages whose next attempt is due at `now`, oldest first.
Result<std::vector<std::int64_t>> due_mail(Transaction& tx, const std::string& now, std::int64_t limit);
// Takes a due message for one sender until `lease_until`; nullopt when another sender holds it,
// it was sent meanwhile or is not due.
Result<std::optional<MailRecord>> claim_mail(Transaction& tx, std::int64_t id, const std::string& now,
                                             const std::string& lease_until);
// The outcome of one attempt: status, attempts, next attempt, sent_at, answer; releases the claim.
Status finish_mail_attempt(Transaction& tx, const MailRecord& m);

// Findings of `import_id` with one of `severities` that are still to be handled and that
// no notice has named yet.
Result<std::vector<std::int64_t>> findings_needing_notice(Transaction& tx, std::int64_t import_id,
                                                          const std::vector<std::string>& severities);
Status insert_finding_notice(Transaction& tx, std::int64_t finding_id, std::int64_t mail_id, const std::string& at);

}  // namespace tillit::store
