// Who sent a request, and the gate every route passes through.
//
// A request is identified by its session cookie (__Host-tillit-session: Secure, HttpOnly,
// SameSite=Strict, Path=/) or by an API token (Authorization: Bearer tillit_...). State-
// changing requests (anything but GET and HEAD) are refused unless they come from this
// origin (Origin / Sec-Fetch-Site) and, when a session cookie authenticates them, carry the
// session's CSRF token (X-CSRF-Token header, or the csrf_token form field). Token requests
// carry no ambient credentials, so they need no CSRF token.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/web/router.h"

namespace tillit::web {

inline constexpr const char* kSessionCookie = "__Host-tillit-session";

struct Identity {
  services::Actor actor;                            // anonymous unless signed in or a valid token
  std::optional<services::CurrentSession> session;  // a live cookie session, at any stage
  std::string session_problem;                      // why a presented cookie was not accepted
  bool via_token = false;
  bool signed_in() const { return actor.kind == services::ActorKind::user || via_token; }
};

Identity identify(services::Installation& inst, const Request& r);
std::optional<std::string> cookie(const Request& r, std::string_view name);
std::string session_cookie(const std::string& session_id);
std::string expired_session_cookie();

// The decoded form fields of an application/x-www-form-urlencoded body (empty otherwise).
std::map<std::string, std::string> form_of(const Request& r);

using AppHandler = std::function<Response(Request&, const Identity&)>;

// Registers routes behind the gate: identity resolved once, origin and CSRF checked for
// state-changing methods. `needs_sign_in`: anonymous requests get 401 (API) or a redirect to
// the sign-in page (pages) before the handler runs.
class AppRoutes {
 public:
  AppRoutes(Router& router, services::Installation& inst) : router_(router), inst_(inst) {}
  void add(const std::string& method, const std::string& pattern, AppHandler handler, bool needs_sign_in = true);
  // Signed in and holding `permission` (checked here before the handler, and again by the
  // service it calls): 403 otherwise. The route-permission test reads what this enforces.
  void add(const std::string& method, const std::string& pattern, services::Permission permission,
           AppHandler handler);
  // Like the add() above, for a route whose request body is streamed, up to `max_bytes`
  // (large uploads): the gate (identity, origin, CSRF, permission) runs before a byte of the
  // body is read, then the handler pulls it through r.body_stream (tillit/web/http.h says how;
  // r.body stays empty). A browser form cannot send the X-CSRF-Token header and the body comes
  // too late, so here the token may also come as the csrf_token query parameter
  // (<form method="post" enctype="multipart/form-data" action="/x?csrf_token=...">).
  void add_streamed(const std::string& method, const std::string& pattern, services::Permission permission,
                    std::size_t max_bytes, AppHandler handler);
  services::Installation& inst() { return inst_; }

 private:
  Handler gate(AppHandler handler, bool needs_sign_in);
  static AppHandler authorized(services::Permission permission, AppHandler handler);

  Router& router_;
  services::Installation& inst_;
};

}  // namespace tillit::web
