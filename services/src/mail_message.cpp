#include "tillit/services/mail_message.h"

#include <chrono>
#include <cstdio>

#include "tillit/crypto/crypto.h"

namespace tillit::services {
namespace {

// base64 cut into lines of 76 characters (RFC 2045), each ended by CRLF.
std::string base64_lines(std::string_view bytes) {
  const std::string encoded = crypto::to_base64(bytes);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// Text with every line ending (LF, CR or CRLF) made CRLF, as SMTP requires.
std::string crlf_lines(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool has_control(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

bool plain_ascii(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  // "=?" could be read as the start of an encoded word: encode such text as well.
  return text.find("=?") == std::string_view::npos;
}

Status check_filename(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.')
    return make_error(ErrorCode::invalid_argument, "attachment.filename must have 1 to 100 characters and not start with '.'");
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
      return make_error(ErrorCode::invalid_argument,
                        "attachment.filename may hold only letters a-z, digits, '.', '-' and '_'");
  return {};
}

Status check_content_type(std::string_view type) {
  const auto slash = type.find('/');
  if (type.empty() || type.size() > 100 || slash == std::string_view::npos || slash == 0 || slash + 1 == type.size())
    return make_error(ErrorCode::invalid_argument, "attachment.content_type must be a media type such as application/pdf");
  for (char c : type)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '-' || c == '+'))
      return make_error(ErrorCode::invalid_argument, "attachment.content_type must be a lowercase media type such as application/pdf");
  return {};
}

}  // namespace

std::string rfc5322_date(Timestamp t) {
  using namespace std::chrono;
  static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<std::chrono::days>(t);
  const year_month_day ymd{day};
  const weekday wd{day};
  const hh_mm_ss clock{floor<seconds>(t - day)};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", days[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
  return buf;
}

std::string encode_header_text(std::string_view text) {
  if (plain_ascii(text)) return std::string(text);
  // 45 bytes become 60 base64 characters: with "=?UTF-8?B?" and "?=" a word stays within 75.
  constexpr std::size_t kChunk = 45;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + kChunk);
    // Back up to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
    while (end < text.size() && end > start + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::to_base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string new_message_id(std::string_view from) {
  const auto at = from.rfind('@');
  const std::string domain = at == std::string_view::npos ? "tillit.invalid" : std::string(from.substr(at + 1));
  return crypto::to_hex(crypto::as_chars(crypto::random_bytes(16))) + "@" + domain;
}

Status check_mail_subject(std::string_view subject) {
  if (subject.empty()) return make_error(ErrorCode::invalid_argument, "subject must not be empty");
  if (subject.size() > 200) return make_error(ErrorCode::invalid_argument, "subject may have at most 200 characters");
  if (has_control(subject))
    return make_error(ErrorCode::invalid_argument, "subject must be one line without control characters (CR, LF, tab)");
  return {};
}

Result<std::string> build_mail_message(const MailMessageParts& p) {
  if (auto s = check_mail_address(p.from, "from"); !s) return s.error();
  if (p.to.empty()) return make_error(ErrorCode::invalid_argument, "to must name at least one recipient");
  for (const auto& a : p.to)
    if (auto s = check_mail_address(a, "to"); !s) return s.error();
  if (auto s = check_mail_subject(p.subject); !s) return s.error();
  if (p.message_id.empty() || has_control(p.message_id) || p.message_id.find_first_of("<> ") != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "message_id must be one word without angle brackets");
  if (p.attachment) {
    if (auto s = check_filename(p.attachment->filename); !s) return s.error();
    if (auto s = check_content_type(p.attachment->content_type); !s) return s.error();
    if (p.boundary.size() < 16 || has_control(p.boundary))
      return make_error(ErrorCode::invalid_argument, "boundary must be at least 16 characters");
  }
  std::string to;
  for (const auto& a : p.to) to += (to.empty() ? "" : ",\r\n ") + a;
  std::string m;
  m += "Date: " + rfc5322_date(p.date) + "\r\n";
  m += "From: " + p.from + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + encode_header_text(p.subject) + "\r\n";
  m += "Message-ID: <" + p.message_id + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  const std::string text_headers =
      "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n";
  std::string body = crlf_lines(p.body);
  if (!p.attachment) return m + text_headers + "\r\n" + base64_lines(body);
  const auto& a = *p.attachment;
  m += "Content-Type: multipart/mixed; boundary=\"" + p.boundary + "\"\r\n\r\n";
  m += "--" + p.boundary + "\r\n" + text_headers + "\r\n" + base64_lines(body);
  m += "--" + p.boundary + "\r\n";
  m += "Content-Type: " + a.content_type + "\r\n";
  m += "Content-Disposition: attachment; filename=\"" + a.filename + "\"\r\n";
  m += "Content-Transfer-Encoding: base64\r\n\r\n" + base64_lines(a.data);
  m += "--" + p.boundary + "--\r\n";
  return m;
}

}  // namespace tillit::services
