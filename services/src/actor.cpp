#include "tillit/services/actor.h"

namespace tillit::services {

const char* to_string(Role r) {
  switch (r) {
    case Role::anonymous: return "anonymous";
    case Role::auditor: return "auditor";
    case Role::engineer: return "engineer";
    case Role::security_manager: return "security_manager";
    case Role::admin: return "admin";
    case Role::local_operator: return "local_operator";
  }
  return "anonymous";
}

Actor local_operator() { return Actor{"cli", Role::local_operator, "local"}; }
Actor anonymous(std::string client_address) { return Actor{"anonymous", Role::anonymous, std::move(client_address)}; }

Status authorize(const Actor& actor, Permission permission) {
  bool allowed = false;
  switch (permission) {
    case Permission::catalog_read:
      allowed = true;  // the catalogues are the contract's published requirements
      break;
    case Permission::catalog_import:
      allowed = actor.role == Role::security_manager || actor.role == Role::local_operator;
      break;
    case Permission::audit_verify:
    case Permission::audit_export:
      allowed = actor.role == Role::auditor || actor.role == Role::security_manager || actor.role == Role::admin ||
                actor.role == Role::local_operator;
      break;
  }
  if (allowed) return {};
  return make_error(ErrorCode::forbidden, std::string("the role '") + to_string(actor.role) +
                                              "' may not do this; ask a security manager");
}

}  // namespace tillit::services
