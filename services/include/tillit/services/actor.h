// Who is acting, and what they may do. Authorization is decided here, in the service layer,
// never only in the web layer, so the CLI and the API obey the same rules.
#pragma once

#include <string>

#include "tillit/core/result.h"

namespace tillit::services {

enum class Role {
  anonymous,         // not signed in: public pages only
  auditor,           // the customer's auditor: read-only
  engineer,
  security_manager,
  admin,             // system administration, separate from business roles
  local_operator,    // the CLI, run by whoever holds the data directory and its key file
};

const char* to_string(Role r);

struct Actor {
  std::string id;              // "user:42", "cli", "anonymous"
  Role role = Role::anonymous;
  std::string client_address;  // IP address, or "local"
};

Actor local_operator();
Actor anonymous(std::string client_address);

enum class Permission {
  catalog_read,
  catalog_import,
  audit_verify,
  audit_export,
};

// ok, or forbidden with a message naming what is missing.
Status authorize(const Actor& actor, Permission permission);

}  // namespace tillit::services
