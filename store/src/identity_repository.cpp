#include "tillit/store/identity_repository.h"

namespace tillit::store {

namespace {

constexpr const char* kUserColumns =
    "id, username, display_name, email, role, status, created_at, created_by, updated_at, password_hash, "
    "password_changed_at, must_change_password, totp_secret_sealed, totp_last_step, mfa_enrolled_at, last_login_at, "
    "last_login_address, last_failed_login_at, last_failed_login_address, oidc_issuer, oidc_subject, deleted_at";

UserRecord user_from(const Row& r) {
  UserRecord u;
  u.id = r.integer(0);
  u.username = r.text(1);
  u.display_name = r.text(2);
  u.email = r.text(3);
  u.kind = r.text(4);
  u.status = r.text(5);
  u.created_at = r.text(6);
  u.created_by = r.text(7);
  u.updated_at = r.text(8);
  u.password_hash = r.text(9);
  u.password_changed_at = r.text(10);
  u.must_change_password = r.integer(11) != 0;
  u.totp_secret_sealed = r.text(12);
  u.totp_last_step = r.optional_integer(13);
  u.mfa_enrolled_at = r.text(14);
  u.last_login_at = r.text(15);
  u.last_login_address = r.text(16);
  u.last_failed_login_at = r.text(17);
  u.last_failed_login_address = r.text(18);
  u.oidc_issuer = r.text(19);
  u.oidc_subject = r.text(20);
  u.deleted_at = r.text(21);
  return u;
}

Result<std::optional<UserRecord>> one_user(Transaction& tx, const std::string& where, const Params& params) {
  auto rows = tx.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE " + where, params);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<UserRecord>{};
  return std::optional<UserRecord>{user_from(rows->front())};
}

}  // namespace

Result<std::int64_t> insert_user(Transaction& tx, const UserRecord& u) {
  auto s = tx.query(
      "INSERT INTO users (username, display_name, email, role, status, created_at, created_by, updated_at, "
      "oidc_issuer, oidc_subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {u.username, u.display_name, nullable(u.email), u.kind, u.status, u.created_at, u.created_by, u.updated_at,
       nullable(u.oidc_issuer), nullable(u.oidc_subject)});
  if (!s) {
    if (s.error().code == ErrorCode::conflict)
      return make_error(ErrorCode::conflict, "the user name '" + u.username +
                                                 "' is or was in use; names are never reused, choose another");
    return s.error();
  }
  return s->front().integer(0);
}

Result<std::optional<UserRecord>> find_user(Transaction& tx, const std::string& username) {
  return one_user(tx, "username = ?", {username});
}

Result<std::optional<UserRecord>> find_user_by_id(Transaction& tx, std::int64_t id) {
  return one_user(tx, "id = ?", {id});
}

Result<std::optional<UserRecord>> find_user_by_oidc(Transaction& tx, const std::string& issuer,
                                                    const std::string& subject) {
  return one_user(tx, "oidc_issuer = ? AND oidc_subject = ?", {issuer, subject});
}

Result<std::vector<UserRecord>> list_users(Transaction& tx) {
  std::vector<UserRecord> out;
  auto s = tx.for_each(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id", {}, [&](const Row& r) {
    out.push_back(user_from(r));
    return true;
  });
  if (!s) return s.error();
  return out;
}

