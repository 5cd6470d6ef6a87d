#include "tillit/services/sign_in.h"

#include "identity_support.h"
#include "tillit/content/common_passwords.h"
#include "tillit/core/sign_in_policy.h"
#include "tillit/crypto/totp.h"

namespace tillit::services {

namespace {

using identity::user_actor_id;
using json = nlohmann::json;

// Said for every failed first step, so that nobody learns which accounts exist.
constexpr const char* kBadCredentials = "wrong user name or password (or setup code)";

std::string account_subject(std::int64_t id) { return "account:" + std::to_string(id); }
std::string address_subject(const std::string& address) { return "address:" + address; }

// Verifying against this when the account does not exist costs the same time as a real
// check, so response times do not reveal which user names exist.
const std::string& dummy_hash() {
  static const std::string hash = crypto::hash_secret(identity::random_token(16));
  return hash;
}

std::optional<SessionStage> stage_from(const std::string& s) {
  for (auto st : {SessionStage::set_password, SessionStage::enroll_mfa, SessionStage::second_factor,
                  SessionStage::signed_in})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

}  // namespace

const char* to_string(SessionStage s) {
  switch (s) {
    case SessionStage::set_password: return "set_password";
    case SessionStage::enroll_mfa: return "enroll_mfa";
    case SessionStage::second_factor: return "second_factor";
    case SessionStage::signed_in: return "signed_in";
  }
  return "second_factor";
}

std::string session_id_hash(std::string_view session_id) { return crypto::to_hex(crypto::sha256(session_id)); }

// ----- the pieces every step shares ----------------------------------------------------------------

namespace {

struct Step {
  Installation& inst;
  TimeSource& clock;
  const IdentitySettings& settings;

  std::string now() const { return format_rfc3339(clock()); }

  // Rate limiting: error when the subject must still wait.
  Status check_throttle(store::Transaction& tx, const std::string& subject) const {
    auto t = store::find_throttle(tx, subject);
    if (!t) return t.error();
    if (!*t || (*t)->locked_until.empty()) return {};
    auto until = parse_rfc3339((*t)->locked_until);
    if (!until || *until <= clock()) return {};
    const auto wait = std::chrono::ceil<std::chrono::seconds>(*until - clock()).count();
    return make_error(ErrorCode::rate_limited, "too many failed sign-ins; wait " + std::to_string(wait) +
                                                   " seconds and try again");
  }

  // Counts one failure for `subject`; returns the new count. Failures older than a day are forgotten.
  Result<std::int64_t> count_failure(store::Transaction& tx, const std::string& subject, unsigned threshold,
                                     bool is_address) const {
    auto t = store::find_throttle(tx, subject);
    if (!t) return t.error();
    store::ThrottleRecord r{subject, 0, now(), ""};
    if (*t) {
      auto last = parse_rfc3339((*t)->last_failure_at);
      if (last && clock() - *last < std::chrono::hours(24)) r.failures = (*t)->failures;
    }
    ++r.failures;
    const auto wait = is_address ? address_sign_in_delay(r.failures, threshold) : sign_in_delay(r.failures, threshold);
    r.locked_until = format_rfc3339(clock() + wait);
    if (auto s = store::save_throttle(tx, r); !s) return s.error();
    return r.failures;
  }

