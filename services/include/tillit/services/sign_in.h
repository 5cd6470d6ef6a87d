// Signing in to Tillit and staying signed in (annex req. 11, 12, 24): passwords, the second
// factor for everyone, first sign-in with a one-time setup code, server-side sessions and
// API tokens. Sign-in is a small state machine kept in the session row:
//
//   password ok ──> second_factor ──(TOTP or recovery code)──> signed_in
//   setup code ok ─> set_password ──> enroll_mfa ──(first TOTP)──> signed_in
//   expired or reset password: ... ──> set_password ──> signed_in
//
// Every stage change issues a new session id (no fixation). Failures are throttled per
// account and per client address and audited with their reason; what the user is told never
// reveals whether an account exists.
//
// Thread safety: a SignInService is a thin handle; make one per request or share it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/services/actor.h"
#include "tillit/services/installation.h"

namespace tillit::services {

enum class SessionStage { set_password, enroll_mfa, second_factor, signed_in };
const char* to_string(SessionStage s);

// What the user saw of their account last time, shown after they sign in.
struct SignInHistory {
  std::string last_login_at;
  std::string last_login_address;
  std::string last_failed_login_at;
  std::string last_failed_login_address;
};

// What the web layer hands back to the browser.
struct SessionGrant {
  std::string session_id;  // the cookie value; a secret, never logged
  SessionStage stage = SessionStage::second_factor;
  std::string csrf_token;
  SignInHistory previous;  // filled when the stage becomes signed_in
};

struct CurrentSession {
  std::string id_hash;
  SessionStage stage = SessionStage::second_factor;
  std::string csrf_token;
  Actor actor;  // roles only once signed_in; before that kind is anonymous with user_id set
  std::string display_name;
  std::string created_at;
};

struct MfaEnrollment {
  std::string secret_base32;  // for typing into an app by hand
  std::string otpauth_uri;    // for the QR code
};

struct MfaEnrolled {
  SessionGrant grant;
  std::vector<std::string> recovery_codes;  // shown once
};

struct IssuedToken {
  std::int64_t id = 0;
  std::string token;  // shown once; only its hash is stored
  std::string expires_at;
};

using TimeSource = std::function<Timestamp()>;

class SignInService {
 public:
  explicit SignInService(Installation& inst, TimeSource clock = now_utc) : inst_(inst), clock_(std::move(clock)) {}

  Result<SessionGrant> with_password(std::string_view username, std::string_view password, const std::string& address);
  Result<SessionGrant> with_setup_code(std::string_view username, std::string_view code, const std::string& address);
  // A TOTP code or a recovery code, in the second_factor stage.
  Result<SessionGrant> second_factor(const std::string& session_id, std::string_view code, const std::string& address);
  // In set_password: `current` is ignored (it was just proven). Signed in: `current` must match.
  // Every other session of the account is revoked.
  Result<SessionGrant> set_password(const std::string& session_id, std::string_view current,
                                    std::string_view new_password, const std::string& address);
  // In enroll_mfa: a new secret, kept sealed in the session until the first code proves it.
  Result<MfaEnrollment> begin_mfa_enrollment(const std::string& session_id, const std::string& address);
  Result<MfaEnrolled> finish_mfa_enrollment(const std::string& session_id, std::string_view code,
                                            const std::string& address);

  // The session behind a cookie value, or unauthenticated (unknown, revoked, lapsed, account
  // no longer active). Records use at most once a minute.
  Result<CurrentSession> resolve(const std::string& session_id, const std::string& address);
  Status sign_out(const std::string& session_id, const std::string& address);

  // Signs in a person the federated identity provider vouched for (already verified at the
  // required assurance level, which includes a second factor). Unlinked subjects are refused.
  Result<SessionGrant> with_federated_identity(const std::string& issuer, const std::string& subject,
                                               const std::string& acr, const std::string& address);

  // A federated sign-in's secrets (state, nonce, PKCE verifier) kept server-side, sealed,
  // for 10 minutes; returns the id for the browser's short-lived cookie. Taken back once.
  Result<std::string> hold_federated_state(const std::string& secrets, const std::string& address);
  Result<std::string> take_federated_state(const std::string& id);
  // Audits a federated sign-in the provider or Tillit refused (wrong assurance level, ...).
  Status record_federated_failure(const std::string& reason, const std::string& address);

  // API tokens (automation, e.g. scanner imports from CI): scoped, expiring, revocable.
  Result<IssuedToken> create_token(const Actor& actor, std::int64_t for_user_id, const std::string& name,
                                   const std::vector<Permission>& permissions, std::chrono::days lifetime);
  Status revoke_token(const Actor& actor, std::int64_t token_id);
  Result<Actor> authenticate_token(std::string_view token, const std::string& address);

 private:
  Installation& inst_;
  TimeSource clock_;
};

// The SHA-256 (hex) under which a session id is stored.
std::string session_id_hash(std::string_view session_id);

}  // namespace tillit::services