Result<std::int64_t> count_users(Transaction& tx) {
  auto rows = tx.query("SELECT COUNT(*) FROM users");
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status update_user(Transaction& tx, const UserRecord& u) {
  return tx.exec(
      "UPDATE users SET display_name = ?, email = ?, status = ?, updated_at = ?, password_hash = ?, "
      "password_changed_at = ?, must_change_password = ?, totp_secret_sealed = ?, totp_last_step = ?, "
      "mfa_enrolled_at = ?, last_login_at = ?, last_login_address = ?, last_failed_login_at = ?, "
      "last_failed_login_address = ?, oidc_issuer = ?, oidc_subject = ?, deleted_at = ? WHERE id = ?",
      {u.display_name, nullable(u.email), u.status, u.updated_at, nullable(u.password_hash),
       nullable(u.password_changed_at), std::int64_t{u.must_change_password ? 1 : 0}, nullable(u.totp_secret_sealed),
       nullable(u.totp_last_step), nullable(u.mfa_enrolled_at), nullable(u.last_login_at),
       nullable(u.last_login_address), nullable(u.last_failed_login_at), nullable(u.last_failed_login_address),
       nullable(u.oidc_issuer), nullable(u.oidc_subject), nullable(u.deleted_at), u.id});
}

// --- roles -------------------------------------------------------------------------------------------

Result<std::vector<std::string>> roles_of(Transaction& tx, std::int64_t user_id) {
  auto rows = tx.query("SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", {user_id});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.text(0));
  return out;
}

namespace {
Status append_role_history(Transaction& tx, const RoleChange& c, const char* change) {
  return tx.exec(
      "INSERT INTO role_history (user_id, role, change, at, requested_by, approved_by, request_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {c.user_id, c.role, std::string(change), c.at, c.requested_by, c.approved_by, nullable(c.request_id)});
}
}  // namespace

Status grant_role(Transaction& tx, const RoleChange& c) {
  auto s = tx.exec("INSERT INTO user_roles (user_id, role, granted_at, granted_by, approved_by) VALUES (?, ?, ?, ?, ?)",
                   {c.user_id, c.role, c.at, c.requested_by, c.approved_by});
  if (!s) {
    if (s.error().code == ErrorCode::conflict)
      return make_error(ErrorCode::conflict, "the account already holds the role '" + c.role + "'");
    return s;
  }
  return append_role_history(tx, c, "granted");
}

Status remove_role(Transaction& tx, const RoleChange& c) {
  auto held = tx.query("SELECT 1 FROM user_roles WHERE user_id = ? AND role = ?", {c.user_id, c.role});
  if (!held) return held.error();
  if (held->empty()) return make_error(ErrorCode::conflict, "the account does not hold the role '" + c.role + "'");
  if (auto s = tx.exec("DELETE FROM user_roles WHERE user_id = ? AND role = ?", {c.user_id, c.role}); !s) return s;
  return append_role_history(tx, c, "removed");
}

Result<std::vector<RoleChange>> role_history(Transaction& tx, const std::string& until) {
  std::vector<RoleChange> out;
  auto s = tx.for_each(
      "SELECT h.id, h.user_id, u.username, h.role, h.change, h.at, h.requested_by, h.approved_by, h.request_id "
      "FROM role_history h JOIN users u ON u.id = h.user_id WHERE h.at <= ? ORDER BY h.at, h.id",
      {until}, [&](const Row& r) {
        out.push_back({r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7),
                       r.optional_integer(8)});
        return true;
      });
  if (!s) return s.error();
  return out;
}

// --- passwords and codes --------------------------------------------------------------------------------

Status add_password_history(Transaction& tx, std::int64_t user_id, const std::string& hash, const std::string& at) {
  return tx.exec("INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)", {user_id, hash, at});
}

Result<std::vector<std::string>> recent_password_hashes(Transaction& tx, std::int64_t user_id, std::int64_t count) {
  auto rows = tx.query("SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                       {user_id, count});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.text(0));
  return out;
}

Result<std::int64_t> insert_setup_code(Transaction& tx, const SetupCodeRecord& c) {
  auto s = tx.query("INSERT INTO setup_codes (user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id",
                    {c.user_id, c.code_hash, c.created_at, c.expires_at});
  if (!s) return s.error();
  return s->front().integer(0);
}

Result<std::vector<SetupCodeRecord>> unused_setup_codes(Transaction& tx, std::int64_t user_id) {
  auto rows = tx.query(
      "SELECT id, user_id, code_hash, created_at, expires_at FROM setup_codes WHERE user_id = ? AND used_at IS NULL",
      {user_id});
  if (!rows) return rows.error();
  std::vector<SetupCodeRecord> out;
  for (const auto& r : *rows) out.push_back({r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), {}});
  return out;
}

