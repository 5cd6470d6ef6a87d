// Backups at the service level, on SQLite and (TILLIT_TEST_BACKEND=postgresql) PostgreSQL:
// round trip with a row-by-row comparison, every kind of damage detected, writes during the
// backup, restore refusing to overwrite, the restore test's evidence, and `tillit verify`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tillit/core/retention.h"
#include "tillit/crypto/key_file.h"
#include "tillit/services/audit_service.h"
#include "tillit/services/backup.h"
#include "tillit/services/integrity.h"
#include "test_database.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> no_env(const char*) { return std::nullopt; }

std::string tag() { return crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string value_text(const store::Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return "NULL";
  if (const auto* n = std::get_if<std::int64_t>(&v)) return "i" + std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return "r" + std::to_string(*d);
  return "t" + std::get<std::string>(v);
}

// Every row of every data table, as text, for comparing two databases row by row.
std::map<std::string, std::multiset<std::string>> all_rows(store::Database& db) {
  std::map<std::string, std::multiset<std::string>> rows;
  auto counts = store::count_rows(db);
  EXPECT_TRUE(counts);
  auto tx = db.begin(store::Access::read);
  for (const auto& [table, count] : *counts) {
    auto& set = rows[table];
    EXPECT_TRUE((*tx)->for_each("SELECT * FROM " + table, {}, [&](const store::Row& r) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) line += value_text(r.value(i)) + "|";
      set.insert(line);
      return true;
    }));
  }
  return rows;
}

}  // namespace

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    base_ = fs::temp_directory_path() / ("tillit-backup-" + tag());
    dir_ = base_ / "data";
    database_url_ = tillit::testing::fresh_database_url();
    InitOptions options;
    options.data_dir = dir_;
    options.database_url = database_url_;
    auto r = Installation::init(options);
    ASSERT_TRUE(r) << r.error().message;
    inst_ = open(dir_);
    ASSERT_TRUE(inst_);
    key_ = crypto::random_key();
  }
  void TearDown() override {
    inst_.reset();
    fs::remove_all(base_);
  }

  std::unique_ptr<Installation> open(const fs::path& dir) {
    auto config = load_config(dir, no_env);
    EXPECT_TRUE(config);
    auto inst = Installation::open(*config);
    EXPECT_TRUE(inst) << (inst ? "" : inst.error().message);
    return inst ? std::move(*inst) : nullptr;
  }

  void add_events(int n, const std::string& prefix = "note") {
    for (int i = 0; i < n; ++i) {
      auto tx = inst_->db().begin(store::Access::write);
      ASSERT_TRUE(tx);
      ASSERT_TRUE(inst_->record(**tx, local_operator(), "test.note", "note", prefix + std::to_string(i),
                                {{"text", {{"after", std::string(200, 'x') + "å" + std::to_string(i)}}}}));
      ASSERT_TRUE((*tx)->commit());
    }
  }

  fs::path backup(BackupOptions options = {}) {
    if (options.destination.empty()) options.destination = base_ / "backups";
    auto made = create_backup(*inst_, local_operator(), key_, options);
    EXPECT_TRUE(made) << (made ? "" : made.error().message);
    return made ? made->file : fs::path();
  }

  RestoreOptions restore_options(const fs::path& archive, const fs::path& target) {
    RestoreOptions o;
    o.archive = archive;
    o.data_dir = target;
    o.backup_key = key_;
    o.master_key_file = dir_ / "keys" / "master.key";
    o.database_url = postgresql() ? tillit::testing::fresh_database_url() : "";
    return o;
  }

  bool postgresql() const { return !database_url_.empty(); }

  fs::path base_, dir_;
  std::string database_url_;
  std::unique_ptr<Installation> inst_;
  crypto::SecretBytes key_;
};

