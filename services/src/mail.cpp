// The outbox: queueing in the caller's transaction, listing, and the sender's loop.
#include "tillit/services/mail.h"

#include <algorithm>

#include "tillit/crypto/crypto.h"
#include "tillit/services/mail_message.h"
#include "tillit/store/mail_repository.h"

namespace tillit::services {
namespace {

using nlohmann::json;

constexpr int kMaxAttempts = 10;
// A sender holds a message this long; if it dies meanwhile, another sender retries it.
constexpr auto kClaimLease = std::chrono::minutes(5);

std::string seal_purpose(const std::string& message_id) { return "tillit/mail/" + message_id; }

std::string seal_content(const Installation& inst, const std::string& message_id, const json& content) {
  const auto sealed = crypto::aes256gcm_seal(inst.field_key(), content.dump(), seal_purpose(message_id));
  return crypto::to_base64(crypto::as_chars(sealed));
}

Result<json> open_content(const Installation& inst, const store::MailRecord& m) {
  auto bytes = crypto::from_base64(m.sealed_content);
  if (!bytes) return bytes.error();
  auto opened = crypto::aes256gcm_open(inst.field_key(), crypto::as_chars(*bytes), seal_purpose(m.message_id));
  if (!opened)
    return make_error(ErrorCode::internal, "message " + std::to_string(m.id) +
                                               " cannot be opened with this installation's key: " +
                                               opened.error().message);
  json content = json::parse(opened->view(), nullptr, false);
  if (!content.is_object()) return make_error(ErrorCode::internal, "message " + std::to_string(m.id) + " is damaged");
  return content;
}

std::vector<std::string> recipients_of(const store::MailRecord& m) {
  const json list = json::parse(m.recipients, nullptr, false);
  std::vector<std::string> out;
  if (list.is_array())
    for (const auto& a : list)
      if (a.is_string()) out.push_back(a.get<std::string>());
  return out;
}

bool is_local_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

bool is_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Waits between attempts: 1, 2, 4, ... minutes, at most 4 hours; none after the last attempt.
std::optional<std::chrono::minutes> retry_delay(std::int64_t attempts_made) {
  if (attempts_made >= kMaxAttempts) return std::nullopt;
  const auto minutes = std::min<std::int64_t>(std::int64_t{1} << std::min<std::int64_t>(attempts_made - 1, 10), 240);
  return std::chrono::minutes(minutes);
}

}  // namespace

Status check_mail_address(std::string_view address, std::string_view field) {
  const auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_argument, std::string(field) + ": '" + std::string(address.substr(0, 80)) +
                                                       "' is not a mail address (" + why + ")");
  };
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return bad("expected local@domain");
  if (address.size() > 254) return bad("at most 254 characters");
  const auto local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.size() > 64) return bad("at most 64 characters before the @");
  for (char c : local)
    if (!is_local_char(c)) return bad("no spaces, line breaks, quotes, commas or angle brackets");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return bad("dots only between characters");
  for (char c : domain)
    if (!is_domain_char(c)) return bad("the domain may hold only letters, digits, '-' and '.'");
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos ||
      domain.front() == '-')
    return bad("the domain is malformed");
  return {};
}

Result<std::vector<std::string>> parse_mail_addresses(std::string_view text, std::string_view field) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      if (auto s = check_mail_address(item, field); !s) return s.error();
      if (std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
    }
    start = end + 1;
  }
  if (out.empty()) return make_error(ErrorCode::invalid_argument, std::string(field) + " must name at least one address");
  return out;
}

