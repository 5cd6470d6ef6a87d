// Accounts and sign-in at the service layer, with a clock the test moves: stages, throttling,
// timeouts, recovery codes, password rules, tokens and the four-eyes rule. Runs on SQLite
// and (TILLIT_TEST_BACKEND=postgresql) on PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_database.h"
#include "tillit/crypto/totp.h"
#include "tillit/services/accounts.h"
#include "tillit/services/audit_service.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/identity_repository.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

constexpr const char* kAddress = "192.0.2.10";
constexpr const char* kPassword = "Granskning-Pågår-2026!";

crypto::SecretBytes secret_from_base32(const std::string& text) { return crypto::from_base32(text).value(); }

}  // namespace

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = fs::temp_directory_path() / ("tillit-identity-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))));
    InitOptions options;
    options.data_dir = dir_;
    options.database_url = tillit::testing::fresh_database_url();
    ASSERT_TRUE(Installation::init(options));
    auto config = load_config(dir_, [](const char*) { return std::optional<std::string>(); });
    ASSERT_TRUE(config);
    config->identity.lockout_threshold = 3;
    auto inst = Installation::open(*config);
    ASSERT_TRUE(inst) << inst.error().message;
    inst_ = std::move(*inst);
    now_ = parse_rfc3339("2026-11-23T09:00:00Z").value();
  }
  void TearDown() override {
    inst_.reset();
    fs::remove_all(dir_);
  }

  TimeSource clock() {
    return [this] { return now_; };
  }
  SignInService sign_in() { return SignInService(*inst_, clock()); }
  AccountService accounts() { return AccountService(*inst_, clock()); }

  // A business account taken through its first sign-in; returns the signed-in session id.
  std::string set_up(const std::string& name, std::vector<Role> roles, std::string* secret_out = nullptr,
                     std::vector<std::string>* codes_out = nullptr) {
    auto created = accounts().create(local_operator(), {name, "Person " + name, name + "@example.se", "business", roles}, "");
    EXPECT_TRUE(created) << created.error().message;
    auto g = sign_in().with_setup_code(name, created->setup_code, kAddress);
    EXPECT_TRUE(g) << g.error().message;
    EXPECT_EQ(g->stage, SessionStage::set_password);
    auto p = sign_in().set_password(g->session_id, "", kPassword, kAddress);
    EXPECT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->stage, SessionStage::enroll_mfa);
    auto e = sign_in().begin_mfa_enrollment(p->session_id, kAddress);
    EXPECT_TRUE(e);
    const auto secret = secret_from_base32(e->secret_base32);
    auto done = sign_in().finish_mfa_enrollment(p->session_id, crypto::totp_code(secret, now_), kAddress);
    EXPECT_TRUE(done) << done.error().message;
    if (secret_out) *secret_out = e->secret_base32;
    if (codes_out) *codes_out = done->recovery_codes;
    return done->grant.session_id;
  }

  // Password and TOTP, the code taken from a later time step than any used before.
  Result<SessionGrant> password_and_code(const std::string& name, const std::string& secret) {
    auto g = sign_in().with_password(name, kPassword, kAddress);
    if (!g) return g.error();
    now_ += seconds(30);
    return sign_in().second_factor(g->session_id, crypto::totp_code(secret_from_base32(secret), now_), kAddress);
  }

  std::string audit_actions() {
    auto tx = inst_->db().begin(store::Access::read);
    std::string all;
    (void)(*tx)->for_each("SELECT action FROM audit_events ORDER BY seq", {}, [&](const store::Row& r) {
      all += r.text(0) + " ";
      return true;
    });
    return all;
  }

  Actor admin_actor(const std::string& name) {
    auto a = accounts().get(local_operator(), name);
    return Actor{"user:" + std::to_string(a->id), ActorKind::user, a->id, name, {Role::admin}, std::nullopt, kAddress};
  }

  fs::path dir_;
  std::unique_ptr<Installation> inst_;
  Timestamp now_;
};

