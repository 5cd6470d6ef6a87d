// Router: pattern parsing, matching, and the 400/404/405 answers. No Boost.

#include "tillit/web/router.h"

#include <set>
#include <stdexcept>
#include <string_view>

namespace tillit::web {
namespace {

// "/" -> {""}, "/a/b" -> {"a", "b"}, "/a/" -> {"a", ""}. `path` must start with '/'.
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);
  for (;;) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

bool is_parameter_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_';
    if (!allowed) return false;
  }
  return true;
}

[[noreturn]] void reject_pattern(const std::string& pattern, const std::string& reason) {
  throw std::invalid_argument("Router: route pattern '" + pattern + "' " + reason);
}

std::string join(const std::set<std::string>& items, std::string_view separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

}  // namespace

namespace {
Response json_error_for(const Request&, int status, std::string_view code, std::string_view message) {
  return json_error(status, code, message);
}
}  // namespace

Router::Router() : error_responder_(json_error_for) {}

void Router::add(std::string method, std::string pattern, Handler handler) {
  if (method.empty()) throw std::invalid_argument("Router: empty method for '" + pattern + "'");
  if (!handler) throw std::invalid_argument("Router: empty handler for '" + pattern + "'");
  if (pattern.empty() || pattern.front() != '/') reject_pattern(pattern, "must start with '/'");

  std::vector<Segment> segments;
  std::set<std::string_view> parameter_names;
  if (pattern == "/") {
    segments.push_back({"", false});
  } else {
    for (std::string_view text : split_segments(pattern)) {
      if (text.empty()) reject_pattern(pattern, "has an empty segment");
      if (text.front() == '{' && text.back() == '}') {
        const std::string_view name = text.substr(1, text.size() - 2);
        if (!is_parameter_name(name)) {
          reject_pattern(pattern, "has a parameter name other than [A-Za-z0-9_]+");
        }
        if (!parameter_names.insert(name).second) {
          reject_pattern(pattern, "repeats parameter '" + std::string(name) + "'");
        }
        segments.push_back({std::string(name), true});
      } else {
        if (text.find_first_of("{}") != std::string_view::npos) {
          reject_pattern(pattern, "has a brace outside a whole-segment {parameter}");
        }
        segments.push_back({std::string(text), false});
      }
    }
  }

  for (const Route& existing : routes_) {
    if (existing.method != method || existing.segments.size() != segments.size()) continue;
    bool same_shape = true;
    for (std::size_t i = 0; i < segments.size() && same_shape; ++i) {
      const Segment& a = existing.segments[i];
      const Segment& b = segments[i];
      same_shape = a.is_parameter == b.is_parameter && (a.is_parameter || a.text == b.text);
    }
    if (same_shape) {
      throw std::invalid_argument("Router: " + method + " " + pattern + " clashes with " +
                                  existing.method + " " + existing.pattern);
    }
  }
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments),
                     std::move(handler), std::nullopt});
}

void Router::add(std::string method, std::string pattern, Handler handler, StreamedBody streamed) {
  if (streamed.max_bytes == 0) {
    throw std::invalid_argument("Router: streamed body limit of '" + pattern + "' must be positive");
  }
  add(std::move(method), std::move(pattern), std::move(handler));
  routes_.back().streamed_limit = streamed.max_bytes;
}

std::optional<std::size_t> Router::streamed_body_limit(const Request& head) const {
  std::vector<std::string> segments;
  std::set<std::string> allowed_methods;
  int status = 0;
  const Route* route = find(head, segments, allowed_methods, &status);
  return route == nullptr ? std::nullopt : route->streamed_limit;
}

void Router::set_error_responder(RouteErrorResponder responder) {
  error_responder_ = responder ? std::move(responder) : RouteErrorResponder(json_error_for);
}

bool Router::matches(const Route& route, const std::vector<std::string>& segments,
                     std::map<std::string, std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& expected = route.segments[i];
    const bool ok = expected.is_parameter ? !segments[i].empty() : expected.text == segments[i];
    if (!ok) return false;
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (route.segments[i].is_parameter) (*params)[route.segments[i].text] = segments[i];
    }
  }
  return true;
}

bool Router::more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_parameter != b.segments[i].is_parameter) {
      return !a.segments[i].is_parameter;
    }
  }
  return false;
}

const Router::Route* Router::find(const Request& request, std::vector<std::string>& segments,
                                  std::set<std::string>& allowed_methods, int* status) const {
  *status = 404;
  if (request.path.empty() || request.path.front() != '/') return nullptr;
  for (std::string_view raw : split_segments(request.path)) {
    auto decoded = percent_decode(raw, false);
    if (!decoded) {
      *status = 400;
      return nullptr;
    }
    segments.push_back(std::move(*decoded));
  }

  const Route* chosen = nullptr;
  const Route* get_route = nullptr;
  for (const Route& route : routes_) {
    if (!matches(route, segments, nullptr)) continue;
    allowed_methods.insert(route.method);
    if (route.method == request.method && (chosen == nullptr || more_specific(route, *chosen))) {
      chosen = &route;
    }
    if (route.method == "GET" && (get_route == nullptr || more_specific(route, *get_route))) {
      get_route = &route;
    }
  }
  if (chosen == nullptr && request.method == "HEAD") chosen = get_route;
  if (chosen == nullptr && !allowed_methods.empty()) *status = 405;
  return chosen;
}

Response Router::dispatch(Request& request) const {
  std::vector<std::string> segments;
  std::set<std::string> allowed_methods;
  int status = 0;
  const Route* chosen = find(request, segments, allowed_methods, &status);
  if (chosen == nullptr) {
    if (status == 400) return error_responder_(request, 400, "bad_request", "malformed percent-encoding in path");
    if (status == 404) return error_responder_(request, 404, "not_found", "resource not found");
    if (allowed_methods.contains("GET")) allowed_methods.insert("HEAD");
    Response response = error_responder_(request, 405, "method_not_allowed", "method not allowed");
    response.headers.emplace_back("Allow", join(allowed_methods, ", "));
    return response;
  }
  request.params.clear();
  matches(*chosen, segments, &request.params);
  return chosen->handler(request);
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> listed;
  listed.reserve(routes_.size());
  for (const Route& route : routes_) listed.emplace_back(route.method, route.pattern);
  return listed;
}

}  // namespace tillit::web