Result<std::int64_t> queue_mail(store::Transaction& tx, const Installation& inst, const Actor& actor,
                                const OutgoingMail& mail, Timestamp now) {
  if (mail.to.empty()) return make_error(ErrorCode::invalid_argument, "to must name at least one recipient");
  if (mail.to.size() > 100) return make_error(ErrorCode::invalid_argument, "to may name at most 100 recipients");
  for (const auto& a : mail.to)
    if (auto s = check_mail_address(a, "to"); !s) return s.error();
  if (auto s = check_mail_subject(mail.subject); !s) return s.error();
  if (mail.body.size() > 1'000'000) return make_error(ErrorCode::invalid_argument, "body may have at most 1 MB");
  if (mail.purpose.empty() || mail.purpose.size() > 100)
    return make_error(ErrorCode::invalid_argument, "purpose must name why the message is sent (1 to 100 characters)");
  json content = {{"subject", mail.subject}, {"body", mail.body}};
  if (mail.attachment) {
    const auto& a = *mail.attachment;
    if (a.data.size() > 10'000'000) return make_error(ErrorCode::invalid_argument, "attachment may have at most 10 MB");
    // The same checks the sender makes, now, so a bad attachment is refused with the change.
    MailMessageParts probe{"check@tillit.invalid", {mail.to.front()}, mail.subject, "", a, "check@tillit.invalid", now,
                           "check-boundary-0000"};
    if (auto m = build_mail_message(probe); !m) return m.error();
    content["attachment"] = {{"filename", a.filename},
                             {"content_type", a.content_type},
                             {"data", crypto::to_base64(a.data)}};
  }
  store::MailRecord record;
  record.message_id = new_message_id(inst.config().mail.from.empty() ? "tillit@tillit.invalid" : inst.config().mail.from);
  record.recipients = json(mail.to).dump();
  record.sealed_content = seal_content(inst, record.message_id, content);
  record.purpose = mail.purpose;
  record.object_type = mail.object_type;
  record.object_id = mail.object_id;
  record.status = "pending";
  record.queued_at = record.next_attempt_at = format_rfc3339(now);
  record.queued_by = actor.id;
  auto id = store::insert_mail(tx, record);
  if (!id) return id.error();
  // The subject and body stay out of the audit log: they may be sensitive.
  json event = {{"to", mail.to}, {"purpose", mail.purpose}, {"message_id", record.message_id}};
  if (!mail.object_type.empty()) event["about"] = mail.object_type + ":" + mail.object_id;
  if (auto e = inst.record(tx, actor, "mail.queue", "mail", std::to_string(*id), event); !e) return e.error();
  return *id;
}

json to_json(const OutboxEntry& e) {
  const auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"id", e.id},
          {"message_id", e.message_id},
          {"to", e.to},
          {"subject", e.subject},
          {"purpose", e.purpose},
          {"object_type", or_null(e.object_type)},
          {"object_id", or_null(e.object_id)},
          {"status", e.status},
          {"attempts", e.attempts},
          {"queued_at", e.queued_at},
          {"queued_by", e.queued_by},
          {"next_attempt_at", e.status == "pending" ? json(e.next_attempt_at) : json(nullptr)},
          {"sent_at", or_null(e.sent_at)},
          {"last_answer", or_null(e.last_answer)}};
}

MailService::MailService(Installation& inst, TimeSource clock) : inst_(inst), clock_(std::move(clock)) {}

Result<std::vector<OutboxEntry>> MailService::outbox(const Actor& actor, const std::string& status, std::int64_t limit) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  if (!status.empty() && status != "pending" && status != "sent" && status != "failed")
    return make_error(ErrorCode::invalid_argument, "status must be pending, sent or failed (or empty for all)");
  if (limit < 1 || limit > 1000) return make_error(ErrorCode::invalid_argument, "limit must be from 1 to 1000");
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto rows = store::list_mail(**tx, status, limit);
  if (!rows) return rows.error();
  std::vector<OutboxEntry> out;
  for (const auto& m : *rows) {
    OutboxEntry e{m.id,          m.message_id,  recipients_of(m), "",         m.purpose,   m.object_type,
                  m.object_id,   m.status,      m.attempts,       m.queued_at, m.next_attempt_at,
                  m.sent_at,     m.last_answer, m.queued_by};
    auto content = open_content(inst_, m);
    e.subject = content ? content->value("subject", "") : "(cannot be opened: " + content.error().message + ")";
    out.push_back(std::move(e));
  }
  return out;
}

