#include "view.h"

#include "tillit/core/version.h"

namespace tillit::web {

using kainjow::mustache::mustache;

std::string language_of(const Request& r) {
  if (const auto it = r.query.find("lang"); it != r.query.end()) return it->second == "en" ? "en" : "sv";
  const auto accept = r.header("Accept-Language").value_or("");
  return accept.rfind("en", 0) == 0 ? "en" : "sv";
}

std::string percent_encode_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
      out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

data flag(bool value) { return value ? data::type::bool_true : data::type::bool_false; }

namespace {
std::string template_text(std::string_view name) {
  const auto text = embedded::find(name);
  if (!text) throw std::logic_error("missing template " + std::string(name));
  return std::string(*text);
}
}  // namespace

Response render(const Request& r, const Identity* who, int status, std::string_view page, data view,
                const std::string& title, std::string_view nav) {
  const std::string lang = language_of(r);
  data t{data::type::object};
  for (const auto& [key, texts] : ui_strings()) t.set(key, lang == "en" ? texts.second : texts.first);
  view.set("t", t);
  view.set("lang", lang);
  mustache body_template{template_text(std::string(page) + ".mustache")};
  const std::string body = body_template.render(view);

  data layout{data::type::object};
  layout.set("t", t);
  layout.set("lang", lang);
  layout.set("title", title);
  layout.set("content", body);
  layout.set("version", kVersion);
  layout.set(std::string("nav_") + std::string(nav), data::type::bool_true);
  const std::string other = lang == "en" ? "sv" : "en";
  layout.set("other_lang", other);
  std::string href = r.path + "?lang=" + other;
  for (const auto& [k, v] : r.query)
    if (k == "q") href += "&q=" + percent_encode_segment(v);
  layout.set("other_lang_href", href);
  if (who && who->session && who->actor.kind == services::ActorKind::user) {
    layout.set("signed_in", data::type::bool_true);
    layout.set("user_name", who->session->display_name);
    layout.set("csrf_token", who->session->csrf_token);
    using services::Permission;
    layout.set("can_admin", flag(services::authorize(who->actor, Permission::users_read).ok()));
    layout.set("can_review", flag(services::authorize(who->actor, Permission::access_review).ok()));
    layout.set("can_catalog", flag(services::authorize(who->actor, Permission::catalog_read).ok()));
    layout.set("can_findings", flag(services::authorize(who->actor, Permission::findings_read).ok()));
    layout.set("can_duties", flag(services::authorize(who->actor, Permission::compliance_read).ok()));
    layout.set("can_reports", flag(services::authorize(who->actor, Permission::compliance_read).ok()));
  }
  mustache layout_template{template_text("layout.mustache")};
  return Response::html(status, layout_template.render(layout));
}

std::string t(const Request& r, const std::string& key) {
  const auto& s = ui_strings().at(key);
  return language_of(r) == "en" ? s.second : s.first;
}

Response error_page(const Request& r, int status, std::string_view message, const Identity* who) {
  data view{data::type::object};
  const std::string heading = t(r, status == 404 ? "error_404" : "error_other");
  view.set("heading", heading);
  view.set("message", std::string(message));
  return render(r, who, status, "error", view, heading, "none");
}


}  // namespace tillit::web