TEST_F(IdentityTest, FirstSignInGoesThroughPasswordAndEnrolmentToRolesAndRecoveryCodes) {
  std::vector<std::string> codes;
  const auto session = set_up("ana", {Role::engineer}, nullptr, &codes);
  EXPECT_EQ(codes.size(), 10u);
  auto current = sign_in().resolve(session, kAddress);
  ASSERT_TRUE(current) << current.error().message;
  EXPECT_EQ(current->stage, SessionStage::signed_in);
  EXPECT_EQ(current->actor.username, "ana");
  EXPECT_EQ(current->actor.roles, std::vector<Role>{Role::engineer});
  EXPECT_EQ(current->actor.kind, ActorKind::user);
  auto view = accounts().get(local_operator(), "ana");
  EXPECT_EQ(view->status, "active");
  EXPECT_TRUE(view->mfa_enrolled);
  const auto actions = audit_actions();
  for (const char* a : {"user.create", "setup_code.issue", "setup_code.redeem", "user.password_change", "mfa.enroll",
                        "user.activate", "login.success"})
    EXPECT_NE(actions.find(a), std::string::npos) << a;
  // The audit trail never holds the password or codes.
  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT changes FROM audit_events");
  for (const auto& r : *rows) EXPECT_EQ(r.text(0).find("Granskning"), std::string::npos);
}

TEST_F(IdentityTest, EveryStageChangeIssuesANewSessionIdAndStepsCannotBeSkipped) {
  auto created = accounts().create(local_operator(), {"bo", "Bo", "", "business", {Role::auditor}}, "");
  auto g = sign_in().with_setup_code("bo", created->setup_code, kAddress);
  ASSERT_TRUE(g);
  // Skipping ahead is refused.
  EXPECT_EQ(sign_in().second_factor(g->session_id, "123456", kAddress).error().code, ErrorCode::conflict);
  EXPECT_EQ(sign_in().begin_mfa_enrollment(g->session_id, kAddress).error().code, ErrorCode::conflict);
  auto p = sign_in().set_password(g->session_id, "", kPassword, kAddress);
  ASSERT_TRUE(p);
  EXPECT_NE(p->session_id, g->session_id);
  EXPECT_NE(p->csrf_token, g->csrf_token);
  // The id from before the change is worthless now.
  EXPECT_EQ(sign_in().resolve(g->session_id, kAddress).error().code, ErrorCode::unauthenticated);
  // A setup code works once.
  EXPECT_EQ(sign_in().with_setup_code("bo", created->setup_code, kAddress).error().code, ErrorCode::unauthenticated);
  // An unenrolled account is not signed in: it has no roles yet.
  auto pending = sign_in().resolve(p->session_id, kAddress);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->actor.kind, ActorKind::anonymous);
  EXPECT_FALSE(authorize(pending->actor, Permission::catalog_read));
}

TEST_F(IdentityTest, SignInNeedsTheSecondFactorAndShowsThePreviousSignIn) {
  std::string secret;
  set_up("cecilia", {Role::security_manager}, &secret);
  now_ += hours(2);
  auto g = sign_in().with_password("cecilia", kPassword, kAddress);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->stage, SessionStage::second_factor);
  EXPECT_FALSE(authorize(sign_in().resolve(g->session_id, kAddress)->actor, Permission::catalog_read));
  EXPECT_EQ(sign_in().second_factor(g->session_id, "000000", kAddress).error().code, ErrorCode::unauthenticated);
  now_ += seconds(2);  // the delay after one failure
  auto done = sign_in().second_factor(g->session_id, crypto::totp_code(secret_from_base32(secret), now_), kAddress);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stage, SessionStage::signed_in);
  EXPECT_EQ(done->previous.last_login_at, "2026-11-23T09:00:00.000Z");
  EXPECT_EQ(done->previous.last_login_address, kAddress);
  EXPECT_FALSE(done->previous.last_failed_login_at.empty());
  // The same code again (an observed code replayed) is refused, even in a new sign-in.
  auto again = sign_in().with_password("cecilia", kPassword, kAddress);
  ASSERT_TRUE(again);
  EXPECT_FALSE(sign_in().second_factor(again->session_id, crypto::totp_code(secret_from_base32(secret), now_), kAddress));
}

TEST_F(IdentityTest, UnknownUsersAndWrongPasswordsLookTheSame) {
  set_up("dan", {Role::engineer});
  auto unknown = sign_in().with_password("nobody", kPassword, "198.51.100.1");
  auto wrong = sign_in().with_password("dan", "Wrong-Password-1234", "198.51.100.2");
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_EQ(unknown.error().code, ErrorCode::unauthenticated);
  // ... but the audit trail says which it was, and from where.
  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT changes, client_address FROM audit_events WHERE action = 'login.failure' ORDER BY seq");
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_NE((*rows)[0].text(0).find("unknown user name"), std::string::npos);
  EXPECT_EQ((*rows)[0].text(1), "198.51.100.1");
  EXPECT_NE((*rows)[1].text(0).find("wrong password"), std::string::npos);
}

