// Building one e-mail message (RFC 5322 with MIME, RFC 2045-2047) from checked parts. Kept
// apart from the outbox so it can be tested byte for byte: the date and Message-ID are inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"
#include "tillit/core/time.h"
#include "tillit/services/mail.h"

namespace tillit::services {

struct MailMessageParts {
  std::string from;
  std::vector<std::string> to;
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 text; any line ending
  std::optional<MailAttachment> attachment;
  std::string message_id;  // without angle brackets: "random@domain"
  Timestamp date;
  std::string boundary;  // multipart boundary (with an attachment); random in production
};

// The whole message with CRLF line endings: Date, From, To, Subject (RFC 2047 encoded words
// when not plain ASCII), Message-ID, MIME-Version, then a base64 UTF-8 text part, and with an
// attachment a multipart/mixed body. Refuses CR, LF and other control characters in headers.
Result<std::string> build_mail_message(const MailMessageParts& parts);

// "Mon, 23 Nov 2026 17:02:38 +0000"
std::string rfc5322_date(Timestamp t);
// `text` as it goes into a header: unchanged when printable ASCII, else RFC 2047 "B" encoded
// words of at most 75 characters, folded, never splitting a UTF-8 character.
std::string encode_header_text(std::string_view text);
// A new unique Message-ID (without brackets) in the domain of `from`.
std::string new_message_id(std::string_view from);

// Checks a subject: one line of text, at most 200 characters, no control characters.
Status check_mail_subject(std::string_view subject);

}  // namespace tillit::services
