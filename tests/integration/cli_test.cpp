// The command line as an operator uses it: exit codes, messages, and the audit commands
// end to end on a real data directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "process.h"
#include "tillit/services/jobs.h"
#include "test_database.h"

namespace fs = std::filesystem;
using tillit::testing::run_command;

namespace {

fs::path fresh_dir(const char* stem) {
  static int counter = 0;
  return fs::temp_directory_path() / (std::string(stem) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

tillit::testing::CommandResult tillit_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), TILLIT_BINARY);
  return run_command(args);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = fresh_dir("tillit-cli");
    database_url_ = tillit::testing::fresh_database_url();
    std::vector<std::string> args{"init", "--data", dir_.string()};
    if (!database_url_.empty()) args.insert(args.end(), {"--database", database_url_});
    init_ = tillit_cmd(args);
    ASSERT_EQ(init_.exit_code, 0) << init_.err;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string fingerprint() const {
    std::smatch m;
    std::regex re("SHA256:[0-9a-f]{64}");
    EXPECT_TRUE(std::regex_search(init_.out, m, re));
    return m.str();
  }
  fs::path dir_;
  std::string database_url_;
  tillit::testing::CommandResult init_;
};

}  // namespace

TEST(Cli, HelpDocumentsEveryCommand) {
  auto r = tillit_cmd({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"init", "serve", "catalog", "audit"}) EXPECT_NE(r.out.find(command), std::string::npos) << command;
  for (const char* command : {"init", "serve", "catalog", "audit"}) {
    auto sub = tillit_cmd({command, "--help"});
    EXPECT_EQ(sub.exit_code, 0) << command;
    EXPECT_NE(sub.out.find("--"), std::string::npos) << command;
  }
}

