// Accounts and everything that hangs off them: roles and their history, passwords and their
// history, the second factor, setup and recovery codes, sessions, sign-in throttling, API
// tokens, four-eyes requests and access reviews. Each function runs inside the caller's
// transaction; secrets arrive here already hashed or sealed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

// --- accounts --------------------------------------------------------------------------------
struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  std::string kind;    // "admin" or "business"
  std::string status;  // "pending_setup", "active", "disabled", "deleted"
  std::string created_at;
  std::string created_by;
  std::string updated_at;
  std::string password_hash;  // Argon2id; empty until set
  std::string password_changed_at;
  bool must_change_password = false;
  std::string totp_secret_sealed;  // empty until enrolled
  std::optional<std::int64_t> totp_last_step;
  std::string mfa_enrolled_at;
  std::string last_login_at;
  std::string last_login_address;
  std::string last_failed_login_at;
  std::string last_failed_login_address;
  std::string oidc_issuer;
  std::string oidc_subject;
  std::string deleted_at;
};
Result<std::int64_t> insert_user(Transaction& tx, const UserRecord& u);
Result<std::optional<UserRecord>> find_user(Transaction& tx, const std::string& username);
Result<std::optional<UserRecord>> find_user_by_id(Transaction& tx, std::int64_t id);
Result<std::optional<UserRecord>> find_user_by_oidc(Transaction& tx, const std::string& issuer, const std::string& subject);
Result<std::vector<UserRecord>> list_users(Transaction& tx);
Result<std::int64_t> count_users(Transaction& tx);
// Writes every mutable column of `u` (by id) and sets updated_at.
Status update_user(Transaction& tx, const UserRecord& u);

// --- roles -----------------------------------------------------------------------------------
struct RoleChange {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string username;  // filled in by role_history()
  std::string role;
  std::string change;  // "granted" or "removed"
  std::string at;
  std::string requested_by;
  std::string approved_by;
  std::optional<std::int64_t> request_id;
};
Result<std::vector<std::string>> roles_of(Transaction& tx, std::int64_t user_id);
// Adds or removes the role and appends the change to the role history, together.
Status grant_role(Transaction& tx, const RoleChange& change);
Status remove_role(Transaction& tx, const RoleChange& change);
// Changes up to `until` (RFC 3339), oldest first.
Result<std::vector<RoleChange>> role_history(Transaction& tx, const std::string& until);

// --- password history, setup and recovery codes -------------------------------------------------
Status add_password_history(Transaction& tx, std::int64_t user_id, const std::string& hash, const std::string& at);
Result<std::vector<std::string>> recent_password_hashes(Transaction& tx, std::int64_t user_id, std::int64_t count);

struct SetupCodeRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string code_hash;  // Argon2id
  std::string created_at;
  std::string expires_at;
  std::string used_at;
};
Result<std::int64_t> insert_setup_code(Transaction& tx, const SetupCodeRecord& c);
Result<std::vector<SetupCodeRecord>> unused_setup_codes(Transaction& tx, std::int64_t user_id);
Status mark_setup_codes_used(Transaction& tx, std::int64_t user_id, const std::string& at);

struct StoredRecoveryCode {
  std::int64_t id = 0;
  std::string code_hash;
};
Status replace_recovery_codes(Transaction& tx, std::int64_t user_id, const std::vector<std::string>& hashes,
                              const std::string& at);
Result<std::vector<StoredRecoveryCode>> recovery_codes(Transaction& tx, std::int64_t user_id);
Status delete_recovery_code(Transaction& tx, std::int64_t id);

// --- sessions --------------------------------------------------------------------------------------
struct SessionRecord {
  std::string id_hash;  // SHA-256 (hex) of the cookie value
  std::optional<std::int64_t> user_id;
  std::string stage;  // see services/session.h
  std::string csrf_token;
  std::string created_at;
  std::string last_seen_at;
  std::string expires_at;  // the absolute limit
  std::string client_address;
  std::string pending_secret_sealed;  // a TOTP secret being enrolled, or a federated sign-in's state
  std::string revoked_at;
  std::string revoke_reason;
};
Status insert_session(Transaction& tx, const SessionRecord& s);
Result<std::optional<SessionRecord>> find_session(Transaction& tx, const std::string& id_hash);
Status update_session(Transaction& tx, const SessionRecord& s);
Status touch_session(Transaction& tx, const std::string& id_hash, const std::string& at);
// Revokes every live session of the user; returns how many.
Result<std::int64_t> revoke_user_sessions(Transaction& tx, std::int64_t user_id, const std::string& at,
                                          const std::string& reason);
