// Access-review campaigns and the privileged-roles report at the service layer, with a clock
// the test moves: the snapshot and its unused flag, the own-account rule, revocation taking
// effect at once, closing, the CSV (exact) and PDF reports; and the privileged-roles report's
// state at the start, changes with requester and approver, and state at the end. Runs on
// SQLite and (TILLIT_TEST_BACKEND=postgresql) on PostgreSQL.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_database.h"
#include "tillit/crypto/totp.h"
#include "tillit/services/access_reviews.h"
#include "tillit/services/accounts.h"
#include "tillit/services/identity_reports.h"
#include "tillit/services/sign_in.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

constexpr const char* kAddress = "192.0.2.20";
constexpr const char* kPassword = "Granskning-Pågår-2026!";

crypto::SecretBytes secret_from_base32(const std::string& text) { return crypto::from_base32(text).value(); }

bool have_pdftotext() { return std::system("command -v pdftotext >/dev/null 2>&1") == 0; }

// The text poppler reads out of `pdf`.
std::string pdf_text(const std::string& pdf, const fs::path& dir) {
  const auto file = dir / "report.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  const std::string command = "pdftotext -enc UTF-8 '" + file.string() + "' -";
  std::string text;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;) text.append(buffer, n);
    ::pclose(p);
  }
  return text;
}

}  // namespace

class AccessReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = fs::temp_directory_path() / ("tillit-review-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))));
    InitOptions options;
    options.data_dir = dir_;
    options.database_url = tillit::testing::fresh_database_url();
    ASSERT_TRUE(Installation::init(options));
    auto config = load_config(dir_, [](const char*) { return std::optional<std::string>(); });
    ASSERT_TRUE(config);
    config->identity.unused_account_after = days(90);
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
  AccessReviewService reviews() { return AccessReviewService(*inst_, clock()); }
  IdentityReportService reports() { return IdentityReportService(*inst_, clock()); }

  // A business account taken through its first sign-in (now_ becomes its last sign-in);
  // returns the signed-in session id.
  std::string set_up(const std::string& name, std::vector<Role> roles) {
    auto created =
        accounts().create(local_operator(), {name, "Person " + name, name + "@example.se", "business", roles}, "");
    EXPECT_TRUE(created) << created.error().message;
    auto g = sign_in().with_setup_code(name, created->setup_code, kAddress);
    EXPECT_TRUE(g) << g.error().message;
    auto p = sign_in().set_password(g->session_id, "", kPassword, kAddress);
    EXPECT_TRUE(p) << p.error().message;
    auto e = sign_in().begin_mfa_enrollment(p->session_id, kAddress);
    EXPECT_TRUE(e);
    secrets_[name] = e->secret_base32;
    auto done = sign_in().finish_mfa_enrollment(
        p->session_id, crypto::totp_code(secret_from_base32(e->secret_base32), now_), kAddress);
    EXPECT_TRUE(done) << done.error().message;
    return done->grant.session_id;
  }

  // A later sign-in with password and code (moves the clock to the next TOTP step).
  std::string sign_in_again(const std::string& name) {
    auto g = sign_in().with_password(name, kPassword, kAddress);
    EXPECT_TRUE(g) << g.error().message;
    now_ += seconds(30);
    auto done =
        sign_in().second_factor(g->session_id, crypto::totp_code(secret_from_base32(secrets_[name]), now_), kAddress);
    EXPECT_TRUE(done) << done.error().message;
    return done->session_id;
  }

  Actor actor_of(const std::string& session) {
    auto s = sign_in().resolve(session, kAddress);
    EXPECT_TRUE(s) << s.error().message;
    return s->actor;
  }

  Actor person(const std::string& name, Role role) {
    auto a = accounts().get(local_operator(), name);
    EXPECT_TRUE(a) << a.error().message;
    return Actor{"user:" + std::to_string(a->id), ActorKind::user, a->id, name, {role}, std::nullopt, kAddress};
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

  const AccessReviewItemView* item(const AccessReviewView& r, const std::string& name) {
    for (const auto& i : r.items)
      if (i.username == name) return &i;
    ADD_FAILURE() << name << " is not in the review";
    return nullptr;
  }

  fs::path dir_;
  std::unique_ptr<Installation> inst_;
  Timestamp now_;
  std::map<std::string, std::string> secrets_;
};

TEST_F(AccessReviewTest, SnapshotHoldsEveryAccountNotDeletedAndFlagsUnusedOnes) {
  set_up("sam", {Role::security_manager});
  set_up("eva", {Role::engineer, Role::auditor});
  ASSERT_TRUE(accounts().create(local_operator(), {"nils", "Nils", "", "business", {Role::auditor}}, ""));
  ASSERT_TRUE(accounts().create(local_operator(), {"gone", "Gone", "", "business", {Role::engineer}}, ""));
  ASSERT_TRUE(accounts().remove(local_operator(), "gone", "left the company"));
  // 91 days later sam signs in again; eva has not been seen since.
  now_ += days(91);
  const auto sam_now = sign_in_again("sam");

  auto r = reviews().start(actor_of(sam_now), "Behörighetsgranskning 2027 Q1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->title, "Behörighetsgranskning 2027 Q1");
  EXPECT_EQ(r->created_by_name, "sam");
  EXPECT_FALSE(r->closed());
  std::vector<std::string> names;
  for (const auto& i : r->items) names.push_back(i.username);
  EXPECT_EQ(names, (std::vector<std::string>{"admin", "eva", "nils", "sam"}));  // not "gone"
  EXPECT_EQ(r->accounts, 4u);
  EXPECT_EQ(r->unused, 3u);
  EXPECT_TRUE(item(*r, "admin")->unused);  // never signed in
  EXPECT_EQ(item(*r, "admin")->kind, "admin");
  EXPECT_EQ(item(*r, "admin")->roles, std::vector<std::string>{"admin"});
  EXPECT_TRUE(item(*r, "nils")->unused);  // never signed in
  EXPECT_EQ(item(*r, "nils")->account_status, "pending_setup");
  EXPECT_TRUE(item(*r, "eva")->unused);  // 91 days ago
  EXPECT_EQ(item(*r, "eva")->last_login_at, "2026-11-23T09:00:00.000Z");
  EXPECT_EQ(item(*r, "eva")->roles, (std::vector<std::string>{"auditor", "engineer"}));
  EXPECT_FALSE(item(*r, "sam")->unused);
  EXPECT_EQ(item(*r, "sam")->roles, std::vector<std::string>{"security_manager"});
  for (const auto& i : r->items) EXPECT_EQ(i.decision, "");

  // 89 days is not yet unused.
  now_ += days(89);
  const auto second = reviews().start(local_operator(), "Nästa");
  ASSERT_TRUE(second);
  EXPECT_FALSE(item(*second, "sam")->unused);
  EXPECT_EQ(reviews().list(local_operator())->front().id, second->id);  // newest first
  EXPECT_NE(audit_actions().find("access_review.start"), std::string::npos);
}

TEST_F(AccessReviewTest, OnlyReviewersStartCampaignsAndNobodyDecidesTheirOwnAccount) {
  const auto sam = actor_of(set_up("sam", {Role::security_manager}));
  const auto eva = actor_of(set_up("eva", {Role::engineer, Role::auditor}));
  EXPECT_EQ(reviews().start(eva, "Q1").error().code, ErrorCode::forbidden);
  EXPECT_EQ(reviews().start(anonymous(kAddress), "Q1").error().code, ErrorCode::unauthenticated);
  EXPECT_EQ(reviews().start(sam, "  ").error().code, ErrorCode::invalid_argument);
  auto r = reviews().start(sam, "Q1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(reviews().show(eva, r->id).error().code, ErrorCode::forbidden);
  EXPECT_EQ(reviews().decide(eva, r->id, "sam", "keep", "").error().code, ErrorCode::forbidden);

  auto own = reviews().decide(sam, r->id, "sam", "keep", "still the security manager");
  ASSERT_FALSE(own);
  EXPECT_EQ(own.error().code, ErrorCode::forbidden);
  EXPECT_NE(own.error().message.find("own account"), std::string::npos);
  EXPECT_EQ(reviews().decide(sam, r->id, "nobody", "keep", "").error().code, ErrorCode::not_found);
  EXPECT_EQ(reviews().decide(sam, r->id, "eva", "maybe", "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(reviews().decide(sam, 999, "eva", "keep", "").error().code, ErrorCode::not_found);
  auto kept = reviews().decide(sam, r->id, "eva", "keep", "works on the scanner imports");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->decision, "keep");
  EXPECT_EQ(kept->decided_by, sam.id);
  EXPECT_EQ(kept->decided_by_name, "sam");
  EXPECT_EQ(kept->decided_at, "2026-11-23T09:00:00.000Z");
  EXPECT_EQ(reviews().decide(sam, r->id, "eva", "keep", "").error().code, ErrorCode::conflict);
  EXPECT_NE(audit_actions().find("access_review.keep"), std::string::npos);
}

TEST_F(AccessReviewTest, RevokingDeactivatesTheAccountAndEndsItsSessionsAtOnce) {
  const auto sam = actor_of(set_up("sam", {Role::security_manager}));
  const auto eva_session = set_up("eva", {Role::engineer});
  const auto eva_id = accounts().get(local_operator(), "eva")->id;
  auto token = sign_in().create_token(local_operator(), eva_id, "ci", {Permission::catalog_read}, days(30));
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_TRUE(sign_in().authenticate_token(token->token, kAddress));
  auto r = reviews().start(sam, "Q1");
  ASSERT_TRUE(r);

  // A kept account can still be revoked in the same campaign; a revocation needs a reason.
  ASSERT_TRUE(reviews().decide(sam, r->id, "eva", "keep", ""));
  EXPECT_EQ(reviews().decide(sam, r->id, "eva", "revoke", "").error().code, ErrorCode::invalid_argument);
  ASSERT_TRUE(sign_in().resolve(eva_session, kAddress));
  auto revoked = reviews().decide(sam, r->id, "eva", "revoke", "moved to another team");
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->decision, "revoke");
  EXPECT_EQ(revoked->account_status, "disabled");

  EXPECT_EQ(accounts().get(local_operator(), "eva")->status, "disabled");
  EXPECT_EQ(sign_in().resolve(eva_session, kAddress).error().code, ErrorCode::unauthenticated);
  EXPECT_FALSE(sign_in().authenticate_token(token->token, kAddress));
  EXPECT_EQ(sign_in().with_password("eva", kPassword, kAddress).error().code, ErrorCode::unauthenticated);
  // Final: reactivation goes through the four-eyes request instead.
  EXPECT_EQ(reviews().decide(sam, r->id, "eva", "keep", "").error().code, ErrorCode::conflict);

  const auto actions = audit_actions();
  const auto revoke_at = actions.find("access_review.revoke");
  ASSERT_NE(revoke_at, std::string::npos);
  EXPECT_NE(actions.find("user.deactivate", revoke_at), std::string::npos);
  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT changes FROM audit_events WHERE action = 'user.deactivate'");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_NE((*rows)[0].text(0).find("moved to another team"), std::string::npos);
}

TEST_F(AccessReviewTest, TheLastAdministratorCannotBeRevoked) {
  const auto sam = actor_of(set_up("sam", {Role::security_manager}));
  auto r = reviews().start(sam, "Q1");
  ASSERT_TRUE(r);
  EXPECT_EQ(reviews().decide(sam, r->id, "admin", "revoke", "nobody uses it").error().code, ErrorCode::conflict);
  EXPECT_EQ(accounts().get(local_operator(), "admin")->status, "pending_setup");
  EXPECT_EQ(reviews().show(sam, r->id)->decided, 0u);  // the refused decision left nothing behind
}

TEST_F(AccessReviewTest, ACampaignClosesOnlyWhenEveryAccountIsDecided) {
  const auto sam = actor_of(set_up("sam", {Role::security_manager}));
  set_up("eva", {Role::engineer});
  auto r = reviews().start(sam, "Q1");
  ASSERT_TRUE(r);
  ASSERT_TRUE(reviews().decide(sam, r->id, "admin", "keep", ""));
  auto refused = reviews().close(sam, r->id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_NE(refused.error().message.find("2 account(s)"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("eva, sam"), std::string::npos) << refused.error().message;

  ASSERT_TRUE(reviews().decide(sam, r->id, "eva", "keep", ""));
  ASSERT_TRUE(reviews().decide(local_operator(), r->id, "sam", "keep", ""));  // someone else decides sam
  now_ += hours(1);
  auto closed = reviews().close(sam, r->id);
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_TRUE(closed->closed());
  EXPECT_EQ(closed->closed_by, sam.id);
  EXPECT_EQ(closed->closed_by_name, "sam");
  EXPECT_EQ(closed->closed_at, "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(closed->kept, 3u);
  EXPECT_EQ(reviews().close(sam, r->id).error().code, ErrorCode::conflict);
  EXPECT_EQ(reviews().decide(sam, r->id, "eva", "revoke", "too late").error().code, ErrorCode::conflict);
  EXPECT_NE(audit_actions().find("access_review.close"), std::string::npos);
}

TEST_F(AccessReviewTest, TheCsvReportHoldsEveryAccountAndDecision) {
  const auto sam = actor_of(set_up("sam", {Role::security_manager}));
  set_up("eva", {Role::engineer});
  now_ += hours(1);
  auto r = reviews().start(sam, "Behörighetsgranskning 2026 Q4");
  ASSERT_TRUE(r);
  ASSERT_TRUE(reviews().decide(sam, r->id, "admin", "keep", "needed to run the system"));
  ASSERT_TRUE(reviews().decide(sam, r->id, "eva", "revoke", "left the project, \"Alfa\""));
  ASSERT_TRUE(reviews().decide(local_operator(), r->id, "sam", "keep", "=still needed"));
  ASSERT_TRUE(reviews().close(sam, r->id));

  auto csv = reviews().report(sam, r->id, ReportFormat::csv, "sv");
  ASSERT_TRUE(csv) << csv.error().message;
  EXPECT_EQ(csv->content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv->filename, "access-review-" + std::to_string(r->id) + ".csv");
  // A BOM for Excel, CRLF records, quoting, and a formula neutralised with a leading apostrophe.
  EXPECT_EQ(csv->content,
            "\xEF\xBB\xBF"
            "Konto,Typ,Roller,Senaste inloggning,Oanvänt,Beslut,Beslutat av,Beslutat,Anteckning\r\n"
            "admin,administratör,admin,aldrig,ja,behåll,sam,2026-11-23T10:00:00.000Z,needed to run the system\r\n"
            "eva,verksamhet,engineer,2026-11-23T09:00:00.000Z,nej,återkalla,sam,2026-11-23T10:00:00.000Z,"
            "\"left the project, \"\"Alfa\"\"\"\r\n"
            "sam,verksamhet,security_manager,2026-11-23T09:00:00.000Z,nej,behåll,cli,2026-11-23T10:00:00.000Z,"
            "'=still needed\r\n");
  EXPECT_EQ(csv->csv_sha256, crypto::to_hex(crypto::sha256(csv->content)));

  auto en = reviews().report(sam, r->id, ReportFormat::csv, "en");
  ASSERT_TRUE(en);
  EXPECT_EQ(en->content.substr(3, en->content.find("\r\n") - 3),
            "Account,Kind,Roles,Last sign-in,Unused,Decision,Decided by,Decided at,Note");
  EXPECT_EQ(reviews().report(sam, r->id, ReportFormat::json, "sv").error().code, ErrorCode::invalid_argument);
  // The customer's auditor may fetch the evidence; an engineer may not.
  EXPECT_TRUE(reviews().report(person("eva", Role::auditor), r->id, ReportFormat::csv, "sv"));
  const Actor engineer{"user:99", ActorKind::user, 99, "erik", {Role::engineer}, std::nullopt, "192.0.2.1"};
  EXPECT_EQ(reviews().report(engineer, r->id, ReportFormat::csv, "sv").error().code, ErrorCode::forbidden);
}

TEST_F(AccessReviewTest, ThePdfReportShowsTheSwedishTextAndTheCsvDigest) {
  const auto sam = actor_of(set_up("sam", {Role::security_manager}));
  set_up("eva", {Role::engineer});
  auto r = reviews().start(sam, "Behörighetsgranskning 2026 Q4");
  ASSERT_TRUE(r);
  ASSERT_TRUE(reviews().decide(sam, r->id, "eva", "revoke", "lämnade projektet"));
  auto pdf = reviews().report(sam, r->id, ReportFormat::pdf, "sv");
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->content.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(pdf->content_type, "application/pdf");
  EXPECT_EQ(pdf->filename, "access-review-" + std::to_string(r->id) + ".pdf");
  auto csv = reviews().report(sam, r->id, ReportFormat::csv, "sv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(pdf->csv_sha256, csv->csv_sha256);  // the two files are tied together
  if (!have_pdftotext()) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed; the PDF's text was not checked";
  const auto text = pdf_text(pdf->content, dir_);
  for (const char* expected :
       {"Behörighetsgranskning 2026 Q4", "Behörighetsgranskning nr", "pågående, inte avslutad", "Konton och beslut",
        "Anteckning", "återkalla", "lämnade projektet", "ej beslutat", "Granskare", "säkerhetsbilagans krav 54"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  EXPECT_NE(text.find(csv->csv_sha256), std::string::npos) << text;
}

TEST_F(AccessReviewTest, PrivilegedRolesReportShowsStartChangesWithRequesterAndApproverAndEnd) {
  // Far from the real clock, so that the installation's own admin grant is before the period.
  now_ = parse_rfc3339("2099-01-05T08:00:00Z").value();
  ASSERT_TRUE(accounts().create(local_operator(), {"alva", "Alva", "", "admin", {Role::admin}}, ""));
  ASSERT_TRUE(accounts().create(local_operator(), {"bertil", "Bertil", "", "admin", {Role::admin}}, ""));
  ASSERT_TRUE(accounts().create(local_operator(), {"ulla", "Ulla", "", "business", {Role::security_manager}}, ""));
  ASSERT_TRUE(accounts().create(local_operator(), {"vera", "Vera", "", "business", {Role::engineer}}, ""));
  const auto alva = person("alva", Role::admin), bertil = person("bertil", Role::admin);

  now_ = parse_rfc3339("2099-02-10T10:00:00Z").value();
  auto grant = accounts().grant_role(alva, "vera", Role::security_manager, "takes over from ulla");
  ASSERT_TRUE(grant) << grant.error().message;
  ASSERT_GT(*grant, 0);
  ASSERT_TRUE(accounts().grant_role(alva, "vera", Role::auditor, "not privileged"));
  now_ = parse_rfc3339("2099-02-11T10:00:00Z").value();
  ASSERT_TRUE(accounts().approve(bertil, *grant, "agreed in the steering group"));
  now_ = parse_rfc3339("2099-02-20T10:00:00Z").value();
  auto removal = accounts().remove_role(alva, "ulla", Role::security_manager, "handed over");
  ASSERT_TRUE(removal);
  ASSERT_TRUE(accounts().approve(bertil, *removal, ""));
  now_ = parse_rfc3339("2099-03-05T10:00:00Z").value();  // after the period
  ASSERT_TRUE(accounts().remove_role(local_operator(), "vera", Role::security_manager, "after the period"));

  const auto auditor = person("vera", Role::auditor);
  auto report = reports().privileged_roles(auditor, "2099-02-01", "2099-02-28");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->from, "2099-02-01T00:00:00.000Z");
  EXPECT_EQ(report->to, "2099-02-28T23:59:59.999Z");
  auto holders = [](const std::vector<PrivilegedHolding>& v) {
    std::string s;
    for (const auto& h : v) s += h.username + ":" + h.role + " ";
    return s;
  };
  EXPECT_EQ(holders(report->at_start), "admin:admin alva:admin bertil:admin ulla:security_manager ");
  EXPECT_EQ(holders(report->at_end), "admin:admin alva:admin bertil:admin vera:security_manager ");
  EXPECT_EQ(report->at_start[3].approved_by, "cli");
  ASSERT_EQ(report->changes.size(), 2u);
  const auto& granted = report->changes[0];
  EXPECT_EQ(granted.at, "2099-02-11T10:00:00.000Z");
  EXPECT_EQ(granted.username, "vera");
  EXPECT_EQ(granted.role, "security_manager");
  EXPECT_EQ(granted.change, "granted");
  EXPECT_EQ(granted.requested_by, alva.id);
  EXPECT_EQ(granted.requested_by_name, "alva");
  EXPECT_EQ(granted.approved_by_name, "bertil");
  EXPECT_EQ(granted.request_id, std::optional<std::int64_t>(*grant));
  const auto& removed = report->changes[1];
  EXPECT_EQ(removed.username, "ulla");
  EXPECT_EQ(removed.change, "removed");
  EXPECT_EQ(removed.requested_by_name, "alva");
  EXPECT_EQ(removed.approved_by_name, "bertil");

  const auto j = to_json(*report);
  EXPECT_EQ(j["changes"][0]["approved_by_name"], "bertil");
  EXPECT_EQ(j["privileged_roles"], nlohmann::json({"security_manager", "admin"}));

  auto csv = reports().privileged_roles_file(auditor, "2099-02-01", "2099-02-28", ReportFormat::csv, "sv");
  ASSERT_TRUE(csv) << csv.error().message;
  EXPECT_EQ(csv->filename, "privileged-roles-2099-02-01-2099-02-28.csv");
  EXPECT_NE(csv->content.find("Ändringar under perioden,2099-02-11T10:00:00.000Z,vera,security_manager,tilldelad,alva,"
                              "bertil," +
                              std::to_string(*grant) + "\r\n"),
            std::string::npos)
      << csv->content;
  EXPECT_NE(csv->content.find("Vid periodens slut,"), std::string::npos);
  auto pdf = reports().privileged_roles_file(auditor, "2099-02-01", "2099-02-28", ReportFormat::pdf, "sv");
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->content.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(pdf->csv_sha256, csv->csv_sha256);

  EXPECT_EQ(reports().privileged_roles(person("vera", Role::engineer), "2099-02-01", "2099-02-28").error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(reports().privileged_roles(auditor, "2099-03-01", "2099-02-01").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(reports().privileged_roles(auditor, "last year", "2099-02-01").error().code, ErrorCode::invalid_argument);
  if (!have_pdftotext()) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed; the PDF's text was not checked";
  const auto text = pdf_text(pdf->content, dir_);
  for (const char* expected : {"Privilegierade roller", "Vid periodens början", "Ändringar under perioden",
                               "Vid periodens slut", "tilldelad", "borttagen", "bertil"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
}