TEST_F(BackupTest, RoundTripRestoresEveryRowAndAnIntactAuditChain) {
  add_events(30);
  const auto before = all_rows(inst_->db());
  const auto counts_before = store::count_rows(inst_->db()).value();
  const fs::path archive = backup();
  ASSERT_FALSE(archive.empty());
  EXPECT_EQ(archive.extension(), ".tbk");
  EXPECT_EQ(archive.filename().string().rfind("tillit-backup-", 0), 0u);
  struct stat st {};
  ::stat(archive.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Nothing but the archive is left in the destination.
  EXPECT_EQ(std::distance(fs::directory_iterator(archive.parent_path()), fs::directory_iterator()), 1);
  // No key travels in the archive, and nothing of the database is readable in it.
  const std::string bytes = read_file(archive);
  EXPECT_EQ(bytes.find("installation.init"), std::string::npos);
  EXPECT_EQ(bytes.find(read_file(dir_ / "keys" / "master.key").substr(90, 20)), std::string::npos);

  auto manifest = verify_backup(archive, key_);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->backend, postgresql() ? "postgresql" : "sqlite");
  EXPECT_EQ(manifest->rows, counts_before);
  EXPECT_EQ(manifest->schema_version, store::latest_schema_version());
  std::set<std::string> parts;
  for (const auto& p : manifest->parts) parts.insert(p.name);
  EXPECT_TRUE(parts.count(postgresql() ? "database/dump.jsonl" : "database/tillit.db"));
  EXPECT_TRUE(parts.count("files/tillit.yaml"));
  EXPECT_TRUE(parts.count("files/audit-signing-key.pub"));
  EXPECT_TRUE(parts.count("files/tls/private-key.pem"));
  for (const auto& p : parts) EXPECT_EQ(p.find("keys/"), std::string::npos) << p;

  const fs::path target = base_ / "restored";
  auto options = restore_options(archive, target);
  auto restored = restore_backup(options);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_TRUE(restored->audit_verified);
  EXPECT_EQ(restored->audit_events, manifest->audit_events);
  EXPECT_EQ(restored->rows, counts_before);
  // Nothing is left beside the target.
  for (const auto& e : fs::directory_iterator(base_)) EXPECT_EQ(e.path().filename().string().find(".restoring"), std::string::npos);

  auto copy = open(target);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->db().backend(), postgresql() ? "postgresql" : "sqlite");
  EXPECT_EQ(all_rows(copy->db()), before);
  auto audit = verify_audit_log(*copy, local_operator());
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->intact) << audit->failure;
  EXPECT_EQ(read_file(target / "tls" / "private-key.pem"), read_file(dir_ / "tls" / "private-key.pem"));
  struct stat key_st {};
  ::stat((target / "tls" / "private-key.pem").c_str(), &key_st);
  EXPECT_EQ(key_st.st_mode & 0777, 0600u);
  // The restored installation writes, and its generated ids go on after the restored ones.
  auto tx = copy->db().begin(store::Access::write);
  ASSERT_TRUE(copy->record(**tx, local_operator(), "test.after_restore", "note", "x", nlohmann::json::object()));
  ASSERT_TRUE((*tx)->commit());
  EXPECT_TRUE(load_backup_key_file(target / "keys" / "backup.key"));  // later backups use the same key
}

TEST_F(BackupTest, APostgreSqlOrSqliteBackupAlsoRestoresIntoSqlite) {
  // Without --database a backup restores to SQLite, whatever it was taken from; that is how
  // `backup test` checks a PostgreSQL backup without a scratch database.
  add_events(5);
  const auto before = all_rows(inst_->db());
  const fs::path archive = backup();
  auto options = restore_options(archive, base_ / "as-sqlite");
  options.database_url.clear();
  auto restored = restore_backup(options);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_TRUE(restored->audit_verified);
  auto copy = open(base_ / "as-sqlite");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->db().backend(), "sqlite");
  EXPECT_EQ(all_rows(copy->db()), before);
  EXPECT_EQ(read_file(base_ / "as-sqlite" / "tillit.yaml").find("\ndatabase:"), std::string::npos);
}

TEST_F(BackupTest, AFlippedByteIsDetectedWherever) {
  add_events(3);
  const fs::path archive = backup();
  const std::string good = read_file(archive);
  // In the header, early chunks, the middle, and the final manifest chunk.
  for (std::size_t pos : {std::size_t{2}, std::size_t{20}, std::size_t{40}, good.size() / 2, good.size() - 5}) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    const fs::path copy = base_ / ("flipped-" + std::to_string(pos) + ".tbk");
    write_file(copy, bad);
    auto r = verify_backup(copy, key_);
    ASSERT_FALSE(r) << "flip at " << pos;
    EXPECT_EQ(r.error().code, ErrorCode::integrity);
    EXPECT_FALSE(r.error().message.empty());
  }
  std::string bad = good;
  bad[good.size() / 2] ^= 0x40;
  write_file(base_ / "mid.tbk", bad);
  auto r = verify_backup(base_ / "mid.tbk", key_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("fails authentication"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("use another copy"), std::string::npos) << r.error().message;
}

