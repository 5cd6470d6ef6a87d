#include "tillit/services/accounts.h"

#include <algorithm>

#include "identity_support.h"
#include "tillit/crypto/totp.h"

namespace tillit::services {

namespace {

using json = nlohmann::json;
constexpr auto kSetupCodeLifetime = std::chrono::hours(24);

Status check_username(const std::string& name) {
  const bool shape = !name.empty() && name.size() <= 64 && name[0] >= 'a' && name[0] <= 'z' &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
                     });
  if (shape) return {};
  return make_error(ErrorCode::invalid_argument,
                    "a user name is 1-64 characters: lowercase a-z first, then a-z, 0-9, '.', '-' or '_'");
}

Status check_profile(const std::string& display_name, const std::string& email) {
  if (display_name.empty() || display_name.size() > 200)
    return make_error(ErrorCode::invalid_argument, "the display name must be 1-200 characters");
  if (!email.empty() && (email.size() > 254 || email.find('@') == std::string::npos ||
                         email.find_first_of(" \t\r\n<>\"") != std::string::npos))
    return make_error(ErrorCode::invalid_argument, "'" + email.substr(0, 80) + "' is not an e-mail address");
  return {};
}

Status need_reason(const std::string& reason) {
  if (reason.empty() || reason.size() > 1000)
    return make_error(ErrorCode::invalid_argument, "give a reason (1-1000 characters); it goes into the audit trail");
  return {};
}

AccountView view_of(store::Transaction& tx, const store::UserRecord& u, Result<std::vector<std::string>> roles) {
  (void)tx;
  AccountView v{u.id,        u.username, u.display_name, u.email, u.kind, u.status, roles ? *roles : std::vector<std::string>{},
                !u.totp_secret_sealed.empty(), !u.oidc_subject.empty(), u.last_login_at, u.created_at};
  return v;
}

struct Context {
  Installation& inst;
  TimeSource& clock;
  std::string now() const { return format_rfc3339(clock()); }

  Result<store::UserRecord> user(store::Transaction& tx, const std::string& username) const {
    auto u = store::find_user(tx, username);
    if (!u) return u.error();
    if (!*u || (*u)->status == "deleted") return make_error(ErrorCode::not_found, "no account named '" + username + "'");
    return **u;
  }

  // Refuses a change that would leave no active administrator to run the system.
  Status keep_an_admin(store::Transaction& tx, std::int64_t leaving_user_id) const {
    auto all = store::list_users(tx);
    if (!all) return all.error();
    for (const auto& u : *all)
      if (u.id != leaving_user_id && u.kind == "admin" && (u.status == "active" || u.status == "pending_setup"))
        return {};
    return make_error(ErrorCode::conflict, "this would leave no active administrator; create another one first");
  }

  Result<std::int64_t> open_request(store::Transaction& tx, const Actor& actor, const std::string& kind,
                                    std::optional<std::int64_t> target, const json& payload,
                                    const std::string& reason) const {
    store::ApprovalRecord a{0, kind, target, payload.dump(), reason, actor.id, now(), "pending", "", "", ""};
    auto id = store::insert_approval(tx, a);
    if (!id) return id.error();
    if (auto e = inst.record(tx, actor, "approval.request", "approval", std::to_string(*id),
                             {{"kind", {{"after", kind}}},
                              {"target_user_id", {{"after", target ? json(*target) : json(nullptr)}}},
                              {"payload", {{"after", payload}}},
                              {"reason", {{"after", reason}}}});
        !e)
      return e.error();
    return *id;
  }

  Result<IssuedSetupCode> issue_code(store::Transaction& tx, const Actor& actor, store::UserRecord& u) const {
    IssuedSetupCode code;
    // 20 characters from the recovery-code alphabet: no look-alikes, easy to read out.
    const auto generated = crypto::generate_recovery_codes(2);
    code.code = generated.codes[0] + generated.codes[1];
    code.expires_at = format_rfc3339(clock() + kSetupCodeLifetime);
    if (auto s = store::mark_setup_codes_used(tx, u.id, now()); !s) return s.error();
    auto id = store::insert_setup_code(tx, {0, u.id, crypto::hash_secret(identity::canonical_setup_code(code.code)), now(), code.expires_at, {}});
    if (!id) return id.error();
    if (u.status == "active") {
      // A reset: the code replaces the password once; the second factor is still asked for.
      u.must_change_password = true;
      u.updated_at = now();
      if (auto s = store::update_user(tx, u); !s) return s.error();
    }
    if (auto e = inst.record(tx, actor, "setup_code.issue", "user", std::to_string(u.id),
                             {{"setup_code", {{"after", "[redacted]"}}}, {"expires_at", {{"after", code.expires_at}}}});
        !e)
      return e.error();
    return code;
  }
};

}  // namespace

