#include "identity.h"

#include "tillit/crypto/crypto.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web {

namespace {

bool is_safe_method(const std::string& m) { return m == "GET" || m == "HEAD"; }
bool is_api(const Request& r) { return r.path.rfind("/api/", 0) == 0; }

Response refuse(const Request& r, int status, std::string_view code, std::string_view message) {
  return error_page_or_json(r, status, code, message);
}

// Only requests this site's own pages sent may change anything (a second line behind
// SameSite=Strict cookies and the CSRF token). Sec-Fetch-Site decides when the browser sends
// it: under Referrer-Policy: no-referrer browsers send "Origin: null" even for this site's own
// form posts. Without it, the Origin header must name this site.
bool from_this_origin(const Request& r) {
  if (auto site = r.header("Sec-Fetch-Site")) return *site == "same-origin" || *site == "none";
  if (auto origin = r.header("Origin")) {
    const auto host = r.header("Host").value_or("");
    if (*origin != "https://" + host) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> cookie(const Request& r, std::string_view name) { return cookie_value(r.headers, name); }

std::string session_cookie(const std::string& session_id) {
  // No Max-Age: the cookie ends with the browser; the server enforces idle and absolute limits.
  return std::string(kSessionCookie) + "=" + session_id + "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string expired_session_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

std::map<std::string, std::string> form_of(const Request& r) {
  const auto type = r.header("Content-Type").value_or("");
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) return {};
  return parse_urlencoded(r.body).value_or(std::map<std::string, std::string>{});
}

Identity identify(services::Installation& inst, const Request& r) {
  Identity id;
  id.actor = services::anonymous(r.client_address);
  if (auto auth = r.header("Authorization")) {
    constexpr std::string_view bearer = "Bearer ";
    if (auth->rfind(bearer, 0) == 0) {
      auto actor = services::SignInService(inst).authenticate_token(std::string_view(*auth).substr(bearer.size()),
                                                                    r.client_address);
      if (actor) {
        id.actor = std::move(*actor);
        id.via_token = true;
      } else {
        id.session_problem = actor.error().message;
      }
      return id;
    }
  }
  if (auto value = cookie(r, kSessionCookie); value && !value->empty()) {
    auto session = services::SignInService(inst).resolve(*value, r.client_address);
    if (session) {
      id.actor = session->actor;
      id.session = std::move(*session);
    } else {
      id.session_problem = session.error().message;
    }
  }
  return id;
}

void AppRoutes::add(const std::string& method, const std::string& pattern, AppHandler handler, bool needs_sign_in) {
  router_.add(method, pattern, gate(std::move(handler), needs_sign_in));
}

Handler AppRoutes::gate(AppHandler handler, bool needs_sign_in) {
  services::Installation& inst = inst_;
  return [&inst, handler = std::move(handler), needs_sign_in](Request& r) {
    const Identity who = identify(inst, r);
    if (!is_safe_method(r.method)) {
      if (!who.via_token && !from_this_origin(r))
        return refuse(r, 403, "cross_origin", "this request came from another site and was refused");
      if (who.session) {
        std::string sent = r.header("X-CSRF-Token").value_or("");
        if (sent.empty()) {
          const auto form = form_of(r);
          if (auto it = form.find("csrf_token"); it != form.end()) sent = it->second;
        }
        // A streamed body arrives only after this check: a form posting one carries the token
        // in its action URL (never logged; Referrer-Policy: no-referrer keeps it on this site).
        if (sent.empty() && r.body_stream != nullptr) {
          if (auto it = r.query.find("csrf_token"); it != r.query.end()) sent = it->second;
        }
        if (!crypto::constant_time_equal(sent, who.session->csrf_token))
          return refuse(r, 403, "csrf", "the form's security token is missing or stale; reload the page and try again");
      }
    }
    if (needs_sign_in && !who.signed_in()) {
      if (is_api(r)) {
        auto res = json_error(401, "unauthenticated",
                              who.session_problem.empty()
                                  ? "sign in first, or send an API token as 'Authorization: Bearer tillit_...'"
                                  : who.session_problem);
        res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tillit\"");
        return res;
      }
      if (who.session) return Response::redirect("/login/continue");
      std::string next = r.target.substr(0, 512);
      auto res = Response::redirect("/login?next=" + percent_encode_segment(next));
      if (!who.session_problem.empty()) res.headers.emplace_back("Set-Cookie", expired_session_cookie());
      return res;
    }
    return handler(r, who);
  };
}

AppHandler AppRoutes::authorized(services::Permission permission, AppHandler handler) {
  return [permission, handler = std::move(handler)](Request& r, const Identity& who) {
    if (auto s = services::authorize(who.actor, permission); !s) {
      if (is_api(r)) return json_error(http_status(s.error().code), to_string(s.error().code), s.error().message);
      return error_page(r, http_status(s.error().code), s.error().message, &who);
    }
    return handler(r, who);
  };
}

void AppRoutes::add(const std::string& method, const std::string& pattern, services::Permission permission,
                    AppHandler handler) {
  add(method, pattern, authorized(permission, std::move(handler)));
}

void AppRoutes::add_streamed(const std::string& method, const std::string& pattern, services::Permission permission,
                             std::size_t max_bytes, AppHandler handler) {
  router_.add(method, pattern, gate(authorized(permission, std::move(handler)), true), StreamedBody{max_bytes});
}

}  // namespace tillit::web