Status mark_setup_codes_used(Transaction& tx, std::int64_t user_id, const std::string& at) {
  return tx.exec("UPDATE setup_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL", {at, user_id});
}

Status replace_recovery_codes(Transaction& tx, std::int64_t user_id, const std::vector<std::string>& hashes,
                              const std::string& at) {
  if (auto s = tx.exec("DELETE FROM recovery_codes WHERE user_id = ?", {user_id}); !s) return s;
  for (const auto& h : hashes)
    if (auto s = tx.exec("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                         {user_id, h, at});
        !s)
      return s;
  return {};
}

Result<std::vector<StoredRecoveryCode>> recovery_codes(Transaction& tx, std::int64_t user_id) {
  auto rows = tx.query("SELECT id, code_hash FROM recovery_codes WHERE user_id = ? ORDER BY id", {user_id});
  if (!rows) return rows.error();
  std::vector<StoredRecoveryCode> out;
  for (const auto& r : *rows) out.push_back({r.integer(0), r.text(1)});
  return out;
}

Status delete_recovery_code(Transaction& tx, std::int64_t id) {
  return tx.exec("DELETE FROM recovery_codes WHERE id = ?", {id});
}

// --- sessions ---------------------------------------------------------------------------------------------

namespace {
constexpr const char* kSessionColumns =
    "id_hash, user_id, stage, csrf_token, created_at, last_seen_at, expires_at, client_address, "
    "pending_secret_sealed, revoked_at, revoke_reason";
}

Status insert_session(Transaction& tx, const SessionRecord& s) {
  return tx.exec(std::string("INSERT INTO sessions (") + kSessionColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {s.id_hash, nullable(s.user_id), s.stage, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
                  s.client_address, nullable(s.pending_secret_sealed), nullable(s.revoked_at),
                  nullable(s.revoke_reason)});
}

Result<std::optional<SessionRecord>> find_session(Transaction& tx, const std::string& id_hash) {
  auto rows = tx.query(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id_hash = ?", {id_hash});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SessionRecord>{};
  const auto& r = rows->front();
  return std::optional<SessionRecord>{SessionRecord{r.text(0), r.optional_integer(1), r.text(2), r.text(3), r.text(4),
                                                    r.text(5), r.text(6), r.text(7), r.text(8), r.text(9), r.text(10)}};
}

Status update_session(Transaction& tx, const SessionRecord& s) {
  return tx.exec(
      "UPDATE sessions SET user_id = ?, stage = ?, csrf_token = ?, last_seen_at = ?, expires_at = ?, "
      "pending_secret_sealed = ?, revoked_at = ?, revoke_reason = ? WHERE id_hash = ?",
      {nullable(s.user_id), s.stage, s.csrf_token, s.last_seen_at, s.expires_at, nullable(s.pending_secret_sealed),
       nullable(s.revoked_at), nullable(s.revoke_reason), s.id_hash});
}

Status touch_session(Transaction& tx, const std::string& id_hash, const std::string& at) {
  return tx.exec("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", {at, id_hash});
}

Result<std::int64_t> revoke_user_sessions(Transaction& tx, std::int64_t user_id, const std::string& at,
                                          const std::string& reason) {
  auto rows = tx.query(
      "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id_hash",
      {at, reason, user_id});
  if (!rows) return rows.error();
  return static_cast<std::int64_t>(rows->size());
}

Status delete_sessions_before(Transaction& tx, const std::string& before) {
  return tx.exec("DELETE FROM sessions WHERE expires_at < ?", {before});
}

// --- throttling ----------------------------------------------------------------------------------------------

Result<std::optional<ThrottleRecord>> find_throttle(Transaction& tx, const std::string& subject) {
  auto rows =
      tx.query("SELECT subject, failures, last_failure_at, locked_until FROM login_throttle WHERE subject = ?", {subject});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ThrottleRecord>{};
  const auto& r = rows->front();
  return std::optional<ThrottleRecord>{ThrottleRecord{r.text(0), r.integer(1), r.text(2), r.text(3)}};
}

Status save_throttle(Transaction& tx, const ThrottleRecord& t) {
  return tx.exec(
      "INSERT INTO login_throttle (subject, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, "
      "locked_until = excluded.locked_until",
      {t.subject, t.failures, t.last_failure_at, nullable(t.locked_until)});
}

Status clear_throttle(Transaction& tx, const std::string& subject) {
  return tx.exec("DELETE FROM login_throttle WHERE subject = ?", {subject});
}

// --- API tokens --------------------------------------------------------------------------------------------------

namespace {
constexpr const char* kTokenColumns =
    "id, user_id, name, token_hash, permissions, created_at, expires_at, revoked_at, last_used_at";
ApiTokenRecord token_from(const Row& r) {
  return {r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7), r.text(8)};
}
Result<std::optional<ApiTokenRecord>> one_token(Transaction& tx, const std::string& where, const Params& params) {
  auto rows = tx.query(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE " + where, params);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ApiTokenRecord>{};
  return std::optional<ApiTokenRecord>{token_from(rows->front())};
}
}  // namespace

Result<std::int64_t> insert_api_token(Transaction& tx, const ApiTokenRecord& t) {
  auto rows = tx.query(
      "INSERT INTO api_tokens (user_id, name, token_hash, permissions, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {t.user_id, t.name, t.token_hash, t.permissions, t.created_at, t.expires_at});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::optional<ApiTokenRecord>> find_api_token_by_hash(Transaction& tx, const std::string& token_hash) {
  return one_token(tx, "token_hash = ?", {token_hash});
}

Result<std::optional<ApiTokenRecord>> find_api_token(Transaction& tx, std::int64_t id) {
  return one_token(tx, "id = ?", {id});
}

Result<std::vector<ApiTokenRecord>> api_tokens_of(Transaction& tx, std::int64_t user_id) {
  auto rows = tx.query(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE user_id = ? ORDER BY id",
                       {user_id});
  if (!rows) return rows.error();
  std::vector<ApiTokenRecord> out;
  for (const auto& r : *rows) out.push_back(token_from(r));
  return out;
}

Status revoke_api_token(Transaction& tx, std::int64_t id, const std::string& at) {
  return tx.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", {at, id});
}

Status touch_api_token(Transaction& tx, std::int64_t id, const std::string& at) {
  return tx.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {at, id});
}

// --- four-eyes requests ---------------------------------------------------------------------------------------------

namespace {
constexpr const char* kApprovalColumns =
    "id, kind, target_user_id, payload, reason, requested_by, requested_at, status, decided_by, decided_at, "
    "decision_note";
ApprovalRecord approval_from(const Row& r) {
  return {r.integer(0), r.text(1), r.optional_integer(2), r.text(3), r.text(4),  r.text(5),
          r.text(6),    r.text(7), r.text(8),              r.text(9), r.text(10)};
}
}  // namespace

Result<std::int64_t> insert_approval(Transaction& tx, const ApprovalRecord& a) {
  auto rows = tx.query(
      "INSERT INTO approval_requests (kind, target_user_id, payload, reason, requested_by, requested_at, status) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {a.kind, nullable(a.target_user_id), a.payload, a.reason, a.requested_by, a.requested_at, a.status});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::optional<ApprovalRecord>> find_approval(Transaction& tx, std::int64_t id) {
  auto rows = tx.query(std::string("SELECT ") + kApprovalColumns + " FROM approval_requests WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ApprovalRecord>{};
  return std::optional<ApprovalRecord>{approval_from(rows->front())};
}

Result<std::vector<ApprovalRecord>> list_approvals(Transaction& tx, const std::string& status) {
  auto rows = status.empty()
                  ? tx.query(std::string("SELECT ") + kApprovalColumns + " FROM approval_requests ORDER BY id DESC")
                  : tx.query(std::string("SELECT ") + kApprovalColumns +
                                 " FROM approval_requests WHERE status = ? ORDER BY id DESC",
                             {status});
  if (!rows) return rows.error();
  std::vector<ApprovalRecord> out;
  for (const auto& r : *rows) out.push_back(approval_from(r));
  return out;
}

Status decide_approval(Transaction& tx, const ApprovalRecord& a) {
  return tx.exec(
      "UPDATE approval_requests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? "
      "WHERE id = ? AND status = 'pending'",
      {a.status, a.decided_by, a.decided_at, a.decision_note, a.id});
}

// --- access reviews ----------------------------------------------------------------------------------------------------

Result<std::int64_t> insert_access_review(Transaction& tx, const AccessReviewRecord& r) {
  auto rows = tx.query("INSERT INTO access_reviews (title, created_by, created_at) VALUES (?, ?, ?) RETURNING id",
                       {r.title, r.created_by, r.created_at});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status insert_access_review_item(Transaction& tx, const AccessReviewItem& i) {
  return tx.exec(
      "INSERT INTO access_review_items (review_id, user_id, username, kind, roles, last_login_at, unused) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {i.review_id, i.user_id, i.username, i.kind, i.roles, nullable(i.last_login_at), std::int64_t{i.unused ? 1 : 0}});
}

namespace {
AccessReviewRecord review_from(const Row& r) {
  return {r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)};
}
}  // namespace

Result<std::optional<AccessReviewRecord>> find_access_review(Transaction& tx, std::int64_t id) {
  auto rows =
      tx.query("SELECT id, title, created_by, created_at, closed_by, closed_at FROM access_reviews WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AccessReviewRecord>{};
  return std::optional<AccessReviewRecord>{review_from(rows->front())};
}

Result<std::vector<AccessReviewRecord>> list_access_reviews(Transaction& tx) {
  auto rows = tx.query("SELECT id, title, created_by, created_at, closed_by, closed_at FROM access_reviews ORDER BY id DESC");
  if (!rows) return rows.error();
  std::vector<AccessReviewRecord> out;
  for (const auto& r : *rows) out.push_back(review_from(r));
  return out;
}

Result<std::vector<AccessReviewItem>> access_review_items(Transaction& tx, std::int64_t review_id) {
  auto rows = tx.query(
      "SELECT review_id, user_id, username, kind, roles, last_login_at, unused, decision, decided_by, decided_at, note "
      "FROM access_review_items WHERE review_id = ? ORDER BY username",
      {review_id});
  if (!rows) return rows.error();
  std::vector<AccessReviewItem> out;
  for (const auto& r : *rows)
    out.push_back({r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5),
                   r.integer(6) != 0, r.text(7), r.text(8), r.text(9), r.text(10)});
  return out;
}

Status decide_access_review_item(Transaction& tx, const AccessReviewItem& i) {
  return tx.exec(
      "UPDATE access_review_items SET decision = ?, decided_by = ?, decided_at = ?, note = ? "
      "WHERE review_id = ? AND user_id = ?",
      {i.decision, i.decided_by, i.decided_at, i.note, i.review_id, i.user_id});
}

Status close_access_review(Transaction& tx, std::int64_t id, const std::string& by, const std::string& at) {
  return tx.exec("UPDATE access_reviews SET closed_by = ?, closed_at = ? WHERE id = ? AND closed_at IS NULL",
                 {by, at, id});
}

}  // namespace tillit::store
