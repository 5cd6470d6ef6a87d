// multipart/form-data (RFC 7578) read as a stream: a browser's file upload arrives as parts
// (the form's text fields, then the file), and the file part is handed on as it arrives, so
// an upload of any size passes through in bounded memory. Text fields are small by design
// and limited. Outside input: the reader is fuzzed (fuzz/fuzz_http_request.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tillit/core/result.h"
#include "tillit/web/http.h"

namespace tillit::web {

// The boundary parameter of a Content-Type "multipart/form-data; boundary=..." (RFC 2046:
// 1-70 characters, optionally quoted); invalid_argument when it is not such a type.
Result<std::string> multipart_boundary(std::string_view content_type);

struct MultipartPart {
  std::string name;          // the form field's name
  std::string filename;      // for a file part (may be empty for a file input left empty)
  std::string content_type;  // as the client sent it; "" when absent
  bool is_file = false;      // the part carried a filename parameter
};

class MultipartReader {
 public:
  MultipartReader(BodyStream& body, std::string boundary);

  // Moves to the next part (skipping what is left of the current one) and describes it;
  // nullopt after the last part. Errors: malformed framing or headers (invalid_argument),
  // and the body's own errors (see read_error()).
  Result<std::optional<MultipartPart>> next_part();
  // Up to `capacity` bytes of the current part's content; 0 at its end.
  Result<std::size_t> read(char* buffer, std::size_t capacity);
  // The current part's whole content, refused when longer than `max` (form fields).
  Result<std::string> read_text(std::size_t max);
  // The underlying body's error after a failed call (none when the framing was at fault).
  BodyError read_error() const { return body_error_; }

 private:
  Status fill(std::size_t wanted);  // reads from the body until buffer_ holds `wanted` bytes or the body ends
  Error body_failure();

  BodyStream& body_;
  std::string delimiter_;  // CRLF "--" boundary
  std::string buffer_;
  std::size_t start_ = 0;  // unread bytes begin here
  bool body_ended_ = false;
  bool in_part_ = false;
  bool finished_ = false;
  std::size_t parts_seen_ = 0;
  BodyError body_error_ = BodyError::none;
};

}  // namespace tillit::web