Result<std::vector<AccountView>> AccountService::list(const Actor& actor) {
  if (auto s = authorize(actor, Permission::users_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto users = store::list_users(**tx);
  if (!users) return users.error();
  std::vector<AccountView> out;
  for (const auto& u : *users) out.push_back(view_of(**tx, u, store::roles_of(**tx, u.id)));
  return out;
}

Result<AccountView> AccountService::get(const Actor& actor, const std::string& username) {
  if (auto s = authorize(actor, Permission::users_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto u = store::find_user(**tx, username);
  if (!u) return u.error();
  if (!*u) return make_error(ErrorCode::not_found, "no account named '" + username + "'");
  return view_of(**tx, **u, store::roles_of(**tx, (*u)->id));
}

Result<CreatedAccount> AccountService::create(const Actor& actor, const NewAccount& request, const std::string& reason) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s.error();
  if (auto s = check_username(request.username); !s) return s.error();
  if (auto s = check_profile(request.display_name, request.email); !s) return s.error();
  if (request.kind != "admin" && request.kind != "business")
    return make_error(ErrorCode::invalid_argument, "an account's kind is 'admin' or 'business'");
  const bool admin = request.kind == "admin";
  for (Role r : request.roles)
    if ((r == Role::admin) != admin)
      return make_error(ErrorCode::invalid_argument,
                        "administrator accounts hold only the admin role and business accounts never hold it; "
                        "a person who needs both gets two accounts");
  Context c{inst_, clock_};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto existing = store::find_user(**tx, request.username);
  if (!existing) return existing.error();
  if (*existing)
    return make_error(ErrorCode::conflict, "the user name '" + request.username +
                                               "' is or was in use; names are never reused, choose another");

  CreatedAccount out;
  if (admin && actor.kind != ActorKind::local_operator) {
    // Creating an administrator is itself a privileged change: it waits for a second administrator.
    if (auto s = need_reason(reason); !s) return s.error();
    auto id = c.open_request(**tx, actor, "create_admin", std::nullopt,
                             {{"username", request.username}, {"display_name", request.display_name},
                              {"email", request.email}},
                             reason);
    if (!id) return id.error();
    out.request_ids.push_back(*id);
    out.account = {0, request.username, request.display_name, request.email, "admin", "awaiting_approval", {}, false,
                   false, "", ""};
    if (auto s = (*tx)->commit(); !s) return s.error();
    return out;
  }

  store::UserRecord u;
  u.username = request.username;
  u.display_name = request.display_name;
  u.email = request.email;
  u.kind = request.kind;
  u.status = "pending_setup";
  u.created_at = u.updated_at = c.now();
  u.created_by = actor.id;
  auto id = store::insert_user(**tx, u);
  if (!id) return id.error();
  u.id = *id;
  json roles_now = json::array();
  for (Role r : request.roles) {
    // The CLI's operator holds the data directory and its key: there is no second person to ask.
    if (is_privileged(r) && actor.kind != ActorKind::local_operator) {
      auto rid = c.open_request(**tx, actor, "grant_role", u.id, {{"role", to_string(r)}},
                                reason.empty() ? "role requested when the account was created" : reason);
      if (!rid) return rid.error();
      out.request_ids.push_back(*rid);
      continue;
    }
    if (auto s = store::grant_role(**tx, {0, u.id, "", to_string(r), "", c.now(), actor.id, actor.id, std::nullopt}); !s)
      return s.error();
    roles_now.push_back(to_string(r));
  }
  if (auto e = inst_.record(**tx, actor, "user.create", "user", std::to_string(u.id),
                            {{"username", {{"after", u.username}}}, {"kind", {{"after", u.kind}}},
                             {"roles", {{"after", roles_now}}}, {"status", {{"after", u.status}}}});
      !e)
    return e.error();
  auto code = c.issue_code(**tx, actor, u);
  if (!code) return code.error();
  out.setup_code = code->code;
  out.setup_code_expires_at = code->expires_at;
  out.account = view_of(**tx, u, store::roles_of(**tx, u.id));
  if (auto s = (*tx)->commit(); !s) return s.error();
  return out;
}

Result<IssuedSetupCode> AccountService::issue_setup_code(const Actor& actor, const std::string& username) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s.error();
  Context c{inst_, clock_};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto u = c.user(**tx, username);
  if (!u) return u.error();
  if (u->status != "pending_setup" && u->status != "active")
    return make_error(ErrorCode::conflict, "the account is " + u->status + "; reactivate it first");
  if (actor.kind == ActorKind::user && actor.user_id == u->id)
    return make_error(ErrorCode::forbidden, "you cannot issue a setup code for your own account");
  auto code = c.issue_code(**tx, actor, *u);
  if (!code) return code.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return code;
}

namespace {

Result<std::int64_t> change_role(Installation& inst, TimeSource& clock, const Actor& actor, const std::string& username,
                                 Role role, const std::string& reason, bool grant) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s.error();
  if (auto s = need_reason(reason); !s) return s.error();
  Context c{inst, clock};
  auto tx = inst.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto u = c.user(**tx, username);
  if (!u) return u.error();
  if ((role == Role::admin) != (u->kind == "admin"))
    return make_error(ErrorCode::invalid_argument,
                      role == Role::admin ? "only administrator accounts hold the admin role; create a separate "
                                            "administrator account"
                                          : "administrator accounts hold no business roles; use the person's "
                                            "business account");
  auto held = store::roles_of(**tx, u->id);
  if (!held) return held.error();
  const bool has = std::find(held->begin(), held->end(), to_string(role)) != held->end();
  if (grant == has)
    return make_error(ErrorCode::conflict, std::string("the account ") + (has ? "already holds" : "does not hold") +
                                               " the role '" + to_string(role) + "'");
  if (!grant && role == Role::admin)
    if (auto s = c.keep_an_admin(**tx, u->id); !s) return s.error();
  std::int64_t request_id = 0;
  if (is_privileged(role) && actor.kind != ActorKind::local_operator) {
    auto id = c.open_request(**tx, actor, grant ? "grant_role" : "remove_role", u->id, {{"role", to_string(role)}}, reason);
    if (!id) return id.error();
    request_id = *id;
  } else {
    store::RoleChange change{0, u->id, "", to_string(role), "", c.now(), actor.id, actor.id, std::nullopt};
    if (auto s = grant ? store::grant_role(**tx, change) : store::remove_role(**tx, change); !s) return s.error();
    if (auto e = inst.record(**tx, actor, grant ? "role.grant" : "role.remove", "user", std::to_string(u->id),
                             {{"role", {{grant ? "after" : "before", to_string(role)}}}, {"reason", {{"after", reason}}}});
        !e)
      return e.error();
  }
  if (auto s = (*tx)->commit(); !s) return s.error();
  return request_id;
}

}  // namespace

Result<std::int64_t> AccountService::grant_role(const Actor& actor, const std::string& username, Role role,
                                                const std::string& reason) {
  return change_role(inst_, clock_, actor, username, role, reason, true);
}

Result<std::int64_t> AccountService::remove_role(const Actor& actor, const std::string& username, Role role,
                                                 const std::string& reason) {
  return change_role(inst_, clock_, actor, username, role, reason, false);
}

namespace {
Result<std::int64_t> simple_request(Installation& inst, TimeSource& clock, const Actor& actor, const std::string& username,
                                    const std::string& kind, const std::string& reason,
                                    const std::function<Status(const store::UserRecord&)>& precondition) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s.error();
  if (auto s = need_reason(reason); !s) return s.error();
  Context c{inst, clock};
  auto tx = inst.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto u = c.user(**tx, username);
  if (!u) return u.error();
  if (auto s = precondition(*u); !s) return s.error();
  auto id = c.open_request(**tx, actor, kind, u->id, json::object(), reason);
  if (!id) return id.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return *id;
}
}  // namespace

