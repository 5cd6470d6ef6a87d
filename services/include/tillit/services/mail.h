// Outgoing e-mail. Nothing is lost: a feature queues a message with queue_mail() inside the
// SAME write transaction as the change that causes it (a duty falling due, an import with new
// critical findings), so either both happen or neither. A sender (the "mail-send" job, or
// `tillit mail send-pending`) then delivers queued messages over SMTP with STARTTLS, retries
// temporary failures with growing waits, and records each attempt's SMTP answer.
//
// Subject, body and attachment may hold sensitive text (incident details, vulnerabilities),
// so they are stored sealed with AES-256-GCM under the installation's field key, bound to the
// message's Message-ID, and opened only to send or to show the outbox to its reader.
// Recipients, purpose and the object the message is about stay readable for the outbox.
//
// Thread safety: MailService is a thin handle over the Installation; make one per request.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/database.h"

namespace tillit::services {

struct MailAttachment {
  std::string filename;      // e.g. "report.pdf": letters, digits, '.', '-', '_' only
  std::string content_type;  // e.g. "application/pdf"
  std::string data;          // the bytes
};

struct OutgoingMail {
  std::vector<std::string> to;  // one or more addresses "local@domain"; no names, no CR/LF
  std::string subject;          // UTF-8, one line, at most 200 characters
  std::string body;             // UTF-8 plain text
  std::optional<MailAttachment> attachment;
  // Why it is sent, shown in the outbox: "duty.reminder", "vulnerability.notice", ...
  std::string purpose;
  // The record it is about (optional): "finding", "42"; "duty", "7".
  std::string object_type, object_id;
};

// Checks `mail` (every error names the field) and writes it to the outbox in `tx`, with its
// audit event "mail.queue" recorded as `actor`. Returns the outbox id. The message is sent
// only if `tx` commits. Works whether or not SMTP is configured (the sender reports that).
Result<std::int64_t> queue_mail(store::Transaction& tx, const Installation& inst, const Actor& actor,
                                const OutgoingMail& mail, Timestamp now);

// Checks one address ("local@domain", no spaces, CR, LF, angle brackets or commas).
Status check_mail_address(std::string_view address, std::string_view field);
// Splits a comma-separated list of addresses and checks each (configuration, forms).
Result<std::vector<std::string>> parse_mail_addresses(std::string_view text, std::string_view field);

// One message in the outbox. status: pending (waiting for its next attempt), sent, failed
// (permanently refused or out of attempts).
struct OutboxEntry {
  std::int64_t id = 0;
  std::string message_id;
  std::vector<std::string> to;
  std::string subject;  // opened for the reader
  std::string purpose, object_type, object_id;
  std::string status;
  std::int64_t attempts = 0;
  std::string queued_at, next_attempt_at, sent_at;
  std::string last_answer;  // the SMTP server's last answer, or why the attempt failed
  std::string queued_by;
};
nlohmann::json to_json(const OutboxEntry& e);

// Hands one finished RFC 5322 message to a mail server.
class MailTransport {
 public:
  struct Outcome {
    bool delivered = false;
    bool permanent = false;  // not delivered and retrying cannot help (a 5xx answer)
    std::string answer;      // the server's answer or the error, for the outbox
  };
  virtual ~MailTransport() = default;
  virtual Outcome send(const std::string& from, const std::vector<std::string>& to, const std::string& message) = 0;
};

// SMTP through libcurl per the installation's smtp_* settings; an error when mail is not
// configured (smtp_host, smtp_from) or the password file cannot be read.
Result<std::unique_ptr<MailTransport>> smtp_transport(const Config& config);

struct SendReport {
  std::int64_t sent = 0, retrying = 0, failed = 0;
};

class MailService {
 public:
  explicit MailService(Installation& inst, TimeSource clock = now_utc);

  // Newest first; `status` "" for all. Needs compliance_manage (the security manager).
  Result<std::vector<OutboxEntry>> outbox(const Actor& actor, const std::string& status, std::int64_t limit = 200);
  // Delivers every pending message whose time has come, through `transport`. Each message is
  // claimed before sending, so two senders never send one message twice. Needs
  // compliance_manage (or the system actor of the scheduled job).
  Result<SendReport> send_pending(const Actor& actor, MailTransport& transport);
  // The same through SMTP as configured; an error naming the missing smtp_* keys if not.
  Result<SendReport> send_pending(const Actor& actor);

 private:
  Installation& inst_;
  TimeSource clock_;
};

// For the server's scheduler (every instance, twice a minute; claims keep one message from
// going out twice): delivers what is due when mail is configured. Returns a line for the log,
// or "" when there was nothing to do.
std::string deliver_due_mail(Installation& inst);

}  // namespace tillit::services
