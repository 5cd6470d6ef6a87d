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

struct Request {
  std::string method;  // case-sensitive, as sent: "GET", "POST", ...
  std::string target;  // as sent, e.g. "/api/v1/risks?owner=ana%20lima"
  std::string path;    // target up to '?', still percent-encoded: "/api/v1/risks"
  std::map<std::string, std::string> query;   // percent-decoded; the first of repeated names wins
  std::map<std::string, std::string> params;  // percent-decoded path parameters, set by Router
  Headers headers;
  std::string body;
  std::string client_address;  // peer IP address, e.g. "127.0.0.1" or "::1"

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