  // Records a failed attempt (throttles, the account's last failure, audit events) in its
  // own transaction, and returns the error the user sees.
  Error fail(const std::optional<store::UserRecord>& user, const std::string& address, const std::string& step,
             const std::string& reason, Error shown) const {
    auto tx = inst.db().begin(store::Access::write);
    if (!tx) return tx.error();
    const Actor who{user ? user_actor_id(user->id) : "anonymous", ActorKind::anonymous, user ? user->id : 0,
                    user ? user->username : "", {}, std::nullopt, address};
    auto by_address = count_failure(**tx, address_subject(address), settings.address_lockout_threshold, true);
    if (!by_address) return by_address.error();
    json changes = {{"step", {{"after", step}}}, {"reason", {{"after", reason}}}};
    if (user) {
      auto by_account = count_failure(**tx, account_subject(user->id), settings.lockout_threshold, false);
      if (!by_account) return by_account.error();
      auto u = *user;
      u.last_failed_login_at = now();
      u.last_failed_login_address = address;
      u.updated_at = now();
      if (auto s = store::update_user(**tx, u); !s) return s.error();
      changes["failures_in_a_row"] = {{"after", *by_account}};
      if (is_lockout(*by_account, settings.lockout_threshold)) {
        const auto until = clock() + sign_in_delay(*by_account, settings.lockout_threshold);
        if (auto e = inst.record(**tx, who, "login.lockout", "user", std::to_string(user->id),
                                 {{"locked_until", {{"after", format_rfc3339(until)}}}});
            !e)
          return e.error();
      }
    }
    if (is_lockout(*by_address, settings.address_lockout_threshold) && !user)
      if (auto e = inst.record(**tx, who, "login.lockout", "address", address, {{"failures", {{"after", *by_address}}}});
          !e)
        return e.error();
    if (auto e = inst.record(**tx, who, "login.failure", "user", user ? std::to_string(user->id) : "", changes); !e)
      return e.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
    return shown;
  }

  // A new session row in `stage` for `user_id`; the old one (if any) is deleted in the same
  // transaction, so an id seen before a stage change is worthless after it.
  Result<SessionGrant> issue(store::Transaction& tx, std::int64_t user_id, SessionStage stage,
                             const std::string& address, const std::string& replaces_hash,
                             const std::string& pending = {}) const {
    if (!replaces_hash.empty())
      if (auto s = tx.exec("DELETE FROM sessions WHERE id_hash = ?", {replaces_hash}); !s) return s.error();
    SessionGrant g;
    g.session_id = identity::random_token();
    g.stage = stage;
    g.csrf_token = identity::random_token();
    const auto t = clock();
    // Stages before signed_in get 10 minutes: enough to type a code, not to leave it lying around.
    const auto lifetime = stage == SessionStage::signed_in ? settings.session_absolute : std::chrono::minutes(10);
    store::SessionRecord r{session_id_hash(g.session_id), user_id, to_string(stage), g.csrf_token,
                           format_rfc3339(t), format_rfc3339(t), format_rfc3339(t + lifetime), address, pending,
                           "", ""};
    if (auto s = store::insert_session(tx, r); !s) return s.error();
    return g;
  }

  struct Loaded {
    store::SessionRecord session;
    store::UserRecord user;
    SessionStage stage;
  };

  // The live session and its account, or unauthenticated.
  Result<Loaded> load(store::Transaction& tx, const std::string& session_id) const {
    auto expired = make_error(ErrorCode::unauthenticated, "your session has ended; sign in again");
    auto s = store::find_session(tx, session_id_hash(session_id));
    if (!s) return s.error();
    if (!*s || !(*s)->user_id || !(*s)->revoked_at.empty()) return expired;
    auto created = parse_rfc3339((*s)->created_at), seen = parse_rfc3339((*s)->last_seen_at),
         limit = parse_rfc3339((*s)->expires_at);
    if (!created || !seen || !limit) return make_error(ErrorCode::integrity, "a stored session has a bad timestamp");
    const auto t = clock();
    if (t >= *limit || session_lapsed(*created, *seen, t, settings.session_idle, settings.session_absolute))
      return make_error(ErrorCode::unauthenticated, "your session timed out (" +
                                                        std::to_string(settings.session_idle.count()) +
                                                        " minutes without use, or " +
                                                        std::to_string(settings.session_absolute.count() / 60) +
                                                        " hours in all); sign in again");
    auto u = store::find_user_by_id(tx, *(*s)->user_id);
    if (!u) return u.error();
    if (!*u || ((*u)->status != "active" && (*u)->status != "pending_setup")) return expired;
    auto stage = stage_from((*s)->stage);
    if (!stage) return expired;
    return Loaded{**s, **u, *stage};
  }

  Result<Loaded> load_in_stage(store::Transaction& tx, const std::string& session_id, SessionStage wanted) const {
    auto l = load(tx, session_id);
    if (!l) return l.error();
    if (l->stage != wanted)
      return make_error(ErrorCode::conflict, std::string("this step is not the next one in signing in (expected ") +
                                                 to_string(l->stage) + ")");
    return l;
  }

