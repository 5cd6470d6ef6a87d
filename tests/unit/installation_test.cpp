#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tillit/services/audit_service.h"
#include "tillit/services/catalog_service.h"
#include "tillit/services/installation.h"
#include "tillit/services/jobs.h"
#include "tillit/store/identity_repository.h"
#include "tillit/store/repositories.h"
#include "test_database.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> no_env(const char*) { return std::nullopt; }

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}


constexpr const char* kDemoCatalog = R"(format: tillit-catalog/1
catalog:
  id: "demo"
  name: {en: "Demo framework"}
requirements:
  - id: "D1"
    title: {en: "Keep a register"}
    maps_to:
      annex: ["K45"]
)";

}  // namespace

class InstallationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = fs::temp_directory_path() / ("tillit-inst-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))));
    database_url_ = tillit::testing::fresh_database_url();
    InitOptions options;
    options.data_dir = dir_;
    options.database_url = database_url_;
    auto r = Installation::init(options);
    ASSERT_TRUE(r) << r.error().message;
    report_ = *r;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Installation> open() {
    auto config = load_config(dir_, no_env);
    EXPECT_TRUE(config);
    auto inst = Installation::open(*config);
    EXPECT_TRUE(inst) << (inst ? "" : inst.error().message);
    return inst ? std::move(*inst) : nullptr;
  }

  // Changes the database behind Tillit's back, as someone with access to it would.
  void tamper(const std::string& sql) { tillit::testing::run_sql(database_url_, (dir_ / "tillit.db").string(), sql); }
  bool sqlite() const { return database_url_.empty(); }

  fs::path dir_;
  std::string database_url_;
  InitReport report_;
};

TEST_F(InstallationTest, CreatesAPrivateDataDirectory) {
  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(dir_ / "keys"), 0700u);
  EXPECT_EQ(mode_of(dir_ / "keys" / "master.key"), 0600u);
  if (sqlite()) {
    EXPECT_EQ(mode_of(dir_ / "tillit.db"), 0600u);
  }
  EXPECT_EQ(mode_of(dir_ / "tls" / "private-key.pem"), 0600u);
  EXPECT_TRUE(fs::exists(dir_ / "tls" / "certificate.pem"));
  EXPECT_TRUE(fs::exists(dir_ / "tillit.yaml"));
  EXPECT_TRUE(report_.generated_certificate);
  EXPECT_EQ(report_.url, "https://localhost:8443/");
  // The published key file matches the fingerprint shown.
  std::ifstream in(report_.signing_public_key_file);
  std::stringstream pem;
  pem << in.rdbuf();
  auto key = crypto::ed25519_public_key_from_pem(pem.str());
  ASSERT_TRUE(key);
  EXPECT_EQ(crypto::key_fingerprint(crypto::as_chars(*key)), report_.signing_key_fingerprint);
}

TEST_F(InstallationTest, SetupCodeIsStoredHashedAndExpiresIn24Hours) {
  EXPECT_EQ(report_.setup_code.size(), 23u);  // 4 groups of 5 and 3 dashes
  auto inst = open();
  auto tx = inst->db().begin(store::Access::read);
  auto admin = store::find_user(**tx, "admin");
  ASSERT_TRUE(admin && admin->has_value());
  EXPECT_EQ((*admin)->kind, "admin");
  auto codes = store::unused_setup_codes(**tx, (*admin)->id);
  ASSERT_TRUE(codes);
  ASSERT_EQ(codes->size(), 1u);
  const auto& code = codes->front();
  EXPECT_EQ(code.code_hash.find(report_.setup_code), std::string::npos);
  // Hashed without its dashes, so "mh7km q5sqx ..." typed by a person matches too.
  std::string canonical;
  for (char c : report_.setup_code)
    if (c != '-') canonical.push_back(c);
  EXPECT_TRUE(crypto::verify_secret(code.code_hash, canonical));
  const auto created = parse_rfc3339(code.created_at).value();
  const auto expires = parse_rfc3339(code.expires_at).value();
  EXPECT_EQ(expires - created, std::chrono::hours(24));
  if (!sqlite()) return;
  // The database file holds no copy of the code in plain text.
  std::ifstream db(dir_ / "tillit.db", std::ios::binary);
  std::stringstream bytes;
  bytes << db.rdbuf();
  EXPECT_EQ(bytes.str().find(report_.setup_code), std::string::npos);
}