TEST_F(BackupTest, TruncationReorderingAndTrailingBytesAreDetected) {
  const fs::path archive = backup();
  const std::string good = read_file(archive);
  auto u32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(good[at])) << 24) | (std::uint32_t(std::uint8_t(good[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(good[at + 2])) << 8) | std::uint32_t(std::uint8_t(good[at + 3]));
  };
  // Chunk boundaries: header is 36 bytes, then length-prefixed chunks.
  std::vector<std::size_t> starts;
  for (std::size_t at = 36; at < good.size(); at += 4 + u32(at)) starts.push_back(at);
  ASSERT_GE(starts.size(), 4u);

  auto check = [&](const std::string& bytes, const std::string& expected, const char* what) {
    const fs::path f = base_ / (std::string(what) + ".tbk");
    write_file(f, bytes);
    auto r = verify_backup(f, key_);
    ASSERT_FALSE(r) << what;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << what << ": " << r.error().message;
  };
  check(good.substr(0, good.size() - 7), "truncated", "cut-mid-chunk");
  check(good.substr(0, starts.back()), "truncated", "cut-before-manifest");  // at a chunk boundary
  check(good.substr(0, 20), "truncated", "cut-in-header");
  check(good + "x", "after its final chunk", "trailing");
  // Swap chunks 1 and 2.
  const std::string c1 = good.substr(starts[1], starts[2] - starts[1]);
  const std::string c2 = good.substr(starts[2], starts[3] - starts[2]);
  check(good.substr(0, starts[1]) + c2 + c1 + good.substr(starts[3]), "fails authentication", "reordered");
  // Drop chunk 1.
  check(good.substr(0, starts[1]) + good.substr(starts[2]), "fails authentication", "dropped");
  check("not a backup at all, just some text", "not a Tillit backup", "foreign");
}

TEST_F(BackupTest, AWrongKeyIsNamedAsSuch) {
  const fs::path archive = backup();
  auto r = verify_backup(archive, crypto::random_key());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("another backup key"), std::string::npos) << r.error().message;
  auto options = restore_options(archive, base_ / "wrong-key");
  options.backup_key = crypto::random_key();
  auto restored = restore_backup(options);
  ASSERT_FALSE(restored);
  EXPECT_NE(restored.error().message.find("another backup key"), std::string::npos);
  EXPECT_FALSE(fs::exists(base_ / "wrong-key"));

  // The master key file is not a backup key, and says so.
  auto as_key = load_backup_key_file(dir_ / "keys" / "master.key");
  ASSERT_FALSE(as_key);
  EXPECT_NE(as_key.error().message.find("not a Tillit backup key"), std::string::npos);
  // A key file others can read is refused.
  const fs::path key_file = base_ / "backup.key";
  ASSERT_TRUE(write_backup_key_file(key_file, key_));
  EXPECT_TRUE(load_backup_key_file(key_file));
  ::chmod(key_file.c_str(), 0644);
  EXPECT_FALSE(load_backup_key_file(key_file));
}

TEST_F(BackupTest, ADamagedArchiveRestoresNothing) {
  const fs::path archive = backup();
  std::string bad = read_file(archive);
  bad[bad.size() - 30] ^= 0x10;
  write_file(archive, bad);
  auto restored = restore_backup(restore_options(archive, base_ / "from-damaged"));
  ASSERT_FALSE(restored);
  EXPECT_FALSE(fs::exists(base_ / "from-damaged"));
  for (const auto& e : fs::directory_iterator(base_)) EXPECT_EQ(e.path().filename().string().find(".restoring"), std::string::npos);
}

