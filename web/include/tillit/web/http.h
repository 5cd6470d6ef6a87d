// HTTP request and response values passed between the server and its handlers, the
// Handler and ErrorResponder callback types, and URL-decoding helpers.
//
// Thread safety: these are plain values with no shared state; a Request belongs to the
// thread running its handler. The free functions are pure and safe from any thread.
#ifndef TILLIT_WEB_HTTP_H_
#define TILLIT_WEB_HTTP_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tillit::web {

// Header fields in arrival order. Names compare case-insensitively; repeated fields are kept.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string name, std::string value);

  // The first value of the field called `name`, if there is one.
  std::optional<std::string> get(std::string_view name) const;
  // Every value of the field called `name`, in arrival order.
  std::vector<std::string> get_all(std::string_view name) const;
  bool contains(std::string_view name) const;

  std::size_t size() const { return fields_.size(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// Why a streamed request body (BodyStream) cannot be read any further.
enum class BodyError {
  none,
  too_large,   // the body passed the route's limit: the server answers 413 payload_too_large
  malformed,   // broken chunked framing: the server answers 400 bad_request
  broken_off,  // the client closed the connection or stalled for request_timeout, or the
               // server is dropping connections at shutdown: the connection is closed unanswered
};

// What one BodyStream::read produced: `size` bytes, or an error (then `size` is 0).
struct BodyChunk {
  std::size_t size = 0;
  BodyError error = BodyError::none;
  bool ok() const { return error == BodyError::none; }
};

// A request body the handler pulls from the connection while the client is still sending it,
// for routes registered with a streamed body (Router::add with StreamedBody, or
// AppRoutes::add_streamed). Only the bytes the handler asks for are in memory.
//
//   char buffer[64 * 1024];
//   for (;;) {
//     const BodyChunk chunk = request.body_stream->read(buffer, sizeof buffer);
//     if (!chunk.ok()) return roll_back_and_fail(chunk.error);  // write nothing
//     if (chunk.size == 0) break;                                // the whole body arrived
//     consume(std::string_view(buffer, chunk.size));
//   }
//
// The server decides the answer after a failed read: whatever the handler returns, a too-large
// body gets 413 and malformed framing 400, and a broken-off client gets nothing; so the
// handler need only undo its work. A handler that answers before reading to the end (a refusal)
// gets its response sent with "Connection: close". "Expect: 100-continue" is answered on the
// first read, so a refused client never sends its body.
//
// Thread safety: read() blocks until bytes arrive; call it only from the handler's thread,
// and only while the handler runs (the stream belongs to the request).
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Copies up to `capacity` (> 0) bytes of the body into `buffer`. size 0 without an error:
  // the end of the body. After an error every further read returns the same error.
  virtual BodyChunk read(char* buffer, std::size_t capacity) = 0;
  // The route's limit in bytes; a body longer than this fails with too_large.
  virtual std::size_t limit() const = 0;
  // The Content-Length the client announced; nullopt for a chunked body.
  virtual std::optional<std::size_t> content_length() const = 0;
};

// A BodyStream over bytes in memory, for tests of streamed handlers without a server. The
// bytes must outlive it. Fails with too_large once more than `limit` bytes were read.
class MemoryBodyStream final : public BodyStream {
 public:
  explicit MemoryBodyStream(std::string_view bytes, std::size_t limit = static_cast<std::size_t>(-1))
      : bytes_(bytes), limit_(limit) {}
  BodyChunk read(char* buffer, std::size_t capacity) override;
  std::size_t limit() const override { return limit_; }
  std::optional<std::size_t> content_length() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t limit_;
  std::size_t offset_ = 0;
};

struct Request {
  std::string method;  // case-sensitive, as sent: "GET", "POST", ...
  std::string target;  // as sent, e.g. "/api/v1/risks?owner=ana%20lima"
  std::string path;    // target up to '?', still percent-encoded: "/api/v1/risks"
  std::map<std::string, std::string> query;   // percent-decoded; the first of repeated names wins
  std::map<std::string, std::string> params;  // percent-decoded path parameters, set by Router
  Headers headers;
  std::string body;  // the whole body; empty for a route with a streamed body
  std::string client_address;  // peer IP address, e.g. "127.0.0.1" or "::1"
  // Set (and `body` left empty) only for a route registered with a streamed body; the server
  // owns it, and it lives as long as the handler runs.
  BodyStream* body_stream = nullptr;

  std::optional<std::string> header(std::string_view name) const { return headers.get(name); }
};

// What a handler returns. The server adds the framing headers (Content-Length, Connection),
// "Server: Tillit" and the security headers, which always override same-named entries in
// `headers`; a Content-Type entry in `headers` replaces `content_type`. "Cache-Control:
// no-store" is added unless `headers` sets Cache-Control. Statuses outside 200-599, header
// names that are not HTTP tokens, values containing CR, LF or NUL, and framing headers
// (Content-Length, Transfer-Encoding, Connection, ...) are handler bugs: the server answers
// 500 instead and logs the reason.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, std::string body);
  static Response html(int status, std::string body);  // text/html; charset=utf-8
  static Response text(int status, std::string body);  // text/plain; charset=utf-8
  // `status` should be 301, 302, 303, 307 or 308; 303 sends a browser to GET `location`.
  static Response redirect(std::string location, int status = 303);

  // The value of the first entry in `headers` called `name` (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
};

using Handler = std::function<Response(Request&)>;

// Builds the responses Server produces itself: malformed request (400), body too large (413),
// header too large (431), handler failure (500). `code` is a stable machine-readable token
// ("payload_too_large"); `message` is short English text that never contains request data or
// exception text. (Router's 400/404/405 come from its RouteErrorResponder, which also sees
// the request.)
using ErrorResponder =
    std::function<Response(int status, std::string_view code, std::string_view message)>;

// The default ErrorResponder: {"error":{"code":"<code>","message":"<message>"}}.
Response json_error(int status, std::string_view code, std::string_view message);

// Decodes %XX escapes, and '+' as a space when `plus_is_space`. Returns nullopt when a '%' is
// not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Parses "a=1&b=two+words" as found in query strings and application/x-www-form-urlencoded
// bodies. A name without '=' maps to "". The first of repeated names wins. Returns nullopt on a
// bad escape.
std::optional<std::map<std::string, std::string>> parse_urlencoded(std::string_view text);

// The value of the cookie called `name` in the request's Cookie header(s) (RFC 6265 section
// 5.4 form: "a=1; b=2"), the first if sent more than once; nullopt when absent.
std::optional<std::string> cookie_value(const Headers& headers, std::string_view name);

// ASCII case-insensitive equality, as used for header names.
bool iequals(std::string_view a, std::string_view b);

}  // namespace tillit::web

#endif  // TILLIT_WEB_HTTP_H_