TEST_F(IdentityTest, FailuresSlowDownThenLockTheAccountOut) {
  std::string secret;
  set_up("eva", {Role::engineer}, &secret);
  EXPECT_FALSE(sign_in().with_password("eva", "Wrong-Password-1234", kAddress));
  // Within the growing delay even the right password must wait.
  auto waiting = sign_in().with_password("eva", kPassword, kAddress);
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().code, ErrorCode::rate_limited);
  now_ += seconds(1);
  EXPECT_FALSE(sign_in().with_password("eva", "Wrong-Password-1234", kAddress));
  now_ += seconds(2);
  EXPECT_FALSE(sign_in().with_password("eva", "Wrong-Password-1234", kAddress));  // third: lockout
  EXPECT_NE(audit_actions().find("login.lockout"), std::string::npos);
  now_ += minutes(14);
  auto locked = sign_in().with_password("eva", kPassword, kAddress);
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::rate_limited);
  EXPECT_NE(locked.error().message.find("seconds"), std::string::npos);
  now_ += minutes(2);
  EXPECT_TRUE(password_and_code("eva", secret));
}

TEST_F(IdentityTest, SessionsLapseAfterIdleTimeAndAfterEightHours) {
  std::string secret;
  auto session = set_up("frida", {Role::auditor}, &secret);
  now_ += minutes(14);
  ASSERT_TRUE(sign_in().resolve(session, kAddress));
  now_ += minutes(14);  // used 14 minutes ago: still fine
  ASSERT_TRUE(sign_in().resolve(session, kAddress));
  now_ += minutes(16);
  auto idle = sign_in().resolve(session, kAddress);
  ASSERT_FALSE(idle);
  EXPECT_EQ(idle.error().code, ErrorCode::unauthenticated);
  EXPECT_NE(idle.error().message.find("15 minutes"), std::string::npos);

  auto fresh = password_and_code("frida", secret);
  ASSERT_TRUE(fresh);
  for (int i = 0; i < 47; ++i) {  // busy all day: used every 10 minutes
    now_ += minutes(10);
    ASSERT_TRUE(sign_in().resolve(fresh->session_id, kAddress)) << i;
  }
  now_ += minutes(10);  // 8 hours since it began
  EXPECT_FALSE(sign_in().resolve(fresh->session_id, kAddress));
}

TEST_F(IdentityTest, RecoveryCodesWorkOnceEach) {
  std::string secret;
  std::vector<std::string> codes;
  set_up("gun", {Role::engineer}, &secret, &codes);
  auto g = sign_in().with_password("gun", kPassword, kAddress);
  auto done = sign_in().second_factor(g->session_id, codes[3], kAddress);
  ASSERT_TRUE(done) << done.error().message;
  now_ += seconds(5);
  auto g2 = sign_in().with_password("gun", kPassword, kAddress);
  ASSERT_TRUE(g2) << g2.error().message;
  EXPECT_FALSE(sign_in().second_factor(g2->session_id, codes[3], kAddress));
}

TEST_F(IdentityTest, PasswordRulesHistoryAndRevocationOfOtherSessions) {
  std::string secret;
  const auto first = set_up("hans", {Role::engineer}, &secret);
  auto other = password_and_code("hans", secret);
  ASSERT_TRUE(other);
  auto weak = sign_in().set_password(first, kPassword, "hans-Password-123", kAddress);
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().message.find("name"), std::string::npos) << weak.error().message;
  EXPECT_FALSE(sign_in().set_password(first, "not-the-password", "Completely-New-Secret-77", kAddress));
  auto same = sign_in().set_password(first, kPassword, kPassword, kAddress);
  ASSERT_FALSE(same);
  EXPECT_NE(same.error().message.find("last 5"), std::string::npos) << same.error().message;
  auto changed = sign_in().set_password(first, kPassword, "Completely-New-Secret-77", kAddress);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->stage, SessionStage::signed_in);
  EXPECT_TRUE(sign_in().resolve(changed->session_id, kAddress));
  EXPECT_FALSE(sign_in().resolve(other->session_id, kAddress));  // every other session ended
  EXPECT_FALSE(sign_in().resolve(first, kAddress));
}

TEST_F(IdentityTest, ExpiredPasswordsMustBeChangedAfterTheSecondFactor) {
  std::string secret;
  set_up("ida", {Role::engineer}, &secret);
  now_ += days(366);
  auto g = password_and_code("ida", secret);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->stage, SessionStage::set_password);
  auto p = sign_in().set_password(g->session_id, "", "Another-Fresh-Secret-88", kAddress);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->stage, SessionStage::signed_in);
}