TEST_F(InstallationTest, RefusesToInitialiseTwiceOrIntoANonEmptyDirectory) {
  InitOptions again;
  again.data_dir = dir_;
  again.database_url = database_url_;
  auto r = Installation::init(again);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);

  const auto other = dir_.string() + "-other";
  fs::create_directories(other);
  std::ofstream(fs::path(other) / "notes.txt") << "mine";
  InitOptions into_used;
  into_used.data_dir = other;
  EXPECT_FALSE(Installation::init(into_used));
  EXPECT_TRUE(fs::exists(fs::path(other) / "notes.txt"));  // nothing of the user's is touched
  fs::remove_all(other);
}

TEST_F(InstallationTest, RefusesAMasterKeyReadableByOthers) {
  ::chmod((dir_ / "keys" / "master.key").c_str(), 0640);
  auto config = load_config(dir_, no_env);
  auto inst = Installation::open(*config);
  ASSERT_FALSE(inst);
  EXPECT_NE(inst.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(InstallationTest, RefusesAnotherInstallationsMasterKey) {
  const auto other = dir_.string() + "-second";
  InitOptions o;
  o.data_dir = other;
  o.database_url = tillit::testing::fresh_database_url();
  ASSERT_TRUE(Installation::init(o));
  fs::copy_file(fs::path(other) / "keys" / "master.key", dir_ / "keys" / "master.key", fs::copy_options::overwrite_existing);
  auto config = load_config(dir_, no_env);
  auto inst = Installation::open(*config);
  ASSERT_FALSE(inst);
  EXPECT_NE(inst.error().message.find("another master key"), std::string::npos);
  fs::remove_all(other);
}

TEST_F(InstallationTest, FreshAuditLogVerifies) {
  auto inst = open();
  auto v = verify_audit_log(*inst, local_operator());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->intact) << v->failure;
  EXPECT_EQ(v->events, 3);  // installation.init, user.create, setup_code.issue
}

TEST_F(InstallationTest, TamperingWithTheDatabaseFileIsDetected) {
  tamper("UPDATE audit_events SET actor = 'user:999' WHERE seq = 2");
  auto inst = open();
  auto v = verify_audit_log(*inst, local_operator());
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->intact);
  EXPECT_EQ(v->bad_seq, 2);
  EXPECT_NE(v->failure.find("event 2"), std::string::npos);
}

TEST_F(InstallationTest, DeletingTheNewestEventIsDetected) {
  tamper("DELETE FROM audit_events WHERE seq = 3");
  auto inst = open();
  auto v = verify_audit_log(*inst, local_operator());
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->intact);
  EXPECT_NE(v->failure.find("removed from the end"), std::string::npos);
}

TEST_F(InstallationTest, DeletingTheWholeLogIsDetected) {
  tamper("DELETE FROM audit_events; DELETE FROM audit_head;");
  auto inst = open();
  auto v = verify_audit_log(*inst, local_operator());
  ASSERT_TRUE(v);
  // The installation row proves events once existed: an empty log must not pass silently.
  EXPECT_FALSE(v->intact);
}

TEST_F(InstallationTest, ExportVerifiesOfflineAndSinceFilters) {
  auto inst = open();
  std::stringstream out;
  auto summary = export_audit_log(*inst, local_operator(), out, std::nullopt);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->events, 3);
  std::istringstream in(out.str());
  auto offline = audit::verify_export(in, report_.signing_key_fingerprint, nullptr);
  ASSERT_TRUE(offline) << offline.error().message;
  EXPECT_EQ(offline->events, 3);
  EXPECT_GE(offline->checkpoints, 1);

  std::stringstream later;
  auto none = export_audit_log(*inst, local_operator(), later, parse_rfc3339("2999-01-01").value());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->events, 0);
  std::istringstream in2(later.str());
  EXPECT_TRUE(audit::verify_export(in2, report_.signing_key_fingerprint, &inst->chain()));
}

TEST_F(InstallationTest, ExportRefusesABrokenLog) {
  tamper("UPDATE audit_events SET action = 'nothing' WHERE seq = 1");
  auto inst = open();
  std::stringstream out;
  auto r = export_audit_log(*inst, local_operator(), out, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::integrity);
}

TEST_F(InstallationTest, ImportedCatalogIsStoredAuditedAndListed) {
  auto inst = open();
  CatalogService catalogs(*inst);
  auto imported = catalogs.import(local_operator(), kDemoCatalog);
  ASSERT_TRUE(imported) << imported.error().message;
  auto all = catalogs.list(local_operator());
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().catalog.id, "annex");
  auto found = catalogs.find_requirement(local_operator(), "demo:D1");
  ASSERT_TRUE(found);
  auto v = verify_audit_log(*inst, local_operator());
  EXPECT_TRUE(v->intact);
  EXPECT_EQ(v->events, 4);
  // Re-import replaces and records the previous hash.
  ASSERT_TRUE(catalogs.import(local_operator(), std::string(kDemoCatalog) + "  - id: \"D2\"\n    title: {en: \"More\"}\n"));
  EXPECT_EQ(catalogs.get(local_operator(), "demo")->catalog.requirements.size(), 2u);
}