TEST_F(BackupTest, RestoreRefusesANonEmptyDirectoryUnlessForcedAndThenKeepsItsContents) {
  const fs::path archive = backup();
  const fs::path target = base_ / "occupied";
  fs::create_directories(target);
  write_file(target / "notes.txt", "mine");
  auto refused = restore_backup(restore_options(archive, target));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_NE(refused.error().message.find("not empty"), std::string::npos);
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(target / "notes.txt"), "mine");

  auto options = restore_options(archive, target);
  options.force = true;
  auto forced = restore_backup(options);
  ASSERT_TRUE(forced) << forced.error().message;
  ASSERT_TRUE(forced->moved_aside);
  EXPECT_EQ(read_file(*forced->moved_aside / "notes.txt"), "mine");
  EXPECT_FALSE(fs::exists(target / "notes.txt"));
  EXPECT_TRUE(fs::exists(target / "tillit.yaml"));

  // An empty existing directory is fine without --force.
  fs::create_directories(base_ / "empty");
  EXPECT_TRUE(restore_backup(restore_options(archive, base_ / "empty")));
}

TEST_F(BackupTest, AWrongMasterKeyFailsTheRestoreAndLeavesNothing) {
  const fs::path archive = backup();
  const fs::path other_key = base_ / "other-master.key";
  ASSERT_TRUE(crypto::create_master_key_file(other_key));
  auto options = restore_options(archive, base_ / "wrong-master");
  options.master_key_file = other_key;
  auto restored = restore_backup(options);
  ASSERT_FALSE(restored);
  EXPECT_NE(restored.error().message.find("another master key"), std::string::npos) << restored.error().message;
  EXPECT_FALSE(fs::exists(base_ / "wrong-master"));
  // Without a master key the database is still restored and checked, but not the chain.
  options.master_key_file.reset();
  options.database_url = postgresql() ? tillit::testing::fresh_database_url() : "";
  auto unkeyed = restore_backup(options);
  ASSERT_TRUE(unkeyed) << unkeyed.error().message;
  EXPECT_FALSE(unkeyed->audit_verified);
  EXPECT_FALSE(fs::exists(base_ / "wrong-master" / "keys" / "master.key"));
}

TEST_F(BackupTest, NoCommittedWriteIsLostWhileTheBackupRunsUnderLoad) {
  add_events(5, "before");
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto tx = inst_->db().begin(store::Access::write);
      if (!tx) continue;
      if (!inst_->record(**tx, local_operator(), "test.load", "load", std::to_string(i), {{"i", {{"after", i}}}})) continue;
      if ((*tx)->commit()) committed = i + 1;
    }
  });
  while (committed < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int committed_before = committed;
  int committed_at_snapshot = 0;
  BackupOptions options;
  options.after_snapshot = [&] {
    committed_at_snapshot = committed;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // writes go on meanwhile
  };
  const fs::path archive = backup(options);
  stop = true;
  writer.join();
  ASSERT_FALSE(archive.empty());
  EXPECT_GT(committed.load(), committed_at_snapshot);  // the writer did not stop for the backup

  auto restored = restore_backup(restore_options(archive, base_ / "under-load"));
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_TRUE(restored->audit_verified);  // a consistent snapshot: the chain ends cleanly
  auto copy = open(base_ / "under-load");
  ASSERT_TRUE(copy);
  auto tx = copy->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT object_id FROM audit_events WHERE action = 'test.load'");
  ASSERT_TRUE(rows);
  std::set<int> present;
  for (const auto& r : *rows) present.insert(std::stoi(r.text(0)));
  // Every write committed before the backup began is in it, and what is in it is a prefix.
  EXPECT_GE(static_cast<int>(present.size()), committed_before);
  EXPECT_LE(static_cast<int>(present.size()), committed_at_snapshot + 1);
  for (int i = 0; i < static_cast<int>(present.size()); ++i) EXPECT_TRUE(present.count(i)) << i;
}