TEST_F(IdentityTest, SetupCodesAreReadWithoutRegardToCaseDashesOrSpaces) {
  auto created = accounts().create(local_operator(), {"olle", "Olle", "", "business", {Role::engineer}}, "");
  std::string typed;
  for (std::size_t i = 0; i < created->setup_code.size(); ++i) {
    if (i && i % 5 == 0) typed += "- ";
    typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(created->setup_code[i]))));
  }
  EXPECT_TRUE(sign_in().with_setup_code("olle", typed, kAddress)) << typed;
}

TEST_F(IdentityTest, SetupCodesExpireAfter24Hours) {
  auto created = accounts().create(local_operator(), {"jan", "Jan", "", "business", {Role::engineer}}, "");
  now_ += hours(25);
  auto late = sign_in().with_setup_code("jan", created->setup_code, kAddress);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos);
}

TEST_F(IdentityTest, ApiTokensAreScopedExpiringAndRevocable) {
  set_up("kim", {Role::auditor});
  const auto kim = accounts().get(local_operator(), "kim")->id;
  Actor me{"user:" + std::to_string(kim), ActorKind::user, kim, "kim", {Role::auditor}, std::nullopt, kAddress};
  // Not more than the account may do.
  EXPECT_EQ(sign_in().create_token(me, kim, "ci", {Permission::catalog_import}, days(30)).error().code,
            ErrorCode::forbidden);
  auto issued = sign_in().create_token(me, kim, "ci", {Permission::catalog_read}, days(30));
  ASSERT_TRUE(issued) << issued.error().message;
  auto actor = sign_in().authenticate_token(issued->token, kAddress);
  ASSERT_TRUE(actor);
  EXPECT_EQ(actor->kind, ActorKind::token);
  EXPECT_TRUE(authorize(*actor, Permission::catalog_read));
  EXPECT_FALSE(authorize(*actor, Permission::audit_verify));  // the role may, the token may not
  EXPECT_FALSE(sign_in().authenticate_token(issued->token + "0", kAddress));
  now_ += days(31);
  EXPECT_FALSE(sign_in().authenticate_token(issued->token, kAddress));
  auto second = sign_in().create_token(me, kim, "ci2", {Permission::catalog_read}, days(30));
  ASSERT_TRUE(sign_in().revoke_token(me, second->id));
  EXPECT_FALSE(sign_in().authenticate_token(second->token, kAddress));
  EXPECT_NE(audit_actions().find("token.revoke"), std::string::npos);
  // Only the hash is stored.
  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT token_hash FROM api_tokens");
  for (const auto& r : *rows) EXPECT_EQ(r.text(0).find(second->token.substr(7)), std::string::npos);
}

