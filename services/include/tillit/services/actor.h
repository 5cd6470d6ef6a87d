// Who is acting, and what they may do. Authorization is decided here, in the service layer,
// never only in the web layer, so the CLI and the API obey the same rules.
//
// Least privilege (annex req. 44): the system administrator manages accounts and
// configuration and sees no business data; business roles see what their work needs; the
// customer's auditor reads and never writes. The whole table is permission_table(), which the
// route test compares with the expected table kept in the repository.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"

namespace tillit::services {

enum class Role {
  auditor,                  // the customer's auditor: read-only
  engineer,                 // imports scans, handles vulnerabilities, incidents, patches
  security_manager,         // runs the annex day to day
  data_protection_officer,  // data-subject rights, personal-data breaches
  admin,                    // system administration only: an account of its own kind
};

const char* to_string(Role r);
std::optional<Role> role_from_string(std::string_view text);
// Roles whose grant or removal needs a second administrator's approval (annex req. 3, 40).
bool is_privileged(Role r);
const std::vector<Role>& all_roles();

enum class Permission {
  catalog_read,
  catalog_import,
  audit_verify,
  audit_export,
  users_read,        // list accounts, roles, last sign-in
  users_manage,      // create, deactivate, request role changes, MFA resets
  approvals_decide,  // approve or reject another administrator's request
  access_review,     // run access-review campaigns and attest accounts
  identity_reports,  // the privileged-roles report
  findings_read,     // vulnerability findings and scanner imports
  findings_import,   // import scanner reports (CI with an API token)
  findings_triage,   // move findings through the workflow (in progress, mitigated, fixed)
  findings_accept,   // accept a risk or confirm a false positive for a limited time (the approver)
  compliance_read,    // requirement status, evidence, duties and the compliance reports
  compliance_manage,  // assess requirements, manage duties and catalogues' activation
  evidence_upload,    // upload evidence and complete duties with it
};

const char* to_string(Permission p);
std::optional<Permission> permission_from_string(std::string_view text);
const std::vector<Permission>& all_permissions();

enum class ActorKind {
  anonymous,       // not signed in
  user,            // a signed-in person
  token,           // an API token acting for a person, limited to its scope
  local_operator,  // the CLI, run by whoever holds the data directory and its key file
  system,          // scheduled jobs
};

struct Actor {
  std::string id;  // "user:42", "token:7", "cli", "system", "anonymous"
  ActorKind kind = ActorKind::anonymous;
  std::int64_t user_id = 0;  // the person behind a user or token actor
  std::string username;
  std::vector<Role> roles;
  std::optional<std::set<Permission>> token_scope;  // a token may do no more than this
  std::string client_address;                       // IP address, or "local"

  bool has_role(Role r) const;
};

Actor local_operator();
Actor system_actor();
Actor anonymous(std::string client_address);

// The roles that hold each permission.
const std::vector<std::pair<Permission, std::vector<Role>>>& permission_table();

// ok, or forbidden (unauthenticated for an anonymous actor) with a message naming what is missing.
Status authorize(const Actor& actor, Permission permission);

}  // namespace tillit::services
