#include "tillit/store/mail_repository.h"

namespace tillit::store {
namespace {

constexpr const char* kColumns =
    "id, message_id, recipients, sealed_content, purpose, object_type, object_id, status, attempts, queued_at, "
    "queued_by, next_attempt_at, claimed_until, sent_at, last_answer";

MailRecord mail_of(const Row& r) {
  MailRecord m;
  m.id = r.integer(0);
  m.message_id = r.text(1);
  m.recipients = r.text(2);
  m.sealed_content = r.text(3);
  m.purpose = r.text(4);
  m.object_type = r.text(5);
  m.object_id = r.text(6);
  m.status = r.text(7);
  m.attempts = r.integer(8);
  m.queued_at = r.text(9);
  m.queued_by = r.text(10);
  m.next_attempt_at = r.text(11);
  m.claimed_until = r.text(12);
  m.sent_at = r.text(13);
  m.last_answer = r.text(14);
  return m;
}

}  // namespace

Result<std::int64_t> insert_mail(Transaction& tx, const MailRecord& m) {
  auto rows = tx.query(
      "INSERT INTO mail_outbox (message_id, recipients, sealed_content, purpose, object_type, object_id, status, "
      "attempts, queued_at, queued_by, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
      {m.message_id, m.recipients, m.sealed_content, m.purpose, nullable(m.object_type), nullable(m.object_id),
       m.status, m.queued_at, m.queued_by, m.next_attempt_at});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::vector<MailRecord>> list_mail(Transaction& tx, const std::string& status, std::int64_t limit) {
  std::vector<MailRecord> out;
  const bool all = status.empty();
  auto s = tx.for_each(std::string("SELECT ") + kColumns + " FROM mail_outbox" + (all ? "" : " WHERE status = ?") +
                           " ORDER BY id DESC LIMIT ?",
                       all ? Params{limit} : Params{status, limit}, [&](const Row& r) {
                         out.push_back(mail_of(r));
                         return true;
                       });
  if (!s) return s.error();
  return out;
}

Result<std::vector<std::int64_t>> due_mail(Transaction& tx, const std::string& now, std::int64_t limit) {
  std::vector<std::int64_t> out;
  auto s = tx.for_each(
      "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ? AND "
      "(claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?",
      {now, now, limit}, [&](const Row& r) {
        out.push_back(r.integer(0));
        return true;
      });
  if (!s) return s.error();
  return out;
}

Result<std::optional<MailRecord>> claim_mail(Transaction& tx, std::int64_t id, const std::string& now,
                                             const std::string& lease_until) {
  auto rows = tx.query(std::string("UPDATE mail_outbox SET claimed_until = ? WHERE id = ? AND status = 'pending' AND "
                                   "next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) RETURNING ") +
                           kColumns,
                       {lease_until, id, now, now});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<MailRecord>{};
  return std::optional<MailRecord>{mail_of(rows->front())};
}

Status finish_mail_attempt(Transaction& tx, const MailRecord& m) {
  return tx.exec(
      "UPDATE mail_outbox SET status = ?, attempts = ?, next_attempt_at = ?, sent_at = ?, last_answer = ?, "
      "claimed_until = NULL WHERE id = ?",
      {m.status, m.attempts, m.next_attempt_at, nullable(m.sent_at), nullable(m.last_answer), m.id});
}

Result<std::vector<std::int64_t>> findings_needing_notice(Transaction& tx, std::int64_t import_id,
                                                          const std::vector<std::string>& severities) {
  std::vector<std::int64_t> out;
  std::string marks;
  Params params{import_id};
  for (const auto& s : severities) {
    marks += marks.empty() ? "?" : ", ?";
    params.push_back(s);
  }
  if (marks.empty()) return out;
  auto s = tx.for_each(
      "SELECT id FROM findings WHERE last_import = ? AND severity IN (" + marks +
          ") AND status IN ('open', 'in_progress') AND id NOT IN (SELECT finding_id FROM finding_notices) ORDER BY id",
      params, [&](const Row& r) {
        out.push_back(r.integer(0));
        return true;
      });
  if (!s) return s.error();
  return out;
}

Status insert_finding_notice(Transaction& tx, std::int64_t finding_id, std::int64_t mail_id, const std::string& at) {
  return tx.exec("INSERT INTO finding_notices (finding_id, mail_id, queued_at) VALUES (?, ?, ?)",
                 {finding_id, mail_id, at});
}

}  // namespace tillit::store
