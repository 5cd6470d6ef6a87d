// Account administration: /admin/users (the list, and creating an account) and
// /admin/users/{username} (an account's details and every change an administrator may make:
// setup code, roles, deactivation, reactivation, second-factor reset, eID link, deletion).
// Handlers turn forms into calls to services::AccountService and its answers into pages;
// who may do what, and which changes wait for a second administrator, is decided there.
#include <algorithm>

#include "page_support.h"
#include "tillit/services/accounts.h"

namespace tillit::web {

namespace {

using namespace pages;
using services::AccountService;
using services::Permission;
using services::Role;
using Form = std::map<std::string, std::string>;

bool may(const Identity& who, Permission p) { return services::authorize(who.actor, p).ok(); }
std::string csrf_of(const Identity& who) { return who.session ? who.session->csrf_token : std::string(); }
std::string user_path(const std::string& username) { return "/admin/users/" + percent_encode_segment(username); }

// Errors that mean "this page is not for you" get the error page; the rest are shown at the form.
bool is_refusal(const Error& e) {
  return e.code == ErrorCode::forbidden || e.code == ErrorCode::unauthenticated || e.code == ErrorCode::not_found;
}

// ----- /admin/users ---------------------------------------------------------------------------------------

Response users_page(const Request& r, const Identity& who, services::Installation& inst, int status,
                    const std::string& error, const Form& form) {
  auto all = AccountService(inst).list(who.actor);
  if (!all) return refused(r, who, all.error());
  list rows;
  for (const auto& a : *all) {
    data row{data::type::object};
    row.set("username", a.username);
    row.set("username_path", percent_encode_segment(a.username));
    row.set("display_name", a.display_name);
    row.set("kind", word(r, "kind_", a.kind));
    row.set("status", word(r, "status_", a.status));
    row.set("roles", joined_words(r, "role_", a.roles));
    row.set("mfa", t(r, a.mfa_enrolled ? "yes" : "no"));
    row.set("last_login", when(r, a.last_login_at));
    rows.push_back(row);
  }
  data view{data::type::object};
  admin_subnav(view, "users");
  notice_from_query(r, view, {});
  view.set("users", rows);
  view.set("count", std::to_string(all->size()));
  std::size_t waiting = 0;
  if (auto pending = AccountService(inst).approvals(who.actor, "pending")) waiting = pending->size();
  view.set("has_waiting", flag(waiting > 0));
  view.set("waiting", std::to_string(waiting));

  const bool manage = may(who, Permission::users_manage);
  view.set("can_manage", flag(manage));
  if (manage) {
    view.set("csrf_token", csrf_of(who));
    view.set("has_error", flag(!error.empty()));
    view.set("error", error);
    for (const char* name : {"username", "display_name", "email", "reason"})
      view.set(std::string("f_") + name, field(form, name));
    const bool admin_kind = field(form, "kind") == "admin";
    view.set("kind_admin", flag(admin_kind));
    view.set("kind_business", flag(!admin_kind));
    list roles;
    for (Role role : services::all_roles()) {
      const std::string name = services::to_string(role);
      data d{data::type::object};
      d.set("value", name);
      d.set("label", word(r, "role_", name));
      d.set("checked", flag(checked(form, "role_" + name)));
      d.set("privileged", flag(services::is_privileged(role)));
      roles.push_back(d);
    }
    view.set("role_options", roles);
  }
  return render(r, &who, status, "admin_users", view, t(r, "users_heading"), "admin");
}

// The page that shows a setup code once (a new account, or a new code for an existing one).
Response setup_code_page(const Request& r, const Identity& who, const std::string& heading, const std::string& username,
                         bool exists, const std::string& code, const std::string& expires_at,
                         const std::vector<std::int64_t>& request_ids) {
  data view{data::type::object};
  admin_subnav(view, "users", false);
  view.set("heading", heading);
  view.set("username", username);
  view.set("username_path", percent_encode_segment(username));
  view.set("exists", flag(exists));
  view.set("has_code", flag(!code.empty()));
  view.set("code", code);
  view.set("expires", when(r, expires_at));
  list requests;
  for (auto id : request_ids) requests.push_back(data("#" + std::to_string(id)));
  view.set("has_requests", flag(!request_ids.empty()));
  view.set("requests", requests);
  return render(r, &who, 200, "admin_setup_code", view, heading, "admin");
}

// ----- /admin/users/{username} ------------------------------------------------------------------------------

struct Input {
  std::string name;
  std::string label_key;
  std::string type = "text";  // "text", "url" or "select"
  std::vector<std::pair<std::string, std::string>> options = {};  // value, label
};

struct Action {
  std::string id;  // the last path segment of the form's target
  std::string key;  // UI strings action_KEY (heading), action_KEY_intro, action_KEY_button
  bool danger = false;
  std::vector<Input> inputs;
};

// The changes offered for an account in its current state. The service decides again when the
// form is sent; this only spares the administrator buttons that cannot work.
std::vector<Action> actions_for(const Request& r, const services::AccountView& a) {
  std::vector<Action> out;
  if (a.status == "deleted" || a.status == "awaiting_approval") return out;
  const Input reason{"reason", "reason"};
  if (a.status == "pending_setup" || a.status == "active") out.push_back({"setup-code", "setup_code", false, {}});
  std::vector<std::pair<std::string, std::string>> grantable, held;
  for (Role role : services::all_roles()) {
    const std::string name = services::to_string(role);
    if (std::find(a.roles.begin(), a.roles.end(), name) != a.roles.end())
      held.emplace_back(name, word(r, "role_", name));
    else if ((role == Role::admin) == (a.kind == "admin"))
      grantable.emplace_back(name, word(r, "role_", name));
  }
  if (!grantable.empty())
    out.push_back({"grant-role", "grant", false, {{"role", "role_label", "select", grantable}, reason}});
  if (!held.empty()) out.push_back({"remove-role", "remove", false, {{"role", "role_label", "select", held}, reason}});
  if (a.status == "disabled")
    out.push_back({"reactivate", "reactivate", false, {reason}});
  else
    out.push_back({"deactivate", "deactivate", true, {reason}});
  if (a.mfa_enrolled) out.push_back({"mfa-reset", "mfa_reset", false, {reason}});
  out.push_back({"federated", "federated", false, {{"issuer", "issuer_label", "url"}, {"subject", "subject_label"}}});
  out.push_back({"delete", "delete", true, {reason}});
  return out;
}

data action_view(const Request& r, const std::string& username, const Action& act, bool failing,
                 const std::string& error, const Form& form) {
  data d{data::type::object};
  d.set("id", act.id);
  d.set("heading", t(r, "action_" + act.key));
  d.set("intro", t(r, "action_" + act.key + "_intro"));
  d.set("submit", t(r, "action_" + act.key + "_button"));
  d.set("action", user_path(username) + "/" + act.id + "?lang=" + language_of(r));
  d.set("danger", flag(act.danger));
  d.set("has_error", flag(failing));
  d.set("error", failing ? error : std::string());
  list inputs;
  for (const auto& in : act.inputs) {
    data i{data::type::object};
    const std::string value = failing ? field(form, in.name) : std::string();
    i.set("input_id", act.id + "-" + in.name);
    i.set("name", in.name);
    i.set("label", t(r, in.label_key));
    i.set("type", in.type);
    i.set("is_select", flag(in.type == "select"));
    i.set("value", value);
    i.set("has_error", flag(failing));
    list options;
    for (const auto& [v, label] : in.options) {
      data o{data::type::object};
      o.set("value", v);
      o.set("label", label);
      o.set("selected", flag(v == value));
      options.push_back(o);
    }
    i.set("options", options);
    inputs.push_back(i);
  }
  d.set("inputs", inputs);
  return d;
}

// The account's page; `failed_action` and `error` put a refused change's message at its form.
Response user_page(const Request& r, const Identity& who, services::Installation& inst, const std::string& username,
                   int status, const std::string& failed_action, const std::string& error, const Form& form) {
  auto a = AccountService(inst).get(who.actor, username);
  if (!a) return refused(r, who, a.error());
  data view{data::type::object};
  admin_subnav(view, "users", false);
  notice_from_query(r, view, {"role_granted", "role_removed", "deactivated", "linked", "deleted"});
  view.set("username", a->username);
  view.set("display_name", a->display_name);
  view.set("email", a->email.empty() ? "–" : a->email);
  view.set("kind", word(r, "kind_", a->kind));
  view.set("status", word(r, "status_", a->status));
  view.set("roles", joined_words(r, "role_", a->roles));
  view.set("mfa", t(r, a->mfa_enrolled ? "yes" : "no"));
  view.set("federated", t(r, a->federated ? "yes" : "no"));
  view.set("last_login", when(r, a->last_login_at));
  view.set("created", when(r, a->created_at));
  view.set("csrf_token", csrf_of(who));

  list actions;
  bool shown_at_form = false;
  if (may(who, Permission::users_manage)) {
    for (const auto& act : actions_for(r, *a)) {
      const bool failing = !error.empty() && act.id == failed_action;
      shown_at_form = shown_at_form || failing;
      actions.push_back(action_view(r, a->username, act, failing, error, form));
    }
  }
  view.set("has_actions", flag(!actions.empty()));
  view.set("actions", actions);
  view.set("has_error", flag(!error.empty() && !shown_at_form));
  view.set("error", error);
  return render(r, &who, status, "admin_user", view, t(r, "user_heading") + " " + a->username, "admin");
}

Response confirm_delete_page(const Request& r, const Identity& who, const std::string& username,
                             const std::string& reason) {
  data view{data::type::object};
  admin_subnav(view, "users", false);
  view.set("username", username);
  view.set("user_path", user_path(username));
  view.set("reason", reason);
  view.set("csrf_token", csrf_of(who));
  const std::string heading = t(r, "confirm_delete_heading") + " " + username + "?";
  view.set("heading", heading);
  return render(r, &who, 200, "admin_confirm_delete", view, heading, "admin");
}

}  // namespace

void add_admin_pages(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/admin/users", services::Permission::users_read, [&inst](Request& r, const Identity& who) {
    return users_page(r, who, inst, 200, "", {});
  });

  routes.add("POST", "/admin/users", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    services::NewAccount n{field(f, "username"), field(f, "display_name"), field(f, "email"),
                           field(f, "kind") == "admin" ? "admin" : "business", {}};
    for (Role role : services::all_roles())
      if (checked(f, std::string("role_") + services::to_string(role))) n.roles.push_back(role);
    auto created = AccountService(inst).create(who.actor, n, field(f, "reason"));
    if (!created) {
      if (is_refusal(created.error())) return refused(r, who, created.error());
      return users_page(r, who, inst, http_status(created.error().code), created.error().message, f);
    }
    const bool exists = created->account.id != 0;
    return setup_code_page(r, who, t(r, exists ? "created_heading" : "created_pending_heading"), n.username, exists,
                           created->setup_code, created->setup_code_expires_at, created->request_ids);
  });

  routes.add("GET", "/admin/users/{username}", services::Permission::users_read, [&inst](Request& r, const Identity& who) {
    return user_page(r, who, inst, r.params["username"], 200, "", "", {});
  });

  routes.add("POST", "/admin/users/{username}/{action}", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    const std::string username = r.params["username"];
    const std::string action = r.params["action"];
    const std::string reason = field(f, "reason");
    AccountService accounts(inst);
    auto failed = [&](const Error& e) {
      if (is_refusal(e)) return refused(r, who, e);
      return user_page(r, who, inst, username, http_status(e.code), action, e.message, f);
    };
    // A change applied at once, or a four-eyes request opened (id > 0).
    auto outcome = [&](const Result<std::int64_t>& id, const char* done) {
      if (!id) return failed(id.error());
      if (*id > 0) return redirect_to(r, user_path(username), "&request=" + std::to_string(*id));
      return redirect_to(r, user_path(username), std::string("&done=") + done);
    };
    auto done = [&](const Status& s, const char* key) {
      if (!s) return failed(s.error());
      return redirect_to(r, user_path(username), std::string("&done=") + key);
    };

    if (action == "setup-code") {
      auto code = accounts.issue_setup_code(who.actor, username);
      if (!code) return failed(code.error());
      return setup_code_page(r, who, t(r, "new_setup_code_heading") + " " + username, username, true, code->code,
                             code->expires_at, {});
    }
    if (action == "grant-role" || action == "remove-role") {
      const auto role = services::role_from_string(field(f, "role"));
      if (!role) return failed(make_error(ErrorCode::invalid_argument, t(r, "choose_role")));
      const bool grant = action == "grant-role";
      return outcome(grant ? accounts.grant_role(who.actor, username, *role, reason)
                           : accounts.remove_role(who.actor, username, *role, reason),
                     grant ? "role_granted" : "role_removed");
    }
    if (action == "deactivate") return done(accounts.deactivate(who.actor, username, reason), "deactivated");
    if (action == "reactivate") return outcome(accounts.request_reactivation(who.actor, username, reason), "");
    if (action == "mfa-reset") return outcome(accounts.request_mfa_reset(who.actor, username, reason), "");
    if (action == "federated")
      return done(accounts.link_federated(who.actor, username, field(f, "issuer"), field(f, "subject")), "linked");
    if (action == "delete") {
      // Two steps: the first shows what will happen and asks again.
      if (field(f, "confirm") != "yes") {
        auto a = accounts.get(who.actor, username);
        if (!a) return refused(r, who, a.error());
        if (auto s = services::authorize(who.actor, Permission::users_manage); !s) return refused(r, who, s.error());
        return confirm_delete_page(r, who, a->username, reason);
      }
      return done(accounts.remove(who.actor, username, reason), "deleted");
    }
    return refused(r, who, make_error(ErrorCode::not_found, t(r, "error_404")));
  });
}

}  // namespace tillit::web