Status delete_sessions_before(Transaction& tx, const std::string& before);

// --- sign-in throttling -------------------------------------------------------------------------------
struct ThrottleRecord {
  std::string subject;  // "account:ID" or "address:IP"
  std::int64_t failures = 0;
  std::string last_failure_at;
  std::string locked_until;
};
Result<std::optional<ThrottleRecord>> find_throttle(Transaction& tx, const std::string& subject);
Status save_throttle(Transaction& tx, const ThrottleRecord& t);
Status clear_throttle(Transaction& tx, const std::string& subject);

// --- API tokens ------------------------------------------------------------------------------------
struct ApiTokenRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string token_hash;   // SHA-256 (hex) of the token: tokens are 256-bit random, so no slow hash is needed
  std::string permissions;  // space-separated permission names
  std::string created_at;
  std::string expires_at;
  std::string revoked_at;
  std::string last_used_at;
};
Result<std::int64_t> insert_api_token(Transaction& tx, const ApiTokenRecord& t);
Result<std::optional<ApiTokenRecord>> find_api_token_by_hash(Transaction& tx, const std::string& token_hash);
Result<std::optional<ApiTokenRecord>> find_api_token(Transaction& tx, std::int64_t id);
Result<std::vector<ApiTokenRecord>> api_tokens_of(Transaction& tx, std::int64_t user_id);
Status revoke_api_token(Transaction& tx, std::int64_t id, const std::string& at);
Status touch_api_token(Transaction& tx, std::int64_t id, const std::string& at);

// --- four-eyes requests --------------------------------------------------------------------------------
struct ApprovalRecord {
  std::int64_t id = 0;
  std::string kind;  // "grant_role", "remove_role", "reset_mfa", "create_admin", "reactivate"
  std::optional<std::int64_t> target_user_id;
  std::string payload;  // JSON: what exactly is asked
  std::string reason;
  std::string requested_by;  // actor id
  std::string requested_at;
  std::string status;  // "pending", "approved", "rejected"
  std::string decided_by;
  std::string decided_at;
  std::string decision_note;
};
Result<std::int64_t> insert_approval(Transaction& tx, const ApprovalRecord& a);
Result<std::optional<ApprovalRecord>> find_approval(Transaction& tx, std::int64_t id);
// All requests, newest first; `status` empty for every status.
Result<std::vector<ApprovalRecord>> list_approvals(Transaction& tx, const std::string& status);
Status decide_approval(Transaction& tx, const ApprovalRecord& a);

// --- access reviews ------------------------------------------------------------------------------------
struct AccessReviewRecord {
  std::int64_t id = 0;
  std::string title;
  std::string created_by;
  std::string created_at;
  std::string closed_by;
  std::string closed_at;
};
struct AccessReviewItem {
  std::int64_t review_id = 0;
  std::int64_t user_id = 0;
  std::string username;
  std::string kind;
  std::string roles;  // space-separated, as they were when the review started
  std::string last_login_at;
  bool unused = false;
  std::string decision;  // "", "keep" or "revoke"
  std::string decided_by;
  std::string decided_at;
  std::string note;
};
Result<std::int64_t> insert_access_review(Transaction& tx, const AccessReviewRecord& r);
Status insert_access_review_item(Transaction& tx, const AccessReviewItem& item);
Result<std::optional<AccessReviewRecord>> find_access_review(Transaction& tx, std::int64_t id);
Result<std::vector<AccessReviewRecord>> list_access_reviews(Transaction& tx);
Result<std::vector<AccessReviewItem>> access_review_items(Transaction& tx, std::int64_t review_id);
Status decide_access_review_item(Transaction& tx, const AccessReviewItem& item);
Status close_access_review(Transaction& tx, std::int64_t id, const std::string& by, const std::string& at);

}  // namespace tillit::store