TEST_F(InstallationTest, ImportRejectsBadFilesAndBuiltinIds) {
  auto inst = open();
  CatalogService catalogs(*inst);
  std::string broken_mapping = kDemoCatalog;
  broken_mapping.replace(broken_mapping.find("K45"), 3, "K99");
  auto r = catalogs.import(local_operator(), broken_mapping);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("annex:K99"), std::string::npos);

  std::string builtin_id = kDemoCatalog;
  builtin_id.replace(builtin_id.find("\"demo\""), 6, "\"annex\"");
  r = catalogs.import(local_operator(), builtin_id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);

  EXPECT_EQ(catalogs.import(anonymous("10.0.0.1"), kDemoCatalog).error().code, ErrorCode::unauthenticated);
  const Actor engineer{"user:7", ActorKind::user, 7, "eng", {Role::engineer}, std::nullopt, "10.0.0.1"};
  EXPECT_EQ(catalogs.import(engineer, kDemoCatalog).error().code, ErrorCode::forbidden);
  EXPECT_EQ(verify_audit_log(*inst, local_operator())->events, 3);  // nothing recorded for refused imports
}

TEST_F(InstallationTest, EachJobRunsOncePerSlotWhateverTheNumberOfInstances) {
  auto inst = open();
  const auto now = parse_rfc3339("2026-11-23T10:15:00Z").value();
  auto first = run_due_jobs(*inst, builtin_jobs(), "instance-a", now);
  ASSERT_EQ(first.size(), builtin_jobs().size());
  for (const auto& r : first) {
    EXPECT_TRUE(r.ran) << r.job;
    EXPECT_EQ(r.outcome, "ok") << r.job;
  }
  EXPECT_EQ(first[0].slot, "2026-11-23T10:00:00.000Z");  // hourly checkpoint
  EXPECT_EQ(first[1].slot, "2026-11-23T00:00:00.000Z");  // daily integrity check
  for (const char* other : {"instance-a", "instance-b"})
    for (const auto& r : run_due_jobs(*inst, builtin_jobs(), other, now + std::chrono::minutes(30)))
      EXPECT_FALSE(r.ran) << r.job << " ran twice in one slot";
  // The next hour is a new slot for the checkpoint, not for the daily check.
  auto next = run_due_jobs(*inst, builtin_jobs(), "instance-b", now + std::chrono::hours(1));
  EXPECT_TRUE(next[0].ran);
  EXPECT_FALSE(next[1].ran);
}

TEST_F(InstallationTest, AnAbandonedJobRunIsTakenOverAfterItsLease) {
  auto inst = open();
  const auto now = parse_rfc3339("2026-11-23T10:15:00Z").value();
  {
    auto tx = inst->db().begin(store::Access::write);
    // An instance claimed the slot and died before finishing.
    ASSERT_TRUE(store::claim_job_run(**tx, {"audit-checkpoint", "2026-11-23T10:00:00.000Z", "dead-instance",
                                            format_rfc3339(now), format_rfc3339(now + std::chrono::minutes(10)), {}, {}})
                    .value());
    ASSERT_TRUE((*tx)->commit());
  }
  const std::vector<JobDefinition> checkpoint_only{builtin_jobs()[0]};
  EXPECT_FALSE(run_due_jobs(*inst, checkpoint_only, "instance-b", now + std::chrono::minutes(5))[0].ran);
  EXPECT_TRUE(run_due_jobs(*inst, checkpoint_only, "instance-b", now + std::chrono::minutes(11))[0].ran);
}

TEST_F(InstallationTest, IntegrityJobRaisesAnAlertOnATamperedLog) {
  tamper("UPDATE audit_events SET actor = 'someone' WHERE seq = 1");
  auto inst = open();
  const std::vector<JobDefinition> integrity_only{builtin_jobs()[1]};
  auto r = run_due_jobs(*inst, integrity_only, "instance-a", now_utc());
  ASSERT_TRUE(r[0].ran);
  EXPECT_NE(r[0].outcome.find("audit log: event 1"), std::string::npos) << r[0].outcome;
  auto tx = inst->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT COUNT(*) FROM audit_events WHERE action = 'integrity.alert'");
  EXPECT_EQ(rows->front().integer(0), 1);
}
