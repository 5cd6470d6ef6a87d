// The JSON API for accounts, four-eyes requests and API tokens. Bodies are JSON objects;
// every change that needs a justification takes "reason".
#include <nlohmann/json.hpp>

#include <charconv>

#include "identity.h"
#include "tillit/services/accounts.h"
#include "tillit/store/identity_repository.h"
#include "api_support.h"
#include "tillit/web/app.h"

namespace tillit::web {

namespace {

using api::path_id;
using api::body_of;
using api::dump;
using api::error_json;
using api::ok;
using api::text;

using nlohmann::json;
using services::AccountService;




Result<services::Role> role_named(const std::string& name) {
  if (auto r = services::role_from_string(name)) return *r;
  return make_error(ErrorCode::invalid_argument, "unknown role '" + name +
                                                     "' (roles: auditor, engineer, security_manager, "
                                                     "data_protection_officer, admin)");
}

json account_json(const services::AccountView& a) {
  return {{"id", a.id},
          {"username", a.username},
          {"display_name", a.display_name},
          {"email", a.email},
          {"kind", a.kind},
          {"status", a.status},
          {"roles", a.roles},
          {"mfa_enrolled", a.mfa_enrolled},
          {"federated", a.federated},
          {"last_login_at", a.last_login_at.empty() ? json(nullptr) : json(a.last_login_at)},
          {"created_at", a.created_at}};
}

json approval_json(const services::ApprovalView& a) {
  auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"id", a.id},
          {"kind", a.kind},
          {"target_user", opt(a.target_username)},
          {"summary", a.summary},
          {"reason", a.reason},
          {"requested_by", a.requested_by},
          {"requested_at", a.requested_at},
          {"status", a.status},
          {"decided_by", opt(a.decided_by)},
          {"decided_at", opt(a.decided_at)},
          {"decision_note", opt(a.decision_note)}};
}

// Runs `action` with the body's "reason" and answers 200 {"request_id": n} or 204-like {"done": true}.
Response request_outcome(const Result<std::int64_t>& id) {
  if (!id) return error_json(id.error());
  if (*id == 0) return ok({{"applied", true}, {"request_id", nullptr}});
  return ok({{"applied", false}, {"request_id", *id}, {"status", "pending"}}, 202);
}

}  // namespace