Result<std::int64_t> AccountService::request_mfa_reset(const Actor& actor, const std::string& username,
                                                       const std::string& reason) {
  return simple_request(inst_, clock_, actor, username, "reset_mfa", reason, [](const store::UserRecord& u) -> Status {
    if (u.totp_secret_sealed.empty()) return make_error(ErrorCode::conflict, "the account has no second factor to reset");
    return {};
  });
}

Result<std::int64_t> AccountService::request_reactivation(const Actor& actor, const std::string& username,
                                                          const std::string& reason) {
  return simple_request(inst_, clock_, actor, username, "reactivate", reason, [](const store::UserRecord& u) -> Status {
    if (u.status != "disabled") return make_error(ErrorCode::conflict, "the account is not deactivated");
    return {};
  });
}

Status AccountService::deactivate(const Actor& actor, const std::string& username, const std::string& reason) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s;
  if (auto s = need_reason(reason); !s) return s;
  Context c{inst_, clock_};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto u = c.user(**tx, username);
  if (!u) return u.error();
  if (u->status == "disabled") return make_error(ErrorCode::conflict, "the account is already deactivated");
  if (u->kind == "admin")
    if (auto s = c.keep_an_admin(**tx, u->id); !s) return s;
  const std::string before = u->status;
  u->status = "disabled";
  u->updated_at = c.now();
  if (auto s = store::update_user(**tx, *u); !s) return s;
  auto revoked = store::revoke_user_sessions(**tx, u->id, c.now(), "account deactivated");
  if (!revoked) return revoked.error();
  if (auto e = inst_.record(**tx, actor, "user.deactivate", "user", std::to_string(u->id),
                            {{"status", {{"before", before}, {"after", "disabled"}}},
                             {"sessions_revoked", {{"after", *revoked}}},
                             {"reason", {{"after", reason}}}});
      !e)
    return e.error();
  return (*tx)->commit();
}