TEST_F(BackupTest, TheRestoreTestRecordsItsResultAsEvidence) {
  add_events(3);
  const fs::path archive = backup();
  auto tested = test_restore(*inst_, local_operator(), archive, key_);
  ASSERT_TRUE(tested) << tested.error().message;
  EXPECT_TRUE(tested->passed) << tested->detail;
  // The temporary restore is gone.
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().filename().string().find(".restore-test"), std::string::npos);

  std::string bad = read_file(archive);
  bad[bad.size() / 2] ^= 1;
  write_file(base_ / "damaged.tbk", bad);
  auto failed = test_restore(*inst_, local_operator(), base_ / "damaged.tbk", key_);
  ASSERT_TRUE(failed);
  EXPECT_FALSE(failed->passed);
  EXPECT_NE(failed->detail.find("fails authentication"), std::string::npos) << failed->detail;

  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT changes FROM audit_events WHERE action = 'backup.restore_test' ORDER BY seq");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_NE(rows->at(0).text(0).find("\"passed\""), std::string::npos) << rows->at(0).text(0);
  EXPECT_NE(rows->at(1).text(0).find("\"failed\""), std::string::npos) << rows->at(1).text(0);
  auto created = (*tx)->query("SELECT COUNT(*) FROM audit_events WHERE action = 'backup.create'");
  EXPECT_EQ(created->front().integer(0), 1);
  tx->reset();
  auto audit = verify_audit_log(*inst_, local_operator());
  EXPECT_TRUE(audit && audit->intact);
}

TEST_F(BackupTest, IntegrityCheckSignsItsReportAndFindsATamperedLog) {
  auto report = check_integrity(*inst_, local_operator());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << integrity_report_text(*report);
  EXPECT_EQ(report->database_check, "ok");
  const std::string signed_report = signed_integrity_report(*inst_, *report);
  const std::string pem = read_file(dir_ / "audit-signing-key.pub");
  const std::string fingerprint = crypto::key_fingerprint(crypto::as_chars(inst_->signing_key().public_key));
  auto checked = verify_signed_integrity_report(signed_report, pem, fingerprint);
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(checked->at("result"), "ok");
  std::string altered = signed_report;
  altered.replace(altered.find("\"ok\""), 4, "\"no\"");
  EXPECT_FALSE(verify_signed_integrity_report(altered, pem, fingerprint));

  tillit::testing::run_sql(database_url_, (dir_ / "tillit.db").string(),
                           "UPDATE audit_events SET actor = 'someone' WHERE seq = 1");
  auto broken = check_integrity(*inst_, local_operator());
  ASSERT_TRUE(broken);
  EXPECT_FALSE(broken->ok());
  EXPECT_NE(integrity_report_text(*broken).find("FAILED"), std::string::npos);
}

TEST_F(BackupTest, ASqliteBackupRestoresIntoPostgreSql) {
  if (!postgresql()) GTEST_SKIP() << "needs TILLIT_TEST_BACKEND=postgresql";
  InitOptions options;
  options.data_dir = base_ / "sqlite-source";
  ASSERT_TRUE(Installation::init(options));
  auto source = open(base_ / "sqlite-source");
  ASSERT_TRUE(source);
  const auto before = all_rows(source->db());
  auto made = create_backup(*source, local_operator(), key_, {base_ / "sqlite-backups", {}, {}});
  ASSERT_TRUE(made) << made.error().message;
  RestoreOptions restore;
  restore.archive = made->file;
  restore.data_dir = base_ / "to-postgresql";
  restore.backup_key = key_;
  restore.master_key_file = base_ / "sqlite-source" / "keys" / "master.key";
  restore.database_url = tillit::testing::fresh_database_url();
  auto restored = restore_backup(restore);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_TRUE(restored->audit_verified);
  auto copy = open(base_ / "to-postgresql");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->db().backend(), "postgresql");
  EXPECT_EQ(all_rows(copy->db()), before);
  EXPECT_FALSE(fs::exists(base_ / "to-postgresql" / "tillit.db"));
}

