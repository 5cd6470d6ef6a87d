// The signed-in person's own page, /account: who they are, their roles and sign-ins, a link
// to change the password, and their API tokens (list, create with a scope no wider than their
// own permissions, shown once; revoke). services::SignInService creates and revokes tokens and
// decides what a token may carry.
#include <algorithm>

#include "page_support.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/identity_repository.h"

namespace tillit::web {

namespace {

using namespace pages;
using services::Permission;
using Form = std::map<std::string, std::string>;

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = std::min(text.find(' ', at), text.size());
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// `error` goes to the form that creates tokens when `at_create_form`, above everything otherwise.
Response account_page(const Request& r, const Identity& who, services::Installation& inst, int status,
                      const std::string& error, bool at_create_form, const Form& form) {
  auto tx = inst.db().begin(store::Access::read);
  if (!tx) return refused(r, who, tx.error());
  auto user = store::find_user_by_id(**tx, who.actor.user_id);
  if (!user) return refused(r, who, user.error());
  if (!*user) return refused(r, who, make_error(ErrorCode::not_found, t(r, "error_404")));
  auto tokens = store::api_tokens_of(**tx, who.actor.user_id);
  if (!tokens) return refused(r, who, tokens.error());
  tx->reset();

  data view{data::type::object};
  notice_from_query(r, view, {"token_revoked"});
  view.set("username", (*user)->username);
  view.set("display_name", (*user)->display_name);
  std::vector<std::string> roles;
  for (auto role : who.actor.roles) roles.emplace_back(services::to_string(role));
  view.set("roles", joined_words(r, "role_", roles));
  auto at_from = [&](const std::string& at, const std::string& address) {
    return at.empty() ? t(r, "never") : when(r, at) + " " + t(r, "from_word") + " " + address;
  };
  view.set("last_login", at_from((*user)->last_login_at, (*user)->last_login_address));
  view.set("last_failure", at_from((*user)->last_failed_login_at, (*user)->last_failed_login_address));
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  view.set("can_calendar", flag(services::authorize(who.actor, services::Permission::compliance_read).ok()));

  const std::string now = format_rfc3339(services::now_utc());
  list rows;
  for (const auto& tok : *tokens) {
    data row{data::type::object};
    const bool revoked = !tok.revoked_at.empty();
    const bool expired = !revoked && tok.expires_at <= now;
    row.set("id", std::to_string(tok.id));
    row.set("name", tok.name);
    row.set("permissions", joined_words(r, "perm_", words_of(tok.permissions)));
    row.set("created", when(r, tok.created_at));
    row.set("expires", when(r, tok.expires_at));
    row.set("last_used", when(r, tok.last_used_at));
    row.set("state", t(r, revoked ? "token_revoked" : expired ? "token_expired" : "token_active"));
    row.set("can_revoke", flag(!revoked && !expired));
    rows.push_back(row);
  }
  view.set("has_tokens", flag(!rows.empty()));
  view.set("tokens", rows);

  list permissions;
  for (auto p : services::all_permissions()) {
    if (!services::authorize(who.actor, p)) continue;
    const std::string name = services::to_string(p);
    data d{data::type::object};
    d.set("value", name);
    d.set("label", word(r, "perm_", name));
    d.set("checked", flag(checked(form, "perm_" + name)));
    permissions.push_back(d);
  }
  view.set("has_permissions", flag(!permissions.empty()));
  view.set("permission_options", permissions);
  const auto max_days = inst.config().identity.api_token_max_lifetime.count();
  view.set("max_days", std::to_string(max_days));
  view.set("f_name", field(form, "name"));
  view.set("f_days", field(form, "days").empty() ? std::string("90") : field(form, "days"));
  view.set("days_hint", t(r, "token_days_hint") + " " + std::to_string(max_days) + ".");
  view.set("create_has_error", flag(at_create_form && !error.empty()));
  view.set("has_error", flag(!at_create_form && !error.empty()));
  view.set("error", error);
  return render(r, &who, status, "account", view, t(r, "account_heading"), "account");
}

}  // namespace

void add_account_pages(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/account", [&inst](Request& r, const Identity& who) {
    return account_page(r, who, inst, 200, "", false, {});
  });

  routes.add("POST", "/account/tokens", [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    std::vector<Permission> permissions;
    for (auto p : services::all_permissions())
      if (checked(f, std::string("perm_") + services::to_string(p))) permissions.push_back(p);
    const std::int64_t days = positive_number(field(f, "days"));
    if (days == 0) return account_page(r, who, inst, 400, t(r, "token_days_invalid"), true, f);
    const std::chrono::days lifetime(std::min<std::int64_t>(days, 100000));  // the service names the real limit
    auto issued = services::SignInService(inst).create_token(who.actor, who.actor.user_id, field(f, "name"),
                                                             permissions, lifetime);
    if (!issued) return account_page(r, who, inst, http_status(issued.error().code), issued.error().message, true, f);
    data view{data::type::object};
    view.set("token", issued->token);
    view.set("name", field(f, "name"));
    view.set("expires", when(r, issued->expires_at));
    return render(r, &who, 200, "account_token", view, t(r, "token_created_heading"), "account");
  });

  routes.add("POST", "/account/tokens/{id}/revoke", [&inst](Request& r, const Identity& who) {
    const std::int64_t id = positive_number(r.params["id"]);
    if (id == 0) return refused(r, who, make_error(ErrorCode::not_found, t(r, "error_404")));
    if (auto s = services::SignInService(inst).revoke_token(who.actor, id); !s)
      return account_page(r, who, inst, http_status(s.error().code), s.error().message, false, {});
    return redirect_to(r, "/account", "&done=token_revoked");
  });
}

}  // namespace tillit::web