  // Where a person goes once their first factors are proven.
  SessionStage next_after_second_factor(const store::UserRecord& u) const {
    if (u.must_change_password) return SessionStage::set_password;
    if (auto changed = parse_rfc3339(u.password_changed_at))
      if (password_expired(settings.password, *changed, clock())) return SessionStage::set_password;
    return SessionStage::signed_in;
  }

  // The last sign-in before this one, then this one recorded.
  SignInHistory mark_signed_in(store::UserRecord& u, const std::string& address) const {
    SignInHistory h{u.last_login_at, u.last_login_address, u.last_failed_login_at, u.last_failed_login_address};
    u.last_login_at = now();
    u.last_login_address = address;
    u.updated_at = now();
    return h;
  }
};

}  // namespace

// ----- first step --------------------------------------------------------------------------------------

Result<SessionGrant> SignInService::with_password(std::string_view username, std::string_view password,
                                                  const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  std::optional<store::UserRecord> user;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    if (auto s = step.check_throttle(**tx, address_subject(address)); !s) return s.error();
    auto u = store::find_user(**tx, std::string(username));
    if (!u) return u.error();
    user = *u;
    if (user)
      if (auto s = step.check_throttle(**tx, account_subject(user->id)); !s) return s.error();
  }
  const bool has_password = user && !user->password_hash.empty();
  const bool matches = crypto::verify_secret(has_password ? user->password_hash : dummy_hash(), password) && has_password;
  const auto bad = make_error(ErrorCode::unauthenticated, kBadCredentials);
  if (!user) return step.fail(user, address, "password", "unknown user name", bad);
  if (!matches) return step.fail(user, address, "password", "wrong password", bad);
  if (user->status != "active")
    return step.fail(user, address, "password", "account is " + user->status, bad);

  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (crypto::hash_needs_rehash(user->password_hash)) {
    // Raised hashing parameters take effect at the next sign-in, without anyone noticing.
    user->password_hash = crypto::hash_secret(password);
    user->updated_at = step.now();
    if (auto s = store::update_user(**tx, *user); !s) return s.error();
  }
  if (auto s = store::clear_throttle(**tx, account_subject(user->id)); !s) return s.error();
  const auto next = user->totp_secret_sealed.empty() ? SessionStage::enroll_mfa : SessionStage::second_factor;
  auto g = step.issue(**tx, user->id, next, address, "");
  if (!g) return g.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return g;
}

Result<SessionGrant> SignInService::with_setup_code(std::string_view username, std::string_view code,
                                                    const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  std::optional<store::UserRecord> user;
  std::vector<store::SetupCodeRecord> codes;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    if (auto s = step.check_throttle(**tx, address_subject(address)); !s) return s.error();
    auto u = store::find_user(**tx, std::string(username));
    if (!u) return u.error();
    user = *u;
    if (user) {
      if (auto s = step.check_throttle(**tx, account_subject(user->id)); !s) return s.error();
      auto c = store::unused_setup_codes(**tx, user->id);
      if (!c) return c.error();
      codes = std::move(*c);
    }
  }
  const auto bad = make_error(ErrorCode::unauthenticated, kBadCredentials);
  bool matched = false, expired = false;
  const std::string typed = identity::canonical_setup_code(code);
  for (const auto& c : codes) {
    if (!crypto::verify_secret(c.code_hash, typed)) continue;
    matched = true;
    auto until = parse_rfc3339(c.expires_at);
    expired = !until || clock_() >= *until;
  }
  if (codes.empty()) (void)crypto::verify_secret(dummy_hash(), code);
  if (!user) return step.fail(user, address, "setup_code", "unknown user name", bad);
  if (!matched) return step.fail(user, address, "setup_code", "wrong setup code", bad);
  if (expired)
    return step.fail(user, address, "setup_code", "setup code expired",
                     make_error(ErrorCode::unauthenticated,
                                "this setup code has expired; ask an administrator for a new one"));
  if (user->status != "pending_setup" && user->status != "active")
    return step.fail(user, address, "setup_code", "account is " + user->status, bad);

  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto s = store::mark_setup_codes_used(**tx, user->id, step.now()); !s) return s.error();
  if (auto s = store::clear_throttle(**tx, account_subject(user->id)); !s) return s.error();
  const Actor who{user_actor_id(user->id), ActorKind::anonymous, user->id, user->username, {}, std::nullopt, address};
  if (auto e = inst_.record(**tx, who, "setup_code.redeem", "user", std::to_string(user->id), json::object()); !e)
    return e.error();
  // A setup code replaces the password once, never the second factor: an enrolled account
  // proves its authenticator first and then chooses a new password.
  const auto next = user->totp_secret_sealed.empty() ? SessionStage::set_password : SessionStage::second_factor;
  auto g = step.issue(**tx, user->id, next, address, "");
  if (!g) return g.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return g;
}

