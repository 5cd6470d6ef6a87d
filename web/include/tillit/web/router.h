// Router maps (method, path pattern) pairs to handlers and answers 404 or 405 for requests
// no route accepts.
//
// A pattern is "/" or a sequence of "/segment" parts, where a segment is literal text or a
// parameter "{name}" that matches one whole, non-empty path segment:
//   router.add("GET", "/api/v1/catalogs/{catalog}/requirements/{id}", handler);
// Segments are percent-decoded before matching, and parameter values reach the handler
// decoded in Request::params. Where several patterns match, the one with a literal segment
// at the first position where they differ wins ("/risks/export" beats "/risks/{id}"). A HEAD
// request without its own route is served by the GET route (the server sends no body).
//
// Thread safety: finish add() and set_error_responder() before the first dispatch(). After
// that, dispatch() and routes() may run concurrently from any number of threads.
#ifndef TILLIT_WEB_ROUTER_H_
#define TILLIT_WEB_ROUTER_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tillit/web/http.h"

namespace tillit::web {

// Builds the router's own 400/404/405 responses; it sees the request, so that a page gets
// an HTML error and an API path a JSON one.
using RouteErrorResponder =
    std::function<Response(const Request& request, int status, std::string_view code, std::string_view message)>;

// Marks a route whose request body is streamed to the handler (Request::body_stream) instead
// of read whole first, with its own limit in bytes (the server's max_body_bytes does not apply).
struct StreamedBody {
  std::size_t max_bytes;
};

class Router {
 public:
  Router();

  // Throws std::invalid_argument when `method` is empty, `pattern` is malformed, or the
  // route would clash with an existing one (same method, same pattern up to parameter names).
  void add(std::string method, std::string pattern, Handler handler);
  // The same for a route with a streamed body, up to `streamed.max_bytes`. (Throws also when
  // max_bytes is 0.)
  void add(std::string method, std::string pattern, Handler handler, StreamedBody streamed);

  // The body limit of the route `head` (method and path; no body yet) would be dispatched to,
  // when that route streams its body; nullopt otherwise. Give it to the server as
  // ServerOptions::streamed_body_limit:
  //   options.streamed_body_limit = [&router](const Request& r) { return router.streamed_body_limit(r); };
  std::optional<std::size_t> streamed_body_limit(const Request& head) const;

  // Replaces json_error as the source of 400, 404 and 405 responses (empty: json_error).
  void set_error_responder(RouteErrorResponder responder);

  // Runs the matching handler with request.params filled in. Answers 404 when no pattern
  // matches, 405 with an Allow header when patterns match but none for this method, and 400
  // when the path has a bad percent escape. Handler exceptions propagate.
  Response dispatch(Request& request) const;

  // (method, pattern) for every route, in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_parameter;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    std::optional<std::size_t> streamed_limit;  // set for a route with a streamed body
  };

  // The route `request` goes to, or nullptr with *status (400, 404 or 405) saying why not;
  // fills `allowed_methods` for a 405 and `segments` with the decoded path.
  const Route* find(const Request& request, std::vector<std::string>& segments,
                    std::set<std::string>& allowed_methods, int* status) const;

  // Whether `route` matches the decoded path `segments`; fills `params` when it does.
  static bool matches(const Route& route, const std::vector<std::string>& segments,
                      std::map<std::string, std::string>* params);
  // Whether `a` is preferred to `b` when both match the same path.
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
  RouteErrorResponder error_responder_;
};

}  // namespace tillit::web

#endif  // TILLIT_WEB_ROUTER_H_
