#include "tillit/services/actor.h"

#include <algorithm>

namespace tillit::services {

namespace {

struct RoleName {
  Role role;
  const char* name;
};
constexpr RoleName kRoleNames[] = {
    {Role::auditor, "auditor"},
    {Role::engineer, "engineer"},
    {Role::security_manager, "security_manager"},
    {Role::data_protection_officer, "data_protection_officer"},
    {Role::admin, "admin"},
};

struct PermissionName {
  Permission permission;
  const char* name;
};
constexpr PermissionName kPermissionNames[] = {
    {Permission::catalog_read, "catalog_read"},       {Permission::catalog_import, "catalog_import"},
    {Permission::audit_verify, "audit_verify"},       {Permission::audit_export, "audit_export"},
    {Permission::users_read, "users_read"},           {Permission::users_manage, "users_manage"},
    {Permission::approvals_decide, "approvals_decide"}, {Permission::access_review, "access_review"},
    {Permission::identity_reports, "identity_reports"}, {Permission::findings_read, "findings_read"},
    {Permission::findings_import, "findings_import"},   {Permission::findings_triage, "findings_triage"},
    {Permission::findings_accept, "findings_accept"},
    {Permission::compliance_read, "compliance_read"},   {Permission::compliance_manage, "compliance_manage"},
    {Permission::evidence_upload, "evidence_upload"},
};

}  // namespace

const char* to_string(Role r) {
  for (const auto& n : kRoleNames)
    if (n.role == r) return n.name;
  return "unknown";
}

std::optional<Role> role_from_string(std::string_view text) {
  for (const auto& n : kRoleNames)
    if (text == n.name) return n.role;
  return std::nullopt;
}

bool is_privileged(Role r) { return r == Role::admin || r == Role::security_manager; }

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = [] {
    std::vector<Role> v;
    for (const auto& n : kRoleNames) v.push_back(n.role);
    return v;
  }();
  return roles;
}

const char* to_string(Permission p) {
  for (const auto& n : kPermissionNames)
    if (n.permission == p) return n.name;
  return "unknown";
}

std::optional<Permission> permission_from_string(std::string_view text) {
  for (const auto& n : kPermissionNames)
    if (text == n.name) return n.permission;
  return std::nullopt;
}

const std::vector<Permission>& all_permissions() {
  static const std::vector<Permission> permissions = [] {
    std::vector<Permission> v;
    for (const auto& n : kPermissionNames) v.push_back(n.permission);
    return v;
  }();
  return permissions;
}

bool Actor::has_role(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

Actor local_operator() { return Actor{"cli", ActorKind::local_operator, 0, "cli", {}, std::nullopt, "local"}; }
Actor system_actor() { return Actor{"system", ActorKind::system, 0, "system", {}, std::nullopt, "local"}; }
Actor anonymous(std::string client_address) {
  return Actor{"anonymous", ActorKind::anonymous, 0, "", {}, std::nullopt, std::move(client_address)};
}

const std::vector<std::pair<Permission, std::vector<Role>>>& permission_table() {
  using R = Role;
  static const std::vector<std::pair<Permission, std::vector<Role>>> table = {
      // The contract's requirements are what every business role works from.
      {Permission::catalog_read, {R::auditor, R::engineer, R::security_manager, R::data_protection_officer}},
      {Permission::catalog_import, {R::security_manager}},
      // Anyone accountable for the log's integrity may check it; the customer above all.
      {Permission::audit_verify, {R::auditor, R::security_manager, R::admin}},
      {Permission::audit_export, {R::auditor, R::security_manager, R::admin}},
      {Permission::users_read, {R::admin, R::security_manager, R::auditor}},
      {Permission::users_manage, {R::admin}},
      {Permission::approvals_decide, {R::admin}},
      // Access reviews are run by the security manager, who is not the one granting access.
      {Permission::access_review, {R::security_manager}},
      {Permission::identity_reports, {R::security_manager, R::auditor, R::admin}},
      // Vulnerabilities are business data: the administrator sees none of them.
      {Permission::findings_read, {R::auditor, R::engineer, R::security_manager}},
      {Permission::findings_import, {R::engineer, R::security_manager}},
      {Permission::findings_triage, {R::engineer, R::security_manager}},
      // Accepting a risk is the annex owner's decision, taken for someone else's request.
      {Permission::findings_accept, {R::security_manager}},
      // The compliance register is what the customer audits: the auditor reads all of it.
      {Permission::compliance_read, {R::auditor, R::engineer, R::security_manager, R::data_protection_officer}},
      {Permission::compliance_manage, {R::security_manager}},
      {Permission::evidence_upload, {R::engineer, R::security_manager, R::data_protection_officer}},
  };
  return table;
}

Status authorize(const Actor& actor, Permission permission) {
  if (actor.kind == ActorKind::local_operator || actor.kind == ActorKind::system) return {};
  if (actor.kind == ActorKind::anonymous)
    return make_error(ErrorCode::unauthenticated, "sign in first (or send an API token as 'Authorization: Bearer ...')");
  if (actor.token_scope && !actor.token_scope->contains(permission))
    return make_error(ErrorCode::forbidden, std::string("this API token's scope does not include '") +
                                                to_string(permission) + "'; create a token with that permission");
  for (const auto& [p, roles] : permission_table()) {
    if (p != permission) continue;
    for (Role r : roles)
      if (actor.has_role(r)) return {};
    std::string who;
    for (Role r : roles) who += std::string(who.empty() ? "" : ", ") + to_string(r);
    return make_error(ErrorCode::forbidden, std::string("'") + to_string(permission) + "' needs one of the roles " +
                                                who + "; ask an administrator for access");
  }
  return make_error(ErrorCode::forbidden, "no role holds this permission");
}

}  // namespace tillit::services
