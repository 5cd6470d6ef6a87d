// The sign-in pages: password, setup code, one-time code, new password, authenticator
// enrolment, and signing out. Each step answers with a redirect to /login/continue, which
// sends the browser to the page for the session's current stage, so a reload or the back
// button never replays a step.
#include <nlohmann/json.hpp>

#include "qr_code.h"
#include "tillit/federation/oidc_client.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web {

namespace {

using services::SessionGrant;
using services::SessionStage;
using services::SignInService;

// Only a path on this site: never "//host" or "/\host", which browsers treat as another site.
std::string safe_next(const std::string& next) {
  if (next.size() < 1 || next.size() > 512 || next[0] != '/' || (next.size() > 1 && (next[1] == '/' || next[1] == '\\')))
    return "/";
  for (char c : next)
    if (static_cast<unsigned char>(c) < 0x20) return "/";
  return next;
}

std::string next_of(const Request& r) {
  const auto form = form_of(r);
  if (auto it = form.find("next"); it != form.end()) return safe_next(it->second);
  if (auto it = r.query.find("next"); it != r.query.end()) return safe_next(it->second);
  return "/";
}

struct Field {
  const char* name;
  const char* label_key;
  const char* type;
  const char* autocomplete;
  bool numeric = false;
};

struct FormPage {
  std::string heading_key, intro_key, action, submit_key;
  std::vector<Field> fields;
  std::vector<std::pair<std::string, std::string>> links;  // href, text key
  std::string hint;
};

Response form(const Request& r, const Identity& who, int status, const FormPage& p, const std::string& error,
              const std::string& extra_html = {}, const std::string& secret = {}) {
  data view{data::type::object};
  view.set("heading", t(r, p.heading_key));
  view.set("has_intro", flag(!p.intro_key.empty()));
  if (!p.intro_key.empty()) view.set("intro", t(r, p.intro_key));
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  view.set("action", p.action + "?lang=" + language_of(r));
  view.set("submit", t(r, p.submit_key));
  view.set("next", next_of(r));
  view.set("has_csrf", flag(who.session.has_value()));
  if (who.session) view.set("csrf_token", who.session->csrf_token);
  view.set("has_hint", flag(!p.hint.empty()));
  view.set("hint", p.hint);
  view.set("has_qr", flag(!extra_html.empty()));
  view.set("qr_svg", extra_html);
  view.set("secret", secret);
  list fields;
  bool first = true;
  for (const auto& f : p.fields) {
    data d{data::type::object};
    d.set("name", f.name);
    d.set("label", t(r, f.label_key));
    d.set("type", f.type);
    d.set("autocomplete", f.autocomplete);
    d.set("numeric", flag(f.numeric));
    d.set("has_error", flag(!error.empty()));
    d.set("first", flag(first));
    first = false;
    fields.push_back(d);
  }
  view.set("fields", fields);
  list links;
  for (const auto& [href, key] : p.links) {
    data d{data::type::object};
    d.set("href", href + (href.find('?') == std::string::npos ? "?" : "&") + "lang=" + language_of(r));
    d.set("text", t(r, key));
    links.push_back(d);
  }
  view.set("links", links);
  return render(r, &who, status, "sign_in", view, t(r, p.heading_key), "none");
}

FormPage password_page() {
  return FormPage{"sign_in_heading", "sign_in_intro", "/login", "sign_in_button",
                          {{"username", "username", "text", "username"},
                           {"password", "password", "password", "current-password"}},
                          {{"/login/setup-code", "use_setup_code"}}, ""};
}
const FormPage& setup_code_page() {
  static const FormPage p{"setup_code_heading", "setup_code_intro", "/login/setup-code", "continue",
                          {{"username", "username", "text", "username"},
                           {"setup_code", "setup_code", "text", "one-time-code"}},
                          {{"/login", "use_password"}}, ""};
  return p;
}
const FormPage& code_page() {
  static const FormPage p{"code_heading", "code_intro", "/login/code", "verify_button",
                          {{"code", "one_time_code", "text", "one-time-code", true}}, {}, ""};
  return p;
}
const FormPage& new_password_page(bool signed_in) {
  static const FormPage first{"password_heading", "password_intro", "/login/password", "save_password",
                              {{"new_password", "new_password", "password", "new-password"},
                               {"repeat_password", "repeat_password", "password", "new-password"}},
                              {}, ""};
  static const FormPage change{"password_heading", "password_intro", "/account/password", "save_password",
                               {{"current_password", "current_password", "password", "current-password"},
                                {"new_password", "new_password", "password", "new-password"},
                                {"repeat_password", "repeat_password", "password", "new-password"}},
                               {}, ""};
  return signed_in ? change : first;
}
const FormPage& enrol_page() {
  static const FormPage p{"enrol_heading", "enrol_intro", "/login/enrol", "verify_button",
                          {{"code", "one_time_code", "text", "one-time-code", true}}, {}, ""};
  return p;
}

// Sets the new session cookie and sends the browser on to its next stage.
Response continue_with(const SessionGrant& g, const std::string& next, const std::string& lang) {
  auto res = Response::redirect("/login/continue?lang=" + lang + "&next=" + percent_encode_segment(next));
  res.headers.emplace_back("Set-Cookie", session_cookie(g.session_id));
  return res;
}

int status_of(const Error& e) { return http_status(e.code); }

std::string when(const Request& r, const std::string& at, const std::string& address) {
  if (at.empty()) return t(r, "never");
  return at.substr(0, 16).replace(10, 1, " ") + " UTC " + t(r, "from_word") + " " + address;
}

Response signed_in_page(const Request& r, const Identity& who, const services::SignInHistory& h,
                        const std::vector<std::string>& codes, const std::string& session_id) {
  data view{data::type::object};
  view.set("previous_login", when(r, h.last_login_at, h.last_login_address));
  view.set("previous_failure", when(r, h.last_failed_login_at, h.last_failed_login_address));
  view.set("next", next_of(r));
  view.set("has_codes", flag(!codes.empty()));
  list items;
  for (const auto& c : codes) items.push_back(data(c));
  view.set("codes", items);
  auto res = render(r, &who, 200, "signed_in", view, t(r, "signed_in_heading"), "none");
  res.headers.emplace_back("Set-Cookie", session_cookie(session_id));
  return res;
}

std::string field(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// The federated sign-in's own cookie. SameSite=Lax, unlike the session cookie: the identity
// provider's redirect back is a cross-site navigation, on which a Strict cookie is not sent.
constexpr const char* kFederationCookie = "__Host-tillit-oidc";

std::shared_ptr<federation::OidcClient> make_oidc_client(const services::Config& config) {
  if (!config.federation.enabled()) return nullptr;
  federation::OidcConfig c;
  c.issuer = config.federation.issuer;
  c.client_id = config.federation.client_id;
  c.client_secret_file = config.federation.client_secret_file;
  c.redirect_uri = config.base_url() + "/auth/oidc/callback";
  c.required_acr = config.federation.required_acr;
  c.ca_bundle_file = config.federation.ca_file;
  auto client = federation::OidcClient::create(std::move(c));
  if (!client) throw std::invalid_argument("federated sign-in: " + client.error().message);
  return std::shared_ptr<federation::OidcClient>(std::move(*client));
}

}  // namespace

void add_sign_in_pages(AppRoutes& routes) {
  auto& inst = routes.inst();
  const auto oidc = make_oidc_client(inst.config());

  routes.add("GET", "/login", [oidc](Request& r, const Identity& who) {
    if (who.signed_in()) return Response::redirect(next_of(r));
    auto page = password_page();
    if (oidc) page.links.insert(page.links.begin(), {"/login/oidc", "use_eid"});
    return form(r, who, 200, page, who.session_problem);
  }, false);

  routes.add("POST", "/login", [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    auto g = SignInService(inst).with_password(field(f, "username"), field(f, "password"), r.client_address);
    if (!g) return form(r, who, status_of(g.error()), password_page(), g.error().message);
    return continue_with(*g, next_of(r), language_of(r));
  }, false);

  if (oidc) {
    routes.add("GET", "/login/oidc", [&inst, oidc](Request& r, const Identity& who) {
      auto login = oidc->begin(services::now_utc());
      if (!login) return form(r, who, status_of(login.error()), password_page(), login.error().message);
      const nlohmann::json secrets = {{"state", login->pending.state},
                                      {"nonce", login->pending.nonce},
                                      {"code_verifier", login->pending.code_verifier},
                                      {"created_at", format_rfc3339(login->pending.created_at)}};
      auto held = SignInService(inst).hold_federated_state(secrets.dump(), r.client_address);
      if (!held) return form(r, who, status_of(held.error()), password_page(), held.error().message);
      auto res = Response::redirect(login->authorization_url);
      res.headers.emplace_back("Set-Cookie", std::string(kFederationCookie) + "=" + *held +
                                                 "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600");
      return res;
    }, false);

    routes.add("GET", "/auth/oidc/callback", [&inst, oidc](Request& r, const Identity& who) {
      SignInService sign_in(inst);
      auto refused = [&](const Error& e) {
        auto res = form(r, who, status_of(e), password_page(), e.message);
        res.headers.emplace_back("Set-Cookie", std::string(kFederationCookie) + "=; Path=/; Secure; HttpOnly; "
                                                                                "SameSite=Lax; Max-Age=0");
        return res;
      };
      auto held = sign_in.take_federated_state(cookie(r, kFederationCookie).value_or(""));
      if (!held) return refused(held.error());
      const auto secrets = nlohmann::json::parse(*held, nullptr, false);
      auto created = parse_rfc3339(secrets.value("created_at", std::string()));
      if (secrets.is_discarded() || !created)
        return refused(make_error(ErrorCode::integrity, "the stored sign-in state is damaged; start again"));
      const federation::PendingLogin pending{secrets.value("state", std::string()), secrets.value("nonce", std::string()),
                                             secrets.value("code_verifier", std::string()), *created};
      auto param = [&](const char* name) { return r.query.count(name) ? r.query.at(name) : std::string(); };
      const federation::CallbackParams callback{param("code"), param("state"), param("iss"), param("error"),
                                                param("error_description")};
      auto person = oidc->finish(callback, pending, services::now_utc());
      if (!person) {
        (void)sign_in.record_federated_failure(person.error().message, r.client_address);
        return refused(person.error());
      }
      auto g = sign_in.with_federated_identity(person->issuer, person->subject, person->acr, r.client_address);
      if (!g) return refused(g.error());
      auto res = signed_in_page(r, who, g->previous, {}, g->session_id);
      res.headers.emplace_back("Set-Cookie", std::string(kFederationCookie) + "=; Path=/; Secure; HttpOnly; "
                                                                              "SameSite=Lax; Max-Age=0");
      return res;
    }, false);
  }

  routes.add("GET", "/login/setup-code", [](Request& r, const Identity& who) {
    return form(r, who, 200, setup_code_page(), "");
  }, false);

  routes.add("POST", "/login/setup-code", [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    auto g = SignInService(inst).with_setup_code(field(f, "username"), field(f, "setup_code"), r.client_address);
    if (!g) return form(r, who, status_of(g.error()), setup_code_page(), g.error().message);
    return continue_with(*g, next_of(r), language_of(r));
  }, false);

  // Sends the browser to the page of the session's current stage.
  routes.add("GET", "/login/continue", [](Request& r, const Identity& who) {
    const std::string suffix = "?lang=" + language_of(r) + "&next=" + percent_encode_segment(next_of(r));
    if (!who.session) return Response::redirect("/login" + suffix);
    switch (who.session->stage) {
      case SessionStage::second_factor: return Response::redirect("/login/code" + suffix);
      case SessionStage::set_password: return Response::redirect("/login/password" + suffix);
      case SessionStage::enroll_mfa: return Response::redirect("/login/enrol" + suffix);
      case SessionStage::signed_in: break;
    }
    return Response::redirect(next_of(r));
  }, false);

  routes.add("GET", "/login/code", [](Request& r, const Identity& who) {
    return form(r, who, 200, code_page(), "");
  }, false);

  routes.add("POST", "/login/code", [&inst](Request& r, const Identity& who) {
    const auto id = cookie(r, kSessionCookie).value_or("");
    auto g = SignInService(inst).second_factor(id, field(form_of(r), "code"), r.client_address);
    if (!g) return form(r, who, status_of(g.error()), code_page(), g.error().message);
    if (g->stage == SessionStage::signed_in) return signed_in_page(r, who, g->previous, {}, g->session_id);
    return continue_with(*g, next_of(r), language_of(r));
  }, false);

  routes.add("GET", "/login/password", [](Request& r, const Identity& who) {
    return form(r, who, 200, new_password_page(false), "");
  }, false);

  routes.add("POST", "/login/password", [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    if (field(f, "new_password") != field(f, "repeat_password"))
      return form(r, who, 400, new_password_page(false), t(r, "passwords_differ"));
    const auto id = cookie(r, kSessionCookie).value_or("");
    auto g = SignInService(inst).set_password(id, "", field(f, "new_password"), r.client_address);
    if (!g) return form(r, who, status_of(g.error()), new_password_page(false), g.error().message);
    if (g->stage == SessionStage::signed_in) return signed_in_page(r, who, g->previous, {}, g->session_id);
    return continue_with(*g, next_of(r), language_of(r));
  }, false);

  auto enrol_form = [&inst](Request& r, const Identity& who, int status, const std::string& error) {
    const auto id = cookie(r, kSessionCookie).value_or("");
    auto e = SignInService(inst).begin_mfa_enrollment(id, r.client_address);
    if (!e) return Response::redirect("/login/continue?lang=" + language_of(r));
    return form(r, who, status, enrol_page(), error, qr_code_svg(e->otpauth_uri, t(r, "qr_label")), e->secret_base32);
  };

  routes.add("GET", "/login/enrol", [enrol_form](Request& r, const Identity& who) {
    return enrol_form(r, who, 200, "");
  }, false);

  routes.add("POST", "/login/enrol", [&inst, enrol_form](Request& r, const Identity& who) {
    const auto id = cookie(r, kSessionCookie).value_or("");
    auto done = SignInService(inst).finish_mfa_enrollment(id, field(form_of(r), "code"), r.client_address);
    if (!done) return enrol_form(r, who, status_of(done.error()), done.error().message);
    return signed_in_page(r, who, done->grant.previous, done->recovery_codes, done->grant.session_id);
  }, false);

  routes.add("POST", "/logout", [&inst](Request& r, const Identity&) {
    if (auto id = cookie(r, kSessionCookie)) (void)SignInService(inst).sign_out(*id, r.client_address);
    auto res = Response::redirect("/login?lang=" + language_of(r));
    res.headers.emplace_back("Set-Cookie", expired_session_cookie());
    return res;
  }, false);

  routes.add("GET", "/account/password", [](Request& r, const Identity& who) {
    return form(r, who, 200, new_password_page(true), "");
  });

  routes.add("POST", "/account/password", [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    if (field(f, "new_password") != field(f, "repeat_password"))
      return form(r, who, 400, new_password_page(true), t(r, "passwords_differ"));
    const auto id = cookie(r, kSessionCookie).value_or("");
    auto g = SignInService(inst).set_password(id, field(f, "current_password"), field(f, "new_password"),
                                              r.client_address);
    if (!g) return form(r, who, status_of(g.error()), new_password_page(true), g.error().message);
    auto res = Response::redirect("/?lang=" + language_of(r));
    res.headers.emplace_back("Set-Cookie", session_cookie(g->session_id));
    return res;
  });
}

}  // namespace tillit::web