void add_identity_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/api/v1/me", [](Request&, const Identity& who) {
    json roles = json::array(), permissions = json::array();
    for (auto r : who.actor.roles) roles.push_back(services::to_string(r));
    for (auto p : services::all_permissions())
      if (services::authorize(who.actor, p)) permissions.push_back(services::to_string(p));
    return ok({{"id", who.actor.id},
               {"username", who.actor.username},
               {"roles", roles},
               {"permissions", permissions},
               {"via_token", who.via_token}});
  });

  routes.add("GET", "/api/v1/users", services::Permission::users_read, [&inst](Request&, const Identity& who) {
    auto all = AccountService(inst).list(who.actor);
    if (!all) return error_json(all.error());
    json items = json::array();
    for (const auto& a : *all) items.push_back(account_json(a));
    return ok({{"items", items}, {"total", items.size()}});
  });

  routes.add("POST", "/api/v1/users", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    services::NewAccount n;
    auto username = text(*body, "username"), display = text(*body, "display_name"), email = text(*body, "email"),
         kind = text(*body, "kind"), reason = text(*body, "reason");
    for (const auto* f : {&username, &display, &email, &kind, &reason})
      if (!*f) return error_json(f->error());
    n.username = *username;
    n.display_name = *display;
    n.email = *email;
    n.kind = kind->empty() ? "business" : *kind;
    if (body->contains("roles")) {
      if (!(*body)["roles"].is_array()) return error_json(make_error(ErrorCode::invalid_argument, "'roles' must be a list"));
      for (const auto& v : (*body)["roles"]) {
        if (!v.is_string()) return error_json(make_error(ErrorCode::invalid_argument, "each role must be a string"));
        auto role = role_named(v.get<std::string>());
        if (!role) return error_json(role.error());
        n.roles.push_back(*role);
      }
    }
    auto created = AccountService(inst).create(who.actor, n, *reason);
    if (!created) return error_json(created.error());
    json j = {{"account", account_json(created->account)}, {"request_ids", created->request_ids}};
    if (!created->setup_code.empty()) {
      j["setup_code"] = created->setup_code;
      j["setup_code_expires_at"] = created->setup_code_expires_at;
    }
    return ok(j, created->account.id ? 201 : 202);
  });

  routes.add("GET", "/api/v1/users/{username}", services::Permission::users_read, [&inst](Request& r, const Identity& who) {
    auto a = AccountService(inst).get(who.actor, r.params["username"]);
    if (!a) return error_json(a.error());
    return ok(account_json(*a));
  });

  routes.add("DELETE", "/api/v1/users/{username}", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    const std::string reason = r.query.count("reason") ? r.query.at("reason") : "";
    if (auto s = AccountService(inst).remove(who.actor, r.params["username"], reason); !s) return error_json(s.error());
    return ok({{"deleted", true}});
  });

  routes.add("POST", "/api/v1/users/{username}/deactivate", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto reason = text(*body, "reason");
    if (!reason) return error_json(reason.error());
    if (auto s = AccountService(inst).deactivate(who.actor, r.params["username"], *reason); !s)
      return error_json(s.error());
    return ok({{"status", "disabled"}});
  });

  routes.add("POST", "/api/v1/users/{username}/reactivation", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto reason = text(*body, "reason");
    if (!reason) return error_json(reason.error());
    return request_outcome(AccountService(inst).request_reactivation(who.actor, r.params["username"], *reason));
  });

  routes.add("POST", "/api/v1/users/{username}/mfa-reset", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto reason = text(*body, "reason");
    if (!reason) return error_json(reason.error());
    return request_outcome(AccountService(inst).request_mfa_reset(who.actor, r.params["username"], *reason));
  });

  routes.add("POST", "/api/v1/users/{username}/setup-code", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto code = AccountService(inst).issue_setup_code(who.actor, r.params["username"]);
    if (!code) return error_json(code.error());
    return ok({{"setup_code", code->code}, {"expires_at", code->expires_at}}, 201);
  });

  routes.add("POST", "/api/v1/users/{username}/roles", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto role = text(*body, "role"), reason = text(*body, "reason");
    if (!role) return error_json(role.error());
    if (!reason) return error_json(reason.error());
    auto parsed = role_named(*role);
    if (!parsed) return error_json(parsed.error());
    return request_outcome(AccountService(inst).grant_role(who.actor, r.params["username"], *parsed, *reason));
  });

  routes.add("DELETE", "/api/v1/users/{username}/roles/{role}", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto parsed = role_named(r.params["role"]);
    if (!parsed) return error_json(parsed.error());
    const std::string reason = r.query.count("reason") ? r.query.at("reason") : "";
    return request_outcome(AccountService(inst).remove_role(who.actor, r.params["username"], *parsed, reason));
  });

  routes.add("PUT", "/api/v1/users/{username}/federated-identity", services::Permission::users_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto issuer = text(*body, "issuer"), subject = text(*body, "subject");
    if (!issuer) return error_json(issuer.error());
    if (!subject) return error_json(subject.error());
    if (auto s = AccountService(inst).link_federated(who.actor, r.params["username"], *issuer, *subject); !s)
      return error_json(s.error());
    return ok({{"issuer", *issuer}, {"subject", *subject}});
  });

  routes.add("GET", "/api/v1/approvals", services::Permission::users_read, [&inst](Request& r, const Identity& who) {
    const std::string status = r.query.count("status") ? r.query.at("status") : "";
    auto all = AccountService(inst).approvals(who.actor, status);
    if (!all) return error_json(all.error());
    json items = json::array();
    for (const auto& a : *all) items.push_back(approval_json(a));
    return ok({{"items", items}, {"total", items.size()}});
  });

  for (const bool approve : {true, false}) {
    routes.add("POST", approve ? "/api/v1/approvals/{id}/approve" : "/api/v1/approvals/{id}/reject",
               services::Permission::approvals_decide, [&inst, approve](Request& r, const Identity& who) {
                 auto id = path_id(r, "id", "id");
                 if (!id) return error_json(id.error());
                 auto body = body_of(r);
                 if (!body) return error_json(body.error());
                 auto note = text(*body, "note");
                 if (!note) return error_json(note.error());
                 AccountService accounts(inst);
                 auto s = approve ? accounts.approve(who.actor, *id, *note) : accounts.reject(who.actor, *id, *note);
                 if (!s) return error_json(s.error());
                 return ok({{"id", *id}, {"status", approve ? "approved" : "rejected"}});
               });
  }

  routes.add("GET", "/api/v1/tokens", [&inst](Request&, const Identity& who) {
    auto tx = inst.db().begin(store::Access::read);
    if (!tx) return error_json(tx.error());
    auto tokens = store::api_tokens_of(**tx, who.actor.user_id);
    if (!tokens) return error_json(tokens.error());
    json items = json::array();
    auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    for (const auto& t : *tokens)
      items.push_back({{"id", t.id},
                       {"name", t.name},
                       {"permissions", t.permissions},
                       {"created_at", t.created_at},
                       {"expires_at", t.expires_at},
                       {"revoked_at", opt(t.revoked_at)},
                       {"last_used_at", opt(t.last_used_at)}});
    return ok({{"items", items}, {"total", items.size()}});
  });

  routes.add("POST", "/api/v1/tokens", [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto name = text(*body, "name");
    if (!name) return error_json(name.error());
    std::vector<services::Permission> permissions;
    if (!body->contains("permissions") || !(*body)["permissions"].is_array())
      return error_json(make_error(ErrorCode::invalid_argument, "'permissions' must be a list of permission names"));
    for (const auto& v : (*body)["permissions"]) {
      auto p = v.is_string() ? services::permission_from_string(v.get<std::string>()) : std::nullopt;
      if (!p) return error_json(make_error(ErrorCode::invalid_argument, "unknown permission " + v.dump()));
      permissions.push_back(*p);
    }
    int days = 90;
    if (body->contains("days")) {
      if (!(*body)["days"].is_number_integer())
        return error_json(make_error(ErrorCode::invalid_argument, "'days' must be a whole number of days"));
      days = (*body)["days"].get<int>();
    }
    auto issued = services::SignInService(inst).create_token(who.actor, who.actor.user_id, *name, permissions,
                                                             std::chrono::days(days));
    if (!issued) return error_json(issued.error());
    return ok({{"id", issued->id}, {"token", issued->token}, {"expires_at", issued->expires_at}}, 201);
  });

  routes.add("DELETE", "/api/v1/tokens/{id}", [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "id", "id");
    if (!id) return error_json(id.error());
    if (auto s = services::SignInService(inst).revoke_token(who.actor, *id); !s) return error_json(s.error());
    return ok({{"id", *id}, {"revoked", true}});
  });
}

}  // namespace tillit::web