// The daily job: a verified backup into backup_destination, then the archives past
// retention removed, never the newest few, and the removal recorded.
TEST_F(BackupTest, TheScheduledBackupKeepsTheNewestAndRemovesWhatRetentionAllows) {
  const fs::path dest = base_ / "scheduled";
  std::ofstream(dir_ / "tillit.yaml", std::ios::app) << "backup_destination: " << dest.string()
                                                     << "\nbackup_retention_days: 30\nbackup_keep_at_least: 2\n";
  ASSERT_TRUE(write_backup_key_file(backup_key_file(inst_->config()), key_));
  inst_ = open(dir_);
  ASSERT_TRUE(inst_);
  fs::create_directories(dest);
  // Archives from earlier runs (their names carry their time), and a file that is not one.
  for (const char* old : {"tillit-backup-20260101T020000.000Z.tbk", "tillit-backup-20260301T020000Z.tbk",
                          "tillit-backup-20261120T020000.000Z.tbk", "notes.txt"})
    std::ofstream(dest / old) << "x";
  const auto now = parse_rfc3339("2026-11-23T02:00:00Z").value();
  auto r = run_scheduled_backup(*inst_, system_actor(), now);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(verify_backup(r->backup.file, key_));
  std::vector<std::string> removed;
  for (const auto& p : r->removed) removed.push_back(p.filename().string());
  EXPECT_EQ(removed, (std::vector<std::string>{"tillit-backup-20260101T020000.000Z.tbk",
                                               "tillit-backup-20260301T020000Z.tbk"}));
  EXPECT_TRUE(fs::exists(dest / "tillit-backup-20261120T020000.000Z.tbk"));
  EXPECT_TRUE(fs::exists(dest / "notes.txt"));
  EXPECT_TRUE(fs::exists(r->backup.file));
  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT COUNT(*) FROM audit_events WHERE action = 'backup.prune'");
  EXPECT_EQ(rows->front().integer(0), 1);
}

TEST_F(BackupTest, ScheduledBackupsNeedADestinationAndAKey) {
  auto off = run_scheduled_backup(*inst_, system_actor(), now_utc());
  ASSERT_FALSE(off);
  EXPECT_NE(off.error().message.find("backup_destination"), std::string::npos);
  std::ofstream(dir_ / "tillit.yaml", std::ios::app) << "backup_destination: " << (base_ / "s").string() << "\n";
  inst_ = open(dir_);
  auto no_key = run_scheduled_backup(*inst_, system_actor(), now_utc());
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().message.find("tillit backup key"), std::string::npos) << no_key.error().message;
  EXPECT_FALSE(fs::exists(base_ / "s"));  // nothing done before both are in place
}

TEST(BackupSchedule, ArchiveNamesCarryTheirTime) {
  EXPECT_EQ(archive_time("tillit-backup-20261123T174512.345Z.tbk"), parse_rfc3339("2026-11-23T17:45:12.345Z").value());
  EXPECT_EQ(archive_time("/x/tillit-backup-20261123T174512Z.tbk"), parse_rfc3339("2026-11-23T17:45:12Z").value());
  EXPECT_FALSE(archive_time("tillit-backup-20261123T174512Z.tbk.partial"));
  EXPECT_FALSE(archive_time(".tillit-backup-1-20261123T174512Z.partial"));
  EXPECT_FALSE(archive_time("tillit-backup-20261341T174512Z.tbk"));  // no 41st of a 13th month
}

TEST(Retention, KeepsTheNewestWhateverTheirAge) {
  const auto t = [](const char* s) { return parse_rfc3339(s).value(); };
  const std::vector<DatedItem> items = {{"a", t("2026-01-01T00:00:00Z")},
                                        {"b", t("2026-02-01T00:00:00Z")},
                                        {"c", t("2026-11-01T00:00:00Z")},
                                        {"d", t("2026-11-20T00:00:00Z")}};
  const auto now = t("2026-11-23T00:00:00Z");
  EXPECT_EQ(past_retention(items, now, std::chrono::days(30), 1), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(past_retention(items, now, std::chrono::days(30), 3), (std::vector<std::string>{"a"}));
  EXPECT_EQ(past_retention(items, now, std::chrono::days(5), 1), (std::vector<std::string>{"a", "b", "c"}));
  // A stopped schedule: everything is old, the newest still stay.
  EXPECT_EQ(past_retention(items, t("2030-01-01T00:00:00Z"), std::chrono::days(30), 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(past_retention({}, now, std::chrono::days(1), 0).empty());
  // Exactly keep_for old is still kept.
  EXPECT_TRUE(past_retention({{"x", t("2026-10-24T00:00:00Z")}}, now, std::chrono::days(30), 0).empty());
}