Status AccountService::remove(const Actor& actor, const std::string& username, const std::string& reason) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s;
  if (auto s = need_reason(reason); !s) return s;
  Context c{inst_, clock_};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto u = c.user(**tx, username);
  if (!u) return u.error();
  if (u->kind == "admin")
    if (auto s = c.keep_an_admin(**tx, u->id); !s) return s;
  auto held = store::roles_of(**tx, u->id);
  if (!held) return held.error();
  for (const auto& r : *held)
    if (auto s = store::remove_role(**tx, {0, u->id, "", r, "", c.now(), actor.id, actor.id, std::nullopt}); !s) return s;
  auto revoked = store::revoke_user_sessions(**tx, u->id, c.now(), "account deleted");
  if (!revoked) return revoked.error();
  if (auto s = (*tx)->exec("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                           {c.now(), u->id});
      !s)
    return s;
  if (auto s = store::replace_recovery_codes(**tx, u->id, {}, c.now()); !s) return s;
  if (auto s = store::mark_setup_codes_used(**tx, u->id, c.now()); !s) return s;
  if (auto s = (*tx)->exec("DELETE FROM password_history WHERE user_id = ?", {u->id}); !s) return s;
  // The tombstone: id and user name stay (never reused), personal data goes.
  store::UserRecord t;
  t.id = u->id;
  t.status = "deleted";
  t.deleted_at = t.updated_at = c.now();
  if (auto s = store::update_user(**tx, t); !s) return s;
  if (auto e = inst_.record(**tx, actor, "user.delete", "user", std::to_string(u->id),
                            {{"status", {{"before", u->status}, {"after", "deleted"}}},
                             {"personal_data", {{"after", "removed"}}},
                             {"reason", {{"after", reason}}}});
      !e)
    return e.error();
  return (*tx)->commit();
}