// ----- second factor ---------------------------------------------------------------------------------------

Result<SessionGrant> SignInService::second_factor(const std::string& session_id, std::string_view code,
                                                  const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  store::UserRecord user;
  std::vector<store::StoredRecoveryCode> recovery;
  std::string id_hash;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto l = step.load_in_stage(**tx, session_id, SessionStage::second_factor);
    if (!l) return l.error();
    if (auto s = step.check_throttle(**tx, account_subject(l->user.id)); !s) return s.error();
    user = l->user;
    id_hash = l->session.id_hash;
    auto r = store::recovery_codes(**tx, user.id);
    if (!r) return r.error();
    recovery = std::move(*r);
  }
  auto secret = identity::unseal(inst_, user.totp_secret_sealed, "totp/" + std::to_string(user.id));
  if (!secret) return secret.error();
  const crypto::SecretBytes key(crypto::Bytes(secret->begin(), secret->end()));
  std::optional<std::uint64_t> last;
  if (user.totp_last_step) last = static_cast<std::uint64_t>(*user.totp_last_step);
  const auto step_matched = crypto::verify_totp(key, code, clock_(), last);
  std::optional<std::int64_t> recovery_used;
  std::string method = "totp";
  if (!step_matched && code.size() >= crypto::recovery_code_length) {
    std::vector<std::string> hashes;
    for (const auto& r : recovery) hashes.push_back(r.code_hash);
    if (auto i = crypto::match_recovery_code(code, hashes)) {
      recovery_used = recovery[*i].id;
      method = "recovery_code";
    }
  }
  if (!step_matched && !recovery_used)
    return step.fail(user, address, "second_factor", "wrong one-time code",
                     make_error(ErrorCode::unauthenticated,
                                "wrong code; enter the 6 digits your authenticator app shows now, or a recovery code"));

  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (step_matched) user.totp_last_step = static_cast<std::int64_t>(*step_matched);
  if (recovery_used)
    if (auto s = store::delete_recovery_code(**tx, *recovery_used); !s) return s.error();
  const auto next = step.next_after_second_factor(user);
  SignInHistory previous;
  if (next == SessionStage::signed_in) previous = step.mark_signed_in(user, address);
  user.updated_at = step.now();
  if (auto s = store::update_user(**tx, user); !s) return s.error();
  if (auto s = store::clear_throttle(**tx, account_subject(user.id)); !s) return s.error();
  auto who = identity::actor_for(**tx, user, address);
  if (!who) return who.error();
  if (auto e = inst_.record(**tx, *who, next == SessionStage::signed_in ? "login.success" : "login.password_change_required",
                            "user", std::to_string(user.id),
                            {{"method", {{"after", "password+" + method}}},
                             {"recovery_codes_left", {{"after", recovery.size() - (recovery_used ? 1 : 0)}}}});
      !e)
    return e.error();
  auto g = step.issue(**tx, user.id, next, address, id_hash);
  if (!g) return g.error();
  g->previous = previous;
  if (auto s = (*tx)->commit(); !s) return s.error();
  return g;
}

// ----- passwords -----------------------------------------------------------------------------------------------

