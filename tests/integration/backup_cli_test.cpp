// Backups through the command line as an operator runs them: create, verify, restore, test,
// `tillit verify`, and kill -9 of `backup create` at any moment leaving no .tbk that could be
// taken for a good backup. On SQLite and (TILLIT_TEST_BACKEND=postgresql) PostgreSQL.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "process.h"
#include "test_database.h"

namespace fs = std::filesystem;
using tillit::testing::run_command;

namespace {

tillit::testing::CommandResult tillit_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), TILLIT_BINARY);
  return run_command(args);
}

std::vector<fs::path> files_with(const fs::path& dir, const std::string& ending) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() >= ending.size() && name.compare(name.size() - ending.size(), ending.size(), ending) == 0)
      found.push_back(e.path());
  }
  return found;
}

// Starts `tillit args...` with an extra environment variable; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const char* env_name = nullptr, const char* env_value = nullptr) {
  // Built before fork(): the child of a multi-threaded process may not allocate before exec.
  std::vector<char*> argv{const_cast<char*>(TILLIT_BINARY)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string extra = env_name ? std::string(env_name) + "=" + env_value : std::string();
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  if (env_name) envp.push_back(const_cast<char*>(extra.c_str()));
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

class BackupCli : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    base_ = fs::temp_directory_path() / ("tillit-backup-cli-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++));
    dir_ = base_ / "data";
    dest_ = base_ / "backups";
    database_url_ = tillit::testing::fresh_database_url();
    std::vector<std::string> args{"init", "--data", dir_.string()};
    if (!database_url_.empty()) args.insert(args.end(), {"--database", database_url_});
    auto init = tillit_cmd(args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path create() {
    auto r = tillit_cmd({"backup", "create", "--data", dir_.string(), "--to", dest_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto archives = files_with(dest_, ".tbk");
    EXPECT_FALSE(archives.empty());
    return archives.empty() ? fs::path() : archives.back();
  }
  std::string key() const { return (dir_ / "keys" / "backup.key").string(); }

  static inline int counter_ = 0;
  fs::path base_, dir_, dest_;
  std::string database_url_;
};

}  // namespace

TEST_F(BackupCli, CreateVerifyRestoreAndVerifyTheRestoredInstallation) {
  auto first = tillit_cmd({"backup", "create", "--data", dir_.string(), "--to", dest_.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("Created the backup key"), std::string::npos) << first.err;  // first backup makes the key
  EXPECT_NE(first.out.find("Backup written"), std::string::npos);
  const auto archives = files_with(dest_, ".tbk");
  ASSERT_EQ(archives.size(), 1u);
  EXPECT_TRUE(files_with(dest_, ".partial").empty());

  auto verified = tillit_cmd({"backup", "verify", archives[0].string(), "--key", key()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("OK:"), std::string::npos);

  const fs::path restored = base_ / "restored";
  std::vector<std::string> args{"restore", archives[0].string(), "--data", restored.string(), "--key", key(),
                                "--master-key", (dir_ / "keys" / "master.key").string()};
  const std::string target_url = database_url_.empty() ? "" : tillit::testing::fresh_database_url();
  if (!target_url.empty()) args.insert(args.end(), {"--database", target_url});
  auto r = tillit_cmd(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Audit chain intact"), std::string::npos) << r.out;

  auto check = tillit_cmd({"verify", "--data", restored.string(), "--out", (base_ / "report.json").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("OK: no problems found"), std::string::npos) << check.out;
  std::ifstream report(base_ / "report.json");
  std::stringstream text;
  text << report.rdbuf();
  EXPECT_NE(text.str().find("\"signature\""), std::string::npos);
  auto audit = tillit_cmd({"audit", "verify", "--data", restored.string()});
  EXPECT_EQ(audit.exit_code, 0) << audit.out;

  // Restoring again over the now-used directory is refused, and says what to do.
  auto again = tillit_cmd({"restore", archives[0].string(), "--data", restored.string(), "--key", key()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
}

TEST_F(BackupCli, DamageAndAWrongKeyAreReportedClearly) {
  const fs::path archive = create();
  std::string bytes;
  {
    std::ifstream in(archive, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    bytes = s.str();
  }
  const fs::path flipped = base_ / "flipped.tbk";
  std::string bad = bytes;
  bad[bad.size() / 2] ^= 0x20;
  std::ofstream(flipped, std::ios::binary) << bad;
  auto r = tillit_cmd({"backup", "verify", flipped.string(), "--key", key()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("fails authentication"), std::string::npos) << r.out;

  const fs::path cut = base_ / "cut.tbk";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  r = tillit_cmd({"backup", "verify", cut.string(), "--key", key()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("truncated"), std::string::npos) << r.out;

  const fs::path other_dir = base_ / "other";
  ASSERT_EQ(tillit_cmd({"init", "--data", other_dir.string()}).exit_code, 0);
  ASSERT_EQ(tillit_cmd({"backup", "key", "--data", other_dir.string()}).exit_code, 0);
  r = tillit_cmd({"backup", "verify", archive.string(), "--key", (other_dir / "keys" / "backup.key").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("another backup key"), std::string::npos) << r.out;
  r = tillit_cmd({"backup", "verify", archive.string(), "--key", (dir_ / "keys" / "master.key").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a Tillit backup key"), std::string::npos) << r.err;
  // `backup key` refuses to replace an existing key.
  EXPECT_EQ(tillit_cmd({"backup", "key", "--data", dir_.string()}).exit_code, 1);
}

TEST_F(BackupCli, BackupTestRecordsItsResultInTheAuditLog) {
  const fs::path archive = create();
  auto r = tillit_cmd({"backup", "test", archive.string(), "--data", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASSED"), std::string::npos) << r.out;
  auto exported = tillit_cmd({"audit", "export", "--data", dir_.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("backup.create"), std::string::npos);
  const auto at = exported.out.find("backup.restore_test");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(exported.out.find("passed", at), std::string::npos);
  EXPECT_EQ(tillit_cmd({"audit", "verify", "--data", dir_.string()}).exit_code, 0);
}

TEST_F(BackupCli, KillDuringBackupCreateLeavesNoArchive) {
  // Paused half-way by the test-only hook: a partial file exists, no .tbk.
  const pid_t pid = spawn({"backup", "create", "--data", dir_.string(), "--to", dest_.string()},
                          "TILLIT_TEST_PAUSE_BACKUP", "30");
  bool partial_seen = false;
  for (int i = 0; i < 400 && !partial_seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    partial_seen = !files_with(dest_, ".partial").empty();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well into the pause
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(partial_seen);
  EXPECT_TRUE(files_with(dest_, ".tbk").empty());
  // What is left is hidden, not named .tbk, and does not verify.
  for (const auto& p : files_with(dest_, ".partial")) {
    EXPECT_EQ(p.filename().string()[0], '.');
    auto r = tillit_cmd({"backup", "verify", p.string(), "--key", key()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("truncated"), std::string::npos) << r.out;
    fs::remove(p);
  }

  // Killed at arbitrary moments without the hook: any .tbk that exists is a good one.
  for (int delay_ms : {0, 5, 15, 30, 60, 120, 250}) {
    const pid_t p = spawn({"backup", "create", "--data", dir_.string(), "--to", dest_.string()});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(p, SIGKILL);
    ::waitpid(p, &status, 0);
    for (const auto& archive : files_with(dest_, ".tbk")) {
      auto r = tillit_cmd({"backup", "verify", archive.string(), "--key", key()});
      EXPECT_EQ(r.exit_code, 0) << "after " << delay_ms << " ms: " << r.out;
    }
  }
  // The next backup clears what killed runs left (a partial archive, a database snapshot).
  create();
  EXPECT_TRUE(files_with(dest_, ".partial").empty());
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".backup-snapshot-"), std::string::npos) << e.path();
  EXPECT_EQ(tillit_cmd({"audit", "verify", "--data", dir_.string()}).exit_code, 0);
}

TEST_F(BackupCli, VerifyFailsOnATamperedAuditLog) {
  tillit::testing::run_sql(database_url_, (dir_ / "tillit.db").string(),
                           "UPDATE audit_events SET object_id = 'forged' WHERE seq = 1");
  auto r = tillit_cmd({"verify", "--data", dir_.string(), "--out", (base_ / "report.json").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("audit log"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(base_ / "report.json"));  // the failed check is reported, signed, too
}