Status AccountService::link_federated(const Actor& actor, const std::string& username, const std::string& issuer,
                                      const std::string& subject) {
  if (auto s = authorize(actor, Permission::users_manage); !s) return s;
  if (issuer.rfind("https://", 0) != 0 || subject.empty() || subject.size() > 255)
    return make_error(ErrorCode::invalid_argument, "give the identity provider's https issuer URL and the person's "
                                                   "subject identifier (1-255 characters)");
  Context c{inst_, clock_};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto u = c.user(**tx, username);
  if (!u) return u.error();
  auto other = store::find_user_by_oidc(**tx, issuer, subject);
  if (!other) return other.error();
  if (*other && (*other)->id != u->id)
    return make_error(ErrorCode::conflict, "that federated identity is already linked to another account");
  const std::string before = u->oidc_subject.empty() ? "" : u->oidc_issuer + " " + u->oidc_subject;
  u->oidc_issuer = issuer;
  u->oidc_subject = subject;
  u->updated_at = c.now();
  if (auto s = store::update_user(**tx, *u); !s) return s;
  if (auto e = inst_.record(**tx, actor, "user.link_federated", "user", std::to_string(u->id),
                            {{"federated_identity", {{"before", before}, {"after", issuer + " " + subject}}}});
      !e)
    return e.error();
  return (*tx)->commit();
}

// ----- four eyes ---------------------------------------------------------------------------------------------------