Result<SessionGrant> SignInService::set_password(const std::string& session_id, std::string_view current,
                                                 std::string_view new_password, const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  const auto& policy = inst_.config().identity.password;
  store::UserRecord user;
  SessionStage stage;
  std::string id_hash;
  std::vector<std::string> recent;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto l = step.load(**tx, session_id);
    if (!l) return l.error();
    if (l->stage != SessionStage::set_password && l->stage != SessionStage::signed_in)
      return make_error(ErrorCode::conflict, "finish signing in before changing your password");
    user = l->user;
    stage = l->stage;
    id_hash = l->session.id_hash;
    auto r = store::recent_password_hashes(**tx, user.id, static_cast<std::int64_t>(policy.history_count));
    if (!r) return r.error();
    recent = std::move(*r);
  }
  if (stage == SessionStage::signed_in && !crypto::verify_secret(user.password_hash, current))
    return step.fail(user, address, "password_change", "wrong current password",
                     make_error(ErrorCode::invalid_argument, "the current password is wrong"));
  const PasswordContext context{user.username, user.email, user.display_name, &content::builtin_common_passwords()};
  if (auto s = check_password(policy, new_password, context); !s) return s.error();
  if (policy.history_count > 0 && crypto::reuses_recent_password(new_password, recent))
    return make_error(ErrorCode::invalid_argument, "this password was one of your last " +
                                                       std::to_string(policy.history_count) + "; choose a new one");
  const std::string hash = crypto::hash_secret(new_password);

  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  user.password_hash = hash;
  user.password_changed_at = step.now();
  user.must_change_password = false;
  user.updated_at = step.now();
  const auto next = user.totp_secret_sealed.empty() ? SessionStage::enroll_mfa : SessionStage::signed_in;
  SignInHistory previous;
  if (stage != SessionStage::signed_in && next == SessionStage::signed_in) previous = step.mark_signed_in(user, address);
  if (auto s = store::update_user(**tx, user); !s) return s.error();
  if (auto s = store::add_password_history(**tx, user.id, hash, step.now()); !s) return s.error();
  auto revoked = store::revoke_user_sessions(**tx, user.id, step.now(), "password changed");
  if (!revoked) return revoked.error();
  auto who = identity::actor_for(**tx, user, address);
  if (!who) return who.error();
  if (auto e = inst_.record(**tx, *who, "user.password_change", "user", std::to_string(user.id),
                            {{"password", {{"after", "[redacted]"}}}, {"sessions_revoked", {{"after", *revoked}}}});
      !e)
    return e.error();
  auto g = step.issue(**tx, user.id, next, address, id_hash);
  if (!g) return g.error();
  g->previous = previous;
  if (auto s = (*tx)->commit(); !s) return s.error();
  return g;
}

// ----- enrolling the second factor --------------------------------------------------------------------------------

Result<MfaEnrollment> SignInService::begin_mfa_enrollment(const std::string& session_id, const std::string&) {
  Step step{inst_, clock_, inst_.config().identity};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto l = step.load_in_stage(**tx, session_id, SessionStage::enroll_mfa);
  if (!l) return l.error();
  // Reloading the page shows the same secret until it is confirmed, so a scanned QR code stays valid.
  crypto::SecretBytes secret;
  const std::string purpose = "enrolment/" + l->session.id_hash;
  if (!l->session.pending_secret_sealed.empty()) {
    auto opened = identity::unseal(inst_, l->session.pending_secret_sealed, purpose);
    if (!opened) return opened.error();
    secret = crypto::SecretBytes(crypto::Bytes(opened->begin(), opened->end()));
  } else {
    secret = crypto::generate_totp_secret();
    l->session.pending_secret_sealed = identity::seal(inst_, secret.view(), purpose);
    if (auto s = store::update_session(**tx, l->session); !s) return s.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
  }
  return MfaEnrollment{crypto::to_base32(secret.view()), crypto::totp_provisioning_uri(l->user.username, secret)};
}

