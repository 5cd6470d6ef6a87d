// Managing accounts (annex req. 3, 39, 40, 43, 44): creating them, roles, deactivation,
// deletion, setup codes and the four-eyes requests that privileged changes go through.
//
// Rules kept here:
// - An account is either an administrator account (system administration only) or a
//   business account with business roles; never both.
// - User names are never reused, not even after deletion; ids are never reused.
// - Granting or removing a privileged role (admin, security_manager), creating an
//   administrator, resetting someone's second factor and reactivating an account are requests
//   that a second administrator approves; nobody approves their own request.
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"

namespace tillit::services {

struct AccountView {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  std::string kind;    // "admin" or "business"
  std::string status;  // "pending_setup", "active", "disabled", "deleted"
  std::vector<std::string> roles;
  bool mfa_enrolled = false;
  bool federated = false;
  std::string last_login_at;
  std::string created_at;
};

struct NewAccount {
  std::string username;
  std::string display_name;
  std::string email;
  std::string kind = "business";
  std::vector<Role> roles;
};

struct CreatedAccount {
  AccountView account;            // for an administrator: not yet created, see request_id
  std::string setup_code;         // shown once; empty while approvals are pending
  std::string setup_code_expires_at;
  std::vector<std::int64_t> request_ids;  // four-eyes requests opened for the privileged parts
};

struct ApprovalView {
  std::int64_t id = 0;
  std::string kind;
  std::optional<std::int64_t> target_user_id;
  std::string target_username;
  std::string summary;  // e.g. "grant security_manager to ana"
  std::string reason;
  std::string requested_by;
  std::string requested_at;
  std::string status;
  std::string decided_by;
  std::string decided_at;
  std::string decision_note;
};

struct IssuedSetupCode {
  std::string code;  // shown once
  std::string expires_at;
};

class AccountService {
 public:
  explicit AccountService(Installation& inst, TimeSource clock = now_utc) : inst_(inst), clock_(std::move(clock)) {}

  Result<std::vector<AccountView>> list(const Actor& actor);
  Result<AccountView> get(const Actor& actor, const std::string& username);

  Result<CreatedAccount> create(const Actor& actor, const NewAccount& request, const std::string& reason);
  // A new one-time code (24 h) for a pending account, or to reset a forgotten password (the
  // second factor is still asked for, and a new password must be chosen).
  Result<IssuedSetupCode> issue_setup_code(const Actor& actor, const std::string& username);

  // Business roles that are not privileged take effect at once; privileged ones open a request.
  // Returns the request id, or 0 when the change was applied directly.
  Result<std::int64_t> grant_role(const Actor& actor, const std::string& username, Role role, const std::string& reason);
  Result<std::int64_t> remove_role(const Actor& actor, const std::string& username, Role role,
                                   const std::string& reason);
  Result<std::int64_t> request_mfa_reset(const Actor& actor, const std::string& username, const std::string& reason);
  Result<std::int64_t> request_reactivation(const Actor& actor, const std::string& username, const std::string& reason);

  // Immediate: sessions and tokens stop working at once.
  Status deactivate(const Actor& actor, const std::string& username, const std::string& reason);
  // Removes the personal data (name, e-mail, credentials, federated link); the id and user
  // name stay as a tombstone so that the audit trail still points somewhere and the name is
  // never handed to someone else.
  Status remove(const Actor& actor, const std::string& username, const std::string& reason);
  // Links a federated identity (issuer + stable subject) to an account.
  Status link_federated(const Actor& actor, const std::string& username, const std::string& issuer,
                        const std::string& subject);

  Result<std::vector<ApprovalView>> approvals(const Actor& actor, const std::string& status);
  Status approve(const Actor& actor, std::int64_t request_id, const std::string& note);
  Status reject(const Actor& actor, std::int64_t request_id, const std::string& note);

 private:
  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