TEST(Cli, UnknownCommandsAndOptionsExit2WithAMessage) {
  auto r = tillit_cmd({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  r = tillit_cmd({"init", "--no-such-option"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty() && r.out.empty());
  r = tillit_cmd({"catalog", "list", "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  r = tillit_cmd({});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, RuntimeFailuresExit1AndSayWhatToDo) {
  auto r = tillit_cmd({"serve", "--data", "/nonexistent/tillit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tillit init"), std::string::npos) << r.err;
}

TEST(Cli, CatalogListsTheBuiltInCatalogues) {
  auto r = tillit_cmd({"catalog", "list", "--format", "csv", "--lang", "en"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("catalog,id,category,title,maps_to\n", 0), 0u);
  EXPECT_NE(r.out.find("\nannex,K14,"), std::string::npos);
  EXPECT_NE(r.out.find("\niso27001-2022,A.8.8,"), std::string::npos);
  const auto lines = std::count(r.out.begin(), r.out.end(), '\n');
  EXPECT_GE(lines, 1 + 65 + 93);

  auto json = tillit_cmd({"catalog", "list", "--format", "json", "--catalog", "annex"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"id\": \"PM-2\""), std::string::npos);

  auto show = tillit_cmd({"catalog", "show", "K22"});
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("minst två gånger per år"), std::string::npos);
  EXPECT_NE(show.out.find("P6M"), std::string::npos);

  auto missing = tillit_cmd({"catalog", "show", "K99"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no requirement 'K99'"), std::string::npos);
}

TEST_F(CliTest, InitPrintsTheSetupCodeAndRefusesASecondInit) {
  EXPECT_TRUE(std::regex_search(init_.out, std::regex("[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}")));
  EXPECT_NE(init_.out.find("https://localhost:8443/"), std::string::npos);
  // The same data directory again, and (on PostgreSQL) the same database from a new directory.
  auto again = tillit_cmd({"init", "--data", dir_.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already holds a Tillit installation"), std::string::npos);
  if (!database_url_.empty()) {
    const auto other = fresh_dir("tillit-cli-other");
    auto same_database = tillit_cmd({"init", "--data", other.string(), "--database", database_url_});
    EXPECT_EQ(same_database.exit_code, 1);
    EXPECT_NE(same_database.err.find("already holds Tillit tables"), std::string::npos) << same_database.err;
    EXPECT_FALSE(fs::exists(other));
  }
}

TEST_F(CliTest, AuditVerifyPassesThenCatchesTampering) {
  auto ok = tillit_cmd({"audit", "verify", "--data", dir_.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(std::regex_search(ok.out, std::regex("^OK: 3 events, head [0-9a-f]{64}")));

  tillit::testing::run_sql(database_url_, (dir_ / "tillit.db").string(),
                           "UPDATE audit_events SET object_id = 'other' WHERE seq = 2");

  auto broken = tillit_cmd({"audit", "verify", "--data", dir_.string()});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.out.find("event 2"), std::string::npos) << broken.out;
}

TEST_F(CliTest, ExportVerifiesOfflineWithTheFingerprintOnly) {
  const auto file = dir_.string() + ".jsonl";
  auto exp = tillit_cmd({"audit", "export", "--data", dir_.string(), "--output", file});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  auto offline = tillit_cmd({"audit", "verify", "--file", file, "--key-fingerprint", fingerprint()});
  EXPECT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  EXPECT_NE(offline.out.find("OK: 3 events"), std::string::npos);

  auto wrong_key = tillit_cmd({"audit", "verify", "--file", file, "--key-fingerprint", "SHA256:" + std::string(64, 'a')});
  EXPECT_EQ(wrong_key.exit_code, 1);

  // One changed character anywhere in the file is caught.
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text[text.find("installation.init")] = 'I';
  std::ofstream(file, std::ios::trunc) << text;
  auto changed = tillit_cmd({"audit", "verify", "--file", file, "--key-fingerprint", fingerprint()});
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_NE(changed.out.find("FAILED"), std::string::npos);
  fs::remove(file);

  auto bad_since = tillit_cmd({"audit", "export", "--data", dir_.string(), "--since", "last tuesday"});
  EXPECT_EQ(bad_since.exit_code, 2);
}

TEST_F(CliTest, CatalogImportValidatesAndRecordsAnAuditEvent) {
  const auto good = dir_.string() + "-good.yaml";
  std::ofstream(good) << "format: tillit-catalog/1\ncatalog: {id: \"nis2\", name: {en: \"NIS2 measures\"}}\n"
                         "requirements:\n  - id: \"21.2.a\"\n    title: {en: \"Risk analysis policies\"}\n"
                         "    maps_to: {annex: [\"K23\", \"K52\"]}\n";
  auto r = tillit_cmd({"catalog", "import", good, "--data", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("'nis2' with 1 requirements"), std::string::npos);
  auto listed = tillit_cmd({"catalog", "list", "--data", dir_.string(), "--catalog", "nis2", "--format", "csv"});
  EXPECT_NE(listed.out.find("nis2,21.2.a,"), std::string::npos);
  auto verify = tillit_cmd({"audit", "verify", "--data", dir_.string()});
  EXPECT_NE(verify.out.find("OK: 4 events"), std::string::npos);

  const auto bad = dir_.string() + "-bad.yaml";
  std::ofstream(bad) << "format: tillit-catalog/1\ncatalog: {id: \"x\", name: {en: \"X\"}}\nrequirements:\n"
                        "  - id: \"1\"\n    titel: {en: \"typo\"}\n";
  auto rejected = tillit_cmd({"catalog", "import", bad, "--data", dir_.string()});
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.err.find("line 5: unknown key 'titel'"), std::string::npos) << rejected.err;
  fs::remove(good);
  fs::remove(bad);
}

TEST_F(CliTest, JobsRunOnceAcrossConcurrentProcesses) {
  std::vector<std::thread> runners;
  std::vector<tillit::testing::CommandResult> results(6);
  for (std::size_t i = 0; i < results.size(); ++i)
    runners.emplace_back([&, i] { results[i] = tillit_cmd({"jobs", "run", "--data", dir_.string()}); });
  for (auto& t : runners) t.join();
  int ran = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    for (std::size_t pos = r.out.find(": ok\n"); pos != std::string::npos; pos = r.out.find(": ok\n", pos + 1)) ++ran;
  }
  // Every job run by exactly one of the six processes (unless an hour turned meanwhile, when
  // an hourly job may run once more).
  const auto& jobs = tillit::services::builtin_jobs();
  const auto hourly = std::count_if(jobs.begin(), jobs.end(), [](const auto& j) { return j.every <= std::chrono::hours(1); });
  EXPECT_GE(ran, static_cast<int>(jobs.size()));
  EXPECT_LE(ran, static_cast<int>(jobs.size() + hourly));
  auto listed = tillit_cmd({"jobs", "list", "--data", dir_.string()});
  EXPECT_NE(listed.out.find("audit-checkpoint"), std::string::npos);
  EXPECT_NE(listed.out.find("integrity-check"), std::string::npos);
}

TEST(CliMigrate, MovesVerifiesAndUndoesOnFailure) {
  if (!tillit::testing::postgresql_requested() || tillit::testing::postgresql_unavailable())
    GTEST_SKIP() << "needs PostgreSQL (run under scripts/test.sh)";
  const auto dir = fresh_dir("tillit-migrate");
  ASSERT_EQ(tillit_cmd({"init", "--data", dir.string()}).exit_code, 0);
  const auto catalog = dir.string() + "-catalog.yaml";
  std::ofstream(catalog) << "format: tillit-catalog/1\ncatalog: {id: \"extra\", name: {en: \"Extra\"}}\n"
                            "requirements:\n  - id: \"E1\"\n    title: {en: \"One\"}\n";
  ASSERT_EQ(tillit_cmd({"catalog", "import", catalog, "--data", dir.string()}).exit_code, 0);
  const auto before = tillit_cmd({"audit", "verify", "--data", dir.string()});

  // A broken log is not moved, and the target stays empty.
  const auto target = tillit::testing::fresh_database_url();
  tillit::testing::run_sql("", (dir / "tillit.db").string(), "UPDATE audit_events SET actor = 'x' WHERE seq = 2");
  auto refused = tillit_cmd({"migrate", "--from-sqlite", dir.string(), "--database", target});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("audit log"), std::string::npos) << refused.err;
  tillit::testing::run_sql("", (dir / "tillit.db").string(), "UPDATE audit_events SET actor = 'cli' WHERE seq = 2");

  auto moved = tillit_cmd({"migrate", "--from-sqlite", dir.string(), "--database", target});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(moved.out.find("catalogs: 1 rows"), std::string::npos);
  auto after = tillit_cmd({"audit", "verify", "--data", dir.string()});
  EXPECT_EQ(after.exit_code, 0);
  EXPECT_EQ(after.out, before.out);  // same count, same head hash, now read from PostgreSQL
  auto listed = tillit_cmd({"catalog", "list", "--data", dir.string(), "--catalog", "extra", "--format", "csv"});
  EXPECT_NE(listed.out.find("extra,E1,"), std::string::npos);
  // New records continue the moved chain and ids.
  std::ofstream(catalog) << "format: tillit-catalog/1\ncatalog: {id: \"more\", name: {en: \"More\"}}\n"
                            "requirements:\n  - id: \"M1\"\n    title: {en: \"One\"}\n";
  EXPECT_EQ(tillit_cmd({"catalog", "import", catalog, "--data", dir.string()}).exit_code, 0);
  EXPECT_NE(tillit_cmd({"audit", "verify", "--data", dir.string()}).out.find("OK: 5 events"), std::string::npos);

  // Into a database that is not empty: refused.
  const auto second = fresh_dir("tillit-migrate-second");
  ASSERT_EQ(tillit_cmd({"init", "--data", second.string()}).exit_code, 0);
  auto occupied = tillit_cmd({"migrate", "--from-sqlite", second.string(), "--database", target});
  EXPECT_EQ(occupied.exit_code, 1);
  EXPECT_NE(occupied.err.find("already holds Tillit tables"), std::string::npos);
  fs::remove_all(dir);
  fs::remove_all(second);
  fs::remove(catalog);
}

TEST_F(CliTest, CsvCellsCannotCarrySpreadsheetFormulas) {
  const auto file = dir_.string() + "-formula.yaml";
  std::ofstream(file) << "format: tillit-catalog/1\ncatalog: {id: \"f\", name: {en: \"F\"}}\nrequirements:\n"
                         "  - id: \"F1\"\n    title: {en: \"=HYPERLINK(\\\"http://x\\\")\"}\n";
  ASSERT_EQ(tillit_cmd({"catalog", "import", file, "--data", dir_.string()}).exit_code, 0);
  auto csv = tillit_cmd({"catalog", "list", "--data", dir_.string(), "--catalog", "f", "--format", "csv", "--lang", "en"});
  EXPECT_NE(csv.out.find("f,F1,,\"'=HYPERLINK(\"\"http://x\"\")\","), std::string::npos) << csv.out;
  fs::remove(file);
}