Result<MfaEnrolled> SignInService::finish_mfa_enrollment(const std::string& session_id, std::string_view code,
                                                         const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto l = step.load_in_stage(**tx, session_id, SessionStage::enroll_mfa);
  if (!l) return l.error();
  if (l->session.pending_secret_sealed.empty())
    return make_error(ErrorCode::conflict, "start the enrolment first: scan the QR code, then enter a code");
  auto opened = identity::unseal(inst_, l->session.pending_secret_sealed, "enrolment/" + l->session.id_hash);
  if (!opened) return opened.error();
  const crypto::SecretBytes secret(crypto::Bytes(opened->begin(), opened->end()));
  const auto matched = crypto::verify_totp(secret, code, clock_(), std::nullopt);
  if (!matched) {
    tx->reset();
    return step.fail(l->user, address, "mfa_enrolment", "wrong one-time code",
                     make_error(ErrorCode::invalid_argument,
                                "that code does not match; check the app's clock and enter the code it shows now"));
  }
  auto& user = l->user;
  user.totp_secret_sealed = identity::seal(inst_, secret.view(), "totp/" + std::to_string(user.id));
  user.totp_last_step = static_cast<std::int64_t>(*matched);
  user.mfa_enrolled_at = step.now();
  const bool first_setup = user.status == "pending_setup";
  user.status = "active";
  const auto previous = step.mark_signed_in(user, address);
  if (auto s = store::update_user(**tx, user); !s) return s.error();
  auto codes = crypto::generate_recovery_codes();
  if (auto s = store::replace_recovery_codes(**tx, user.id, codes.hashes, step.now()); !s) return s.error();
  auto who = identity::actor_for(**tx, user, address);
  if (!who) return who.error();
  if (auto e = inst_.record(**tx, *who, "mfa.enroll", "user", std::to_string(user.id),
                            {{"method", {{"after", "totp"}}}, {"recovery_codes", {{"after", codes.codes.size()}}}});
      !e)
    return e.error();
  if (first_setup)
    if (auto e = inst_.record(**tx, *who, "user.activate", "user", std::to_string(user.id),
                              {{"status", {{"before", "pending_setup"}, {"after", "active"}}}});
        !e)
      return e.error();
  if (auto e = inst_.record(**tx, *who, "login.success", "user", std::to_string(user.id),
                            {{"method", {{"after", "setup+totp"}}}});
      !e)
    return e.error();
  auto g = step.issue(**tx, user.id, SessionStage::signed_in, address, l->session.id_hash);
  if (!g) return g.error();
  g->previous = previous;
  if (auto s = (*tx)->commit(); !s) return s.error();
  return MfaEnrolled{std::move(*g), std::move(codes.codes)};
}

// ----- sessions -------------------------------------------------------------------------------------------------------

Result<CurrentSession> SignInService::resolve(const std::string& session_id, const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  CurrentSession out;
  bool touch = false;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto l = step.load(**tx, session_id);
    if (!l) return l.error();
    out.id_hash = l->session.id_hash;
    out.stage = l->stage;
    out.csrf_token = l->session.csrf_token;
    out.display_name = l->user.display_name.empty() ? l->user.username : l->user.display_name;
    out.created_at = l->session.created_at;
    if (l->stage == SessionStage::signed_in) {
      auto a = identity::actor_for(**tx, l->user, address);
      if (!a) return a.error();
      out.actor = std::move(*a);
    } else {
      out.actor = anonymous(address);
      out.actor.user_id = l->user.id;
      out.actor.username = l->user.username;
    }
    auto seen = parse_rfc3339(l->session.last_seen_at);
    touch = seen && clock_() - *seen >= std::chrono::minutes(1);
  }
  if (touch) {
    // Idle time is measured to the minute; writing on every request would only slow things down.
    auto tx = inst_.db().begin(store::Access::write);
    if (!tx) return tx.error();
    if (auto s = store::touch_session(**tx, out.id_hash, step.now()); !s) return s.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
  }
  return out;
}

Status SignInService::sign_out(const std::string& session_id, const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto s = store::find_session(**tx, session_id_hash(session_id));
  if (!s) return s.error();
  if (!*s || !(*s)->revoked_at.empty()) return {};
  (*s)->revoked_at = step.now();
  (*s)->revoke_reason = "signed out";
  if (auto u = store::update_session(**tx, **s); !u) return u;
  if ((*s)->user_id && (*s)->stage == to_string(SessionStage::signed_in)) {
    Actor who{user_actor_id(*(*s)->user_id), ActorKind::user, *(*s)->user_id, "", {}, std::nullopt, address};
    if (auto e = inst_.record(**tx, who, "logout", "user", std::to_string(*(*s)->user_id), json::object()); !e)
      return e.error();
  }
  return (*tx)->commit();
}