Result<std::vector<ApprovalView>> AccountService::approvals(const Actor& actor, const std::string& status) {
  if (auto s = authorize(actor, Permission::users_read); !s) return s.error();
  if (!status.empty() && status != "pending" && status != "approved" && status != "rejected")
    return make_error(ErrorCode::invalid_argument, "status is pending, approved or rejected");
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto all = store::list_approvals(**tx, status);
  if (!all) return all.error();
  std::vector<ApprovalView> out;
  for (const auto& a : *all) {
    ApprovalView v{a.id, a.kind, a.target_user_id, "", "", a.reason, a.requested_by, a.requested_at, a.status,
                   a.decided_by, a.decided_at, a.decision_note};
    if (a.target_user_id)
      if (auto u = store::find_user_by_id(**tx, *a.target_user_id); u && *u) v.target_username = (*u)->username;
    const auto payload = json::parse(a.payload, nullptr, false);
    if (a.kind == "grant_role" || a.kind == "remove_role")
      v.summary = (a.kind == "grant_role" ? "grant " : "remove ") + payload.value("role", std::string("?")) +
                  (a.kind == "grant_role" ? " to " : " from ") + v.target_username;
    else if (a.kind == "create_admin")
      v.summary = "create administrator account " + payload.value("username", std::string("?"));
    else if (a.kind == "reset_mfa")
      v.summary = "reset the second factor of " + v.target_username;
    else if (a.kind == "reactivate")
      v.summary = "reactivate " + v.target_username;
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

// Carries out an approved request inside the approving transaction.
Status apply(Installation& inst, Context& c, store::Transaction& tx, const Actor& approver,
             const store::ApprovalRecord& a) {
  const auto payload = json::parse(a.payload, nullptr, false);
  const std::string target = a.target_user_id ? std::to_string(*a.target_user_id) : "";
  std::optional<store::UserRecord> u;
  if (a.target_user_id) {
    auto found = store::find_user_by_id(tx, *a.target_user_id);
    if (!found) return found.error();
    if (!*found || (*found)->status == "deleted")
      return make_error(ErrorCode::conflict, "the account this request is about no longer exists; reject it");
    u = **found;
  }
  if (a.kind == "grant_role" || a.kind == "remove_role") {
    const std::string role = payload.value("role", std::string());
    store::RoleChange change{0, *a.target_user_id, "", role, "", c.now(), a.requested_by, approver.id, a.id};
    if (a.kind == "remove_role" && role == "admin")
      if (auto s = c.keep_an_admin(tx, *a.target_user_id); !s) return s;
    if (auto s = a.kind == "grant_role" ? store::grant_role(tx, change) : store::remove_role(tx, change); !s) return s;
    auto e = inst.record(tx, approver, a.kind == "grant_role" ? "role.grant" : "role.remove", "user", target,
                         {{"role", {{a.kind == "grant_role" ? "after" : "before", role}}},
                          {"requested_by", {{"after", a.requested_by}}}, {"request_id", {{"after", a.id}}}});
    if (!e) return e.error();
    if (a.kind == "remove_role")
      if (auto r = store::revoke_user_sessions(tx, *a.target_user_id, c.now(), "role removed"); !r) return r.error();
    return {};
  }
  if (a.kind == "reset_mfa") {
    u->totp_secret_sealed.clear();
    u->totp_last_step.reset();
    u->mfa_enrolled_at.clear();
    u->updated_at = c.now();
    if (auto s = store::update_user(tx, *u); !s) return s;
    if (auto s = store::replace_recovery_codes(tx, u->id, {}, c.now()); !s) return s;
    auto revoked = store::revoke_user_sessions(tx, u->id, c.now(), "second factor reset");
    if (!revoked) return revoked.error();
    auto e = inst.record(tx, approver, "mfa.reset", "user", target,
                         {{"second_factor", {{"before", "totp"}, {"after", "none: enrol at next sign-in"}}},
                          {"requested_by", {{"after", a.requested_by}}}, {"request_id", {{"after", a.id}}}});
    if (!e) return e.error();
    return {};
  }
  if (a.kind == "reactivate") {
    u->status = u->password_hash.empty() ? "pending_setup" : "active";
    u->updated_at = c.now();
    if (auto s = store::update_user(tx, *u); !s) return s;
    auto e = inst.record(tx, approver, "user.reactivate", "user", target,
                         {{"status", {{"before", "disabled"}, {"after", u->status}}},
                          {"requested_by", {{"after", a.requested_by}}}, {"request_id", {{"after", a.id}}}});
    if (!e) return e.error();
    return {};
  }
  if (a.kind == "create_admin") {
    store::UserRecord n;
    n.username = payload.value("username", std::string());
    n.display_name = payload.value("display_name", std::string());
    n.email = payload.value("email", std::string());
    n.kind = "admin";
    n.status = "pending_setup";
    n.created_at = n.updated_at = c.now();
    n.created_by = a.requested_by;
    auto id = store::insert_user(tx, n);
    if (!id) return id.error();
    if (auto s = store::grant_role(tx, {0, *id, "", "admin", "", c.now(), a.requested_by, approver.id, a.id}); !s)
      return s;
    auto e = inst.record(tx, approver, "user.create", "user", std::to_string(*id),
                         {{"username", {{"after", n.username}}}, {"kind", {{"after", "admin"}}},
                          {"roles", {{"after", {"admin"}}}}, {"requested_by", {{"after", a.requested_by}}},
                          {"request_id", {{"after", a.id}}}});
    if (!e) return e.error();
    return {};
  }
  return make_error(ErrorCode::integrity, "unknown request kind '" + a.kind + "'");
}

Status decide(Installation& inst, TimeSource& clock, const Actor& actor, std::int64_t id, const std::string& note,
              bool approve) {
  if (auto s = authorize(actor, Permission::approvals_decide); !s) return s;
  Context c{inst, clock};
  auto tx = inst.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto a = store::find_approval(**tx, id);
  if (!a) return a.error();
  if (!*a) return make_error(ErrorCode::not_found, "no request with id " + std::to_string(id));
  if ((*a)->status != "pending")
    return make_error(ErrorCode::conflict, "request " + std::to_string(id) + " was already " + (*a)->status);
  if ((*a)->requested_by == actor.id)
    return make_error(ErrorCode::forbidden, "nobody approves or rejects their own request; another administrator must");
  if ((*a)->target_user_id && actor.user_id == *(*a)->target_user_id)
    return make_error(ErrorCode::forbidden, "you cannot decide a request about your own account");
  (*a)->status = approve ? "approved" : "rejected";
  (*a)->decided_by = actor.id;
  (*a)->decided_at = c.now();
  (*a)->decision_note = note;
  if (auto s = store::decide_approval(**tx, **a); !s) return s;
  if (approve)
    if (auto s = apply(inst, c, **tx, actor, **a); !s) return s;
  if (auto e = inst.record(**tx, actor, approve ? "approval.approve" : "approval.reject", "approval", std::to_string(id),
                           {{"status", {{"before", "pending"}, {"after", (*a)->status}}},
                            {"kind", {{"after", (*a)->kind}}},
                            {"note", {{"after", note}}}});
      !e)
    return e.error();
  return (*tx)->commit();
}

}  // namespace

Status AccountService::approve(const Actor& actor, std::int64_t request_id, const std::string& note) {
  return decide(inst_, clock_, actor, request_id, note, true);
}

Status AccountService::reject(const Actor& actor, std::int64_t request_id, const std::string& note) {
  return decide(inst_, clock_, actor, request_id, note, false);
}

}  // namespace tillit::services