Result<SendReport> MailService::send_pending(const Actor& actor) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  auto transport = smtp_transport(inst_.config());
  if (!transport) return transport.error();
  return send_pending(actor, **transport);
}

Result<SendReport> MailService::send_pending(const Actor& actor, MailTransport& transport) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  const auto& from = inst_.config().mail.from;
  if (from.empty())
    return make_error(ErrorCode::unavailable,
                      "mail is not configured: set smtp_host and smtp_from in tillit.yaml (see README, Configuration)");
  SendReport report;
  std::vector<std::int64_t> due;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto ids = store::due_mail(**tx, format_rfc3339(clock_()), 500);
    if (!ids) return ids.error();
    due = *ids;
  }
  for (const auto id : due) {
    const Timestamp now = clock_();
    std::optional<store::MailRecord> claimed;
    {
      auto tx = inst_.db().begin(store::Access::write);
      if (!tx) return tx.error();
      auto c = store::claim_mail(**tx, id, format_rfc3339(now), format_rfc3339(now + kClaimLease));
      if (!c) return c.error();
      if (!*c) continue;  // another sender has it, or it went out meanwhile
      if (auto s = (*tx)->commit(); !s) return s.error();
      claimed = **c;
    }
    auto& m = *claimed;
    MailTransport::Outcome outcome;
    auto content = open_content(inst_, m);
    if (!content) {
      outcome.permanent = true;
      outcome.answer = content.error().message;
    } else {
      MailMessageParts parts;
      parts.from = from;
      parts.to = recipients_of(m);
      parts.subject = content->value("subject", "");
      parts.body = content->value("body", "");
      if (content->contains("attachment")) {
        const auto& a = (*content)["attachment"];
        auto data = crypto::from_base64(a.value("data", ""));
        parts.attachment = MailAttachment{a.value("filename", ""), a.value("content_type", ""),
                                          data ? std::string(crypto::as_chars(*data)) : std::string()};
      }
      parts.message_id = m.message_id;
      parts.date = now;
      parts.boundary = "tillit-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(12)));
      auto message = build_mail_message(parts);
      if (!message) {
        outcome.permanent = true;
        outcome.answer = message.error().message;
      } else {
        outcome = transport.send(from, parts.to, *message);
      }
    }
    const Timestamp done = clock_();
    m.attempts += 1;
    m.last_answer = outcome.answer.substr(0, 1000);
    std::string action;
    if (outcome.delivered) {
      m.status = "sent";
      m.sent_at = format_rfc3339(done);
      action = "mail.sent";
      ++report.sent;
    } else if (auto wait = retry_delay(m.attempts); wait && !outcome.permanent) {
      m.status = "pending";
      m.next_attempt_at = format_rfc3339(done + *wait);
      action = "mail.retry";
      ++report.retrying;
    } else {
      m.status = "failed";
      action = "mail.failed";
      ++report.failed;
    }
    auto tx = inst_.db().begin(store::Access::write);
    if (!tx) return tx.error();
    if (auto s = store::finish_mail_attempt(**tx, m); !s) return s.error();
    json event = {{"attempt", m.attempts}, {"answer", m.last_answer}, {"to", recipients_of(m)}};
    if (m.status == "pending") event["next_attempt_at"] = m.next_attempt_at;
    if (auto e = inst_.record(**tx, actor, action, "mail", std::to_string(m.id), event); !e) return e.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
  }
  return report;
}

std::string deliver_due_mail(Installation& inst) {
  if (!inst.config().mail.enabled()) return "";
  auto report = MailService(inst).send_pending(system_actor());
  if (!report) return "mail: sending failed: " + report.error().message;
  if (report->sent + report->retrying + report->failed == 0) return "";
  return "mail: " + std::to_string(report->sent) + " sent, " + std::to_string(report->retrying) + " to retry, " +
         std::to_string(report->failed) + " failed (see tillit mail outbox)";
}

}  // namespace tillit::services