// ----- federated sign-in ----------------------------------------------------------------------------------------------

Result<SessionGrant> SignInService::with_federated_identity(const std::string& issuer, const std::string& subject,
                                                            const std::string& acr, const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  std::optional<store::UserRecord> user;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    if (auto s = step.check_throttle(**tx, address_subject(address)); !s) return s.error();
    auto u = store::find_user_by_oidc(**tx, issuer, subject);
    if (!u) return u.error();
    user = *u;
  }
  // A linked account that never had a password is set up by its first eID sign-in: the eID at
  // LoA3 is itself the strong, two-factor authentication.
  if (!user || (user->status != "active" && user->status != "pending_setup"))
    return step.fail(user, address, "federated", user ? "account is " + user->status : "unlinked subject",
                     make_error(ErrorCode::forbidden,
                                "your eID sign-in worked, but no active Tillit account is linked to it; ask an "
                                "administrator to link your account"));
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  const auto previous = step.mark_signed_in(*user, address);
  const bool first_setup = user->status == "pending_setup";
  user->status = "active";
  if (auto s = store::update_user(**tx, *user); !s) return s.error();
  if (first_setup)
    if (auto s = store::mark_setup_codes_used(**tx, user->id, step.now()); !s) return s.error();
  auto who = identity::actor_for(**tx, *user, address);
  if (!who) return who.error();
  if (first_setup)
    if (auto e = inst_.record(**tx, *who, "user.activate", "user", std::to_string(user->id),
                              {{"status", {{"before", "pending_setup"}, {"after", "active"}}},
                               {"method", {{"after", "oidc"}}}});
        !e)
      return e.error();
  if (auto e = inst_.record(**tx, *who, "login.success", "user", std::to_string(user->id),
                            {{"method", {{"after", "oidc"}}}, {"issuer", {{"after", issuer}}}, {"acr", {{"after", acr}}}});
      !e)
    return e.error();
  auto g = step.issue(**tx, user->id, SessionStage::signed_in, address, "");
  if (!g) return g.error();
  g->previous = previous;
  if (auto s = (*tx)->commit(); !s) return s.error();
  return g;
}

namespace {
constexpr const char* kFederatedStage = "federated_pending";
}

Result<std::string> SignInService::hold_federated_state(const std::string& secrets, const std::string& address) {
  const std::string id = identity::random_token();
  const auto t = clock_();
  store::SessionRecord r{session_id_hash(id), std::nullopt, kFederatedStage, identity::random_token(),
                         format_rfc3339(t), format_rfc3339(t), format_rfc3339(t + std::chrono::minutes(10)), address,
                         identity::seal(inst_, secrets, "federated/" + session_id_hash(id)), "", ""};
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  // Abandoned sign-ins must not pile up.
  if (auto s = store::delete_sessions_before(**tx, format_rfc3339(t)); !s) return s.error();
  if (auto s = store::insert_session(**tx, r); !s) return s.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return id;
}

Result<std::string> SignInService::take_federated_state(const std::string& id) {
  const auto lost = make_error(ErrorCode::unauthenticated,
                               "this eID sign-in was not started here or took longer than 10 minutes; start again");
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  const auto hash = session_id_hash(id);
  auto s = store::find_session(**tx, hash);
  if (!s) return s.error();
  if (!*s || (*s)->stage != kFederatedStage) return lost;
  if (auto d = (*tx)->exec("DELETE FROM sessions WHERE id_hash = ?", {hash}); !d) return d.error();
  if (auto c = (*tx)->commit(); !c) return c.error();
  auto until = parse_rfc3339((*s)->expires_at);
  if (!until || clock_() >= *until) return lost;
  return identity::unseal(inst_, (*s)->pending_secret_sealed, "federated/" + hash);
}

Status SignInService::record_federated_failure(const std::string& reason, const std::string& address) {
  Step step{inst_, clock_, inst_.config().identity};
  const auto e = step.fail(std::nullopt, address, "federated", reason, make_error(ErrorCode::unauthenticated, reason));
  if (e.code != ErrorCode::unauthenticated) return e;
  return {};
}

}  // namespace tillit::services
