#include "tillit/web/multipart.h"

#include <algorithm>
#include <cctype>

namespace tillit::web {
namespace {

constexpr std::size_t kReadSize = 64 * 1024;
constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
constexpr std::size_t kMaxParts = 64;

Error malformed(const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "the upload is not valid multipart/form-data: " + what);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `param` in a header value's ";"-separated parameters (quoted or token).
std::optional<std::string> parameter(std::string_view value, std::string_view param) {
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    const auto eq = value.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = lower(trim(value.substr(i, eq - i)));
    std::size_t j = eq + 1;
    while (j < value.size() && value[j] == ' ') ++j;
    std::string v;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        v.push_back(value[j++]);
      }
      if (j >= value.size()) return std::nullopt;  // unterminated quote
      ++j;
      i = value.find(';', j);
    } else {
      const auto end = value.find(';', j);
      v = std::string(trim(value.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j)));
      i = end;
    }
    if (key == param) return v;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (lower(trim(content_type.substr(0, semicolon))) != "multipart/form-data")
    return make_error(ErrorCode::invalid_argument, "the upload must be sent as multipart/form-data");
  auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70)
    return make_error(ErrorCode::invalid_argument, "multipart/form-data needs a boundary of 1-70 characters");
  for (unsigned char c : *boundary)
    if (c < 0x20 || c > 0x7e) return make_error(ErrorCode::invalid_argument, "the multipart boundary has a control character");
  return *boundary;
}

// The body is read as if preceded by CRLF, so the first boundary line looks like every other
// delimiter ("\r\n--boundary") and a preamble before it is skipped the same way.
MultipartReader::MultipartReader(BodyStream& body, std::string boundary)
    : body_(body), delimiter_("\r\n--" + boundary), buffer_("\r\n") {}

Error MultipartReader::body_failure() {
  switch (body_error_) {
    case BodyError::too_large:
      return make_error(ErrorCode::invalid_argument,
                        "the upload is larger than this form allows (" + std::to_string(body_.limit() >> 20) + " MiB)");
    case BodyError::malformed:
      return make_error(ErrorCode::invalid_argument, "the request body's chunked framing is malformed");
    default:
      return make_error(ErrorCode::unavailable, "the upload broke off before the whole file arrived");
  }
}

Status MultipartReader::fill(std::size_t wanted) {
  if (start_ > 0 && start_ >= buffer_.size() / 2) {  // keep the buffer from growing without bound
    buffer_.erase(0, start_);
    start_ = 0;
  }
  while (buffer_.size() - start_ < wanted && !body_ended_) {
    const std::size_t old = buffer_.size();
    buffer_.resize(old + kReadSize);
    const BodyChunk chunk = body_.read(buffer_.data() + old, kReadSize);
    buffer_.resize(old + chunk.size);
    if (!chunk.ok()) {
      body_error_ = chunk.error;
      return body_failure();
    }
    if (chunk.size == 0) body_ended_ = true;
  }
  return {};
}

Result<std::size_t> MultipartReader::read(char* buffer, std::size_t capacity) {
  if (!in_part_ || capacity == 0) return std::size_t{0};
  if (auto s = fill(delimiter_.size() + capacity); !s) return s.error();
  const std::string_view unread(buffer_.data() + start_, buffer_.size() - start_);
  const auto at = unread.find(delimiter_);
  std::size_t available;
  if (at != std::string_view::npos) {
    available = at;
    if (at == 0) {  // the part ends here; next_part() consumes the delimiter
      in_part_ = false;
      return std::size_t{0};
    }
  } else {
    if (body_ended_) return malformed("the body ends inside a part (no closing boundary)");
    // The tail could be the start of a delimiter split across reads: keep it back.
    available = unread.size() >= delimiter_.size() ? unread.size() - (delimiter_.size() - 1) : 0;
  }
  const std::size_t n = std::min(available, capacity);
  std::copy_n(unread.data(), n, buffer);
  start_ += n;
  return n;
}

Result<std::string> MultipartReader::read_text(std::size_t max) {
  std::string text;
  char chunk[4096];
  for (;;) {
    auto n = read(chunk, sizeof chunk);
    if (!n) return n.error();
    if (*n == 0) return text;
    if (text.size() + *n > max) return malformed("a form field is longer than " + std::to_string(max) + " bytes");
    text.append(chunk, *n);
  }
}

Result<std::optional<MultipartPart>> MultipartReader::next_part() {
  if (finished_) return std::optional<MultipartPart>();
  // Skip what the caller left of the current part (or the preamble) up to the delimiter.
  char skip[4096];
  in_part_ = true;
  for (;;) {
    auto n = read(skip, sizeof skip);
    if (!n) return n.error();
    if (*n == 0) break;
  }
  // At the delimiter: consume it, then "--" ends the body and CRLF starts a part's headers.
  if (auto s = fill(delimiter_.size() + 2); !s) return s.error();
  if (std::string_view(buffer_).substr(start_, delimiter_.size()) != delimiter_) return malformed("missing boundary");
  start_ += delimiter_.size();
  const std::string_view after = std::string_view(buffer_).substr(start_, 2);
  if (after == "--") {
    finished_ = true;
    return std::optional<MultipartPart>();
  }
  // Transport padding (spaces, tabs) may follow the boundary before its CRLF (RFC 2046).
  while (start_ < buffer_.size() && (buffer_[start_] == ' ' || buffer_[start_] == '\t')) {
    ++start_;
    if (auto s = fill(2); !s) return s.error();
  }
  if (std::string_view(buffer_).substr(start_, 2) != "\r\n") return malformed("a boundary line must end with CRLF");
  start_ += 2;
  if (++parts_seen_ > kMaxParts) return malformed("more than " + std::to_string(kMaxParts) + " parts");

  // The part's headers, up to the empty line.
  if (auto s = fill(kMaxHeaderBytes); !s) return s.error();
  const std::string_view unread(buffer_.data() + start_, buffer_.size() - start_);
  const auto end = unread.find("\r\n\r\n");
  const bool no_headers = unread.substr(0, 2) == "\r\n";
  if (end == std::string_view::npos && !no_headers) return malformed("a part's headers are missing or too long");
  const std::string_view headers = no_headers ? std::string_view() : unread.substr(0, end);
  start_ += no_headers ? 2 : end + 4;
  MultipartPart part;
  bool disposition = false;
  std::size_t line_start = 0;
  while (line_start <= headers.size() && !headers.empty()) {
    auto line_end = headers.find("\r\n", line_start);
    if (line_end == std::string_view::npos) line_end = headers.size();
    const auto line = headers.substr(line_start, line_end - line_start);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("a part header without a colon");
    const auto name = lower(trim(line.substr(0, colon)));
    const auto value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (lower(value.substr(0, value.find(';'))) != "form-data") return malformed("a part that is not form-data");
      auto field = parameter(value, "name");
      if (!field) return malformed("a part without a name");
      part.name = *field;
      if (auto file = parameter(value, "filename")) {
        part.is_file = true;
        part.filename = *file;
      }
      disposition = true;
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
    line_start = line_end + 2;
  }
  if (!disposition) return malformed("a part without Content-Disposition");
  in_part_ = true;
  return std::optional<MultipartPart>(part);
}

}  // namespace tillit::web