TEST_F(IdentityTest, PrivilegedRolesNeedASecondAdministrator) {
  ASSERT_TRUE(accounts().create(local_operator(), {"adm1", "Admin One", "", "admin", {Role::admin}}, ""));
  ASSERT_TRUE(accounts().create(local_operator(), {"adm2", "Admin Two", "", "admin", {Role::admin}}, ""));
  set_up("lisa", {Role::engineer});
  const auto a1 = admin_actor("adm1"), a2 = admin_actor("adm2");
  // A non-privileged role takes effect at once ...
  EXPECT_EQ(accounts().grant_role(a1, "lisa", Role::auditor, "reads reports").value(), 0);
  // ... a privileged one waits for approval.
  auto request = accounts().grant_role(a1, "lisa", Role::security_manager, "new security manager");
  ASSERT_TRUE(request) << request.error().message;
  ASSERT_GT(*request, 0);
  EXPECT_EQ(accounts().get(a1, "lisa")->roles, (std::vector<std::string>{"auditor", "engineer"}));
  auto own = accounts().approve(a1, *request, "");
  ASSERT_FALSE(own);
  EXPECT_EQ(own.error().code, ErrorCode::forbidden);
  ASSERT_TRUE(accounts().approve(a2, *request, "agreed with the CISO"));
  EXPECT_EQ(accounts().get(a1, "lisa")->roles, (std::vector<std::string>{"auditor", "engineer", "security_manager"}));
  EXPECT_EQ(accounts().approve(a2, *request, "").error().code, ErrorCode::conflict);  // decided once
  // The history names who asked and who approved.
  auto tx = inst_->db().begin(store::Access::read);
  auto history = store::role_history(**tx, "9999-12-31T00:00:00Z");
  ASSERT_TRUE(history);
  const auto it = std::find_if(history->begin(), history->end(),
                               [](const store::RoleChange& c) { return c.role == "security_manager"; });
  ASSERT_NE(it, history->end());
  const auto& last = *it;
  EXPECT_EQ(last.role, "security_manager");
  EXPECT_EQ(last.requested_by, a1.id);
  EXPECT_EQ(last.approved_by, a2.id);
  EXPECT_EQ(last.request_id, std::optional<std::int64_t>(*request));
  tx->reset();
  // Administrators and business roles never share an account.
  EXPECT_EQ(accounts().grant_role(a1, "lisa", Role::admin, "why not").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(accounts().grant_role(a1, "adm2", Role::engineer, "why not").error().code, ErrorCode::invalid_argument);
  // A rejected request changes nothing.
  auto removal = accounts().remove_role(a2, "lisa", Role::security_manager, "left the team");
  ASSERT_TRUE(accounts().reject(a1, *removal, "not yet"));
  EXPECT_EQ(accounts().get(a1, "lisa")->roles.size(), 3u);
  // An engineer cannot manage accounts at all.
  Actor engineer{"user:99", ActorKind::user, 99, "x", {Role::engineer}, std::nullopt, kAddress};
  EXPECT_EQ(accounts().list(engineer).error().code, ErrorCode::forbidden);
}

TEST_F(IdentityTest, CreatingAnAdministratorAndResettingMfaNeedApproval) {
  ASSERT_TRUE(accounts().create(local_operator(), {"adm1", "Admin One", "", "admin", {Role::admin}}, ""));
  ASSERT_TRUE(accounts().create(local_operator(), {"adm2", "Admin Two", "", "admin", {Role::admin}}, ""));
  const auto a1 = admin_actor("adm1"), a2 = admin_actor("adm2");
  auto created = accounts().create(a1, {"adm3", "Admin Three", "", "admin", {Role::admin}}, "third on call");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->setup_code.empty());
  ASSERT_EQ(created->request_ids.size(), 1u);
  EXPECT_FALSE(accounts().get(a1, "adm3"));
  ASSERT_TRUE(accounts().approve(a2, created->request_ids[0], ""));
  EXPECT_EQ(accounts().get(a1, "adm3")->roles, std::vector<std::string>{"admin"});
  EXPECT_TRUE(accounts().issue_setup_code(a1, "adm3"));

  std::string secret;
  const auto session = set_up("mona", {Role::engineer}, &secret);
  auto reset = accounts().request_mfa_reset(a1, "mona", "lost her phone");
  ASSERT_TRUE(reset);
  EXPECT_TRUE(sign_in().resolve(session, kAddress));  // nothing happens before approval
  ASSERT_TRUE(accounts().approve(a2, *reset, ""));
  EXPECT_FALSE(sign_in().resolve(session, kAddress));
  auto g = sign_in().with_password("mona", kPassword, kAddress);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->stage, SessionStage::enroll_mfa);
}

TEST_F(IdentityTest, DeactivationIsImmediateAndDeletionKeepsATombstone) {
  ASSERT_TRUE(accounts().create(local_operator(), {"adm1", "Admin One", "", "admin", {Role::admin}}, ""));
  const auto a1 = admin_actor("adm1");
  std::string secret;
  const auto session = set_up("nils", {Role::engineer}, &secret);
  ASSERT_TRUE(accounts().deactivate(a1, "nils", "left the company"));
  EXPECT_FALSE(sign_in().resolve(session, kAddress));
  EXPECT_FALSE(sign_in().with_password("nils", kPassword, kAddress));
  ASSERT_TRUE(accounts().remove(a1, "nils", "personal data no longer needed"));
  auto tomb = accounts().get(a1, "nils");
  ASSERT_TRUE(tomb);
  EXPECT_EQ(tomb->status, "deleted");
  EXPECT_EQ(tomb->display_name, "");
  EXPECT_EQ(tomb->email, "");
  EXPECT_TRUE(tomb->roles.empty());
  // The name is never handed to someone else.
  auto reuse = accounts().create(a1, {"nils", "Another Nils", "", "business", {Role::engineer}}, "");
  ASSERT_FALSE(reuse);
  EXPECT_EQ(reuse.error().code, ErrorCode::conflict);
  // The last administrator cannot be removed.
  auto admin_id = accounts().get(a1, "admin");
  ASSERT_TRUE(accounts().deactivate(a1, "admin", "unused"));
  EXPECT_EQ(accounts().deactivate(local_operator(), "adm1", "oops").error().code, ErrorCode::conflict);
  // The audit chain still verifies after all of it.
  auto verified = verify_audit_log(*inst_, local_operator());
  ASSERT_TRUE(verified) << verified.error().message;
}
