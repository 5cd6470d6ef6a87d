// Scanner imports end to end: `tillit import` with its exit codes and counts, `tillit findings
// list` as JSON and CSV, and a CI-style import over HTTPS with an API token holding only
// findings_import, then the listing through the API.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "process.h"
#include "test_database.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::run_command;

namespace {

const fs::path kFixtures = fs::path(TILLIT_SOURCE_DIR) / "tests" / "fixtures" / "scanners";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

tillit::testing::CommandResult tillit_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), TILLIT_BINARY);
  return run_command(args);
}

class ImportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = fs::temp_directory_path() / ("tillit-import-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::vector<std::string> args{"init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty()) args.insert(args.end(), {"--database", url});
    auto init = tillit_cmd(args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  static inline int counter_ = 0;
};

}  // namespace

TEST_F(ImportCli, ImportsPrintsCountsAndListsAsJsonAndCsv) {
  auto r = tillit_cmd({"import", (kFixtures / "trivy" / "schema2.json").string(), "--data", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("([0-9]+) findings: ([0-9]+) new, 0 unchanged, 0 closed, 0 reopened")))
      << r.out;
  EXPECT_NE(r.out.find("scope trivy:registry.example.se/tillit/web:1.4.2"), std::string::npos) << r.out;
  auto again = tillit_cmd({"import", (kFixtures / "trivy" / "schema2.json").string(), "--data", dir_.string()});
  EXPECT_NE(again.out.find(" 0 new, " + m[2].str() + " unchanged"), std::string::npos) << again.out;

  auto list = tillit_cmd({"findings", "list", "--data", dir_.string(), "--status", "open", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto j = json::parse(list.out);
  ASSERT_EQ(j.size(), std::stoul(m[2].str()));
  for (const char* key : {"fingerprint", "identifiers", "score", "severity", "status", "known_at", "due_at"})
    EXPECT_TRUE(j[0].contains(key)) << key;
  auto csv = tillit_cmd({"findings", "list", "--data", dir_.string(), "--format", "csv", "--severity", "high"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("id,fingerprint,identifiers,score,severity,", 0), 0u) << csv.out;
  EXPECT_EQ(tillit_cmd({"findings", "list", "--data", dir_.string(), "--severity", "urgent"}).exit_code, 2);
}

TEST_F(ImportCli, ExitCodesSayWhatWentWrong) {
  auto bad = tillit_cmd({"import", (kFixtures / "trivy" / "malformed.json").string(), "--data", dir_.string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("nothing changed"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("line "), std::string::npos) << bad.err;
  EXPECT_EQ(tillit_cmd({"import", (kFixtures / "trivy" / "schema2.json").string(), "--data", dir_.string(), "--format",
                        "excel"})
                .exit_code,
            2);
  EXPECT_EQ(tillit_cmd({"import", "/nonexistent/report.json", "--data", dir_.string()}).exit_code, 1);
  EXPECT_EQ(tillit_cmd({"import", "--data", dir_.string()}).exit_code, 2);
  auto none = tillit_cmd({"findings", "list", "--data", dir_.string(), "--format", "json"});
  EXPECT_EQ(json::parse(none.out).size(), 0u);
}

class ImportApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start_server(""); }
  // A fresh installation with `extra_config` appended to its tillit.yaml, served.
  static void start_server(const std::string& extra_config) {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-import-api-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    std::vector<std::string> init_args{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty())
      init_args.insert(init_args.end(), {"--database", url});
    auto init = run_command(init_args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    std::ofstream(dir_ / "tillit.yaml", std::ios::app) << extra_config;
    server_ = new tillit::testing::ServerProcess({TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
    // Tokens belong to active accounts: each person signs in once, as people do.
    for (const auto& [name, role] : {std::pair{"ci-bot", "engineer"}, std::pair{"granskare", "auditor"}}) {
      auto account = tillit::testing::create_account(dir_, name, {role});
      tillit::testing::WebSession session(port_);
      ASSERT_EQ(tillit::testing::first_sign_in(session, account), "") << name;
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  static tillit::testing::HttpReply with_token(const std::string& token, const std::string& method,
                                               const std::string& target, const std::string& body = {}) {
    tillit::web::testing::TlsClient c(port_);
    return c.exchange(tillit::web::testing::http_request(method, target, body, "Authorization: Bearer " + token + "\r\n"))
        .value_or(tillit::testing::HttpReply{});
  }

  static inline fs::path dir_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline unsigned short port_ = 0;
};

TEST_F(ImportApi, CiImportsWithATokenAndTheFindingsAreListed) {
  const auto ci = tillit::testing::create_token(dir_, "ci-bot", {"findings_import"});
  ASSERT_FALSE(ci.empty());
  const auto report = read_file(kFixtures / "grype" / "small.json");
  auto imported = with_token(ci, "POST", "/api/v1/imports?scope=web-image", report);
  ASSERT_EQ(imported.status, 201) << imported.body;
  auto j = json::parse(imported.body);
  EXPECT_EQ(j["scope"], "web-image");
  EXPECT_EQ(j["tool"], "grype");
  EXPECT_GT(j["new"].get<int>(), 0);
  // The CI token may import and nothing else.
  EXPECT_EQ(with_token(ci, "GET", "/api/v1/findings").status, 403);

  auto broken = with_token(ci, "POST", "/api/v1/imports?scope=web-image", read_file(kFixtures / "grype" / "malformed.json"));
  EXPECT_EQ(broken.status, 400) << broken.body;
  EXPECT_NE(broken.body.find("line "), std::string::npos) << broken.body;
  // Above import_max_mb (512 MiB by default): refused as soon as the header says so,
  // before the body is read (so the test sends none; a client like curl waits for
  // 100-continue or reads the answer).
  {
    tillit::web::testing::TlsClient c(port_);
    auto big = c.exchange("POST /api/v1/imports HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + ci +
                          "\r\nContent-Length: 536870913\r\n\r\n");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->status, 413);
    EXPECT_NE(big->body.find("too large"), std::string::npos) << big->body;
  }

  const auto reader = tillit::testing::create_token(dir_, "granskare", {"findings_read"});
  ASSERT_FALSE(reader.empty());
  auto list = with_token(reader, "GET", "/api/v1/findings?status=open&per_page=2");
  ASSERT_EQ(list.status, 200) << list.body;
  auto page = json::parse(list.body);
  EXPECT_EQ(page["total"], j["new"]);
  EXPECT_LE(page["items"].size(), 2u);
  const auto id = page["items"][0]["id"].get<int>();
  auto one = with_token(reader, "GET", "/api/v1/findings/" + std::to_string(id));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_TRUE(json::parse(one.body).contains("history"));
  auto imports = json::parse(with_token(reader, "GET", "/api/v1/imports").body);
  EXPECT_EQ(imports["total"], 1);  // the broken report left no trace
  EXPECT_EQ(with_token(reader, "GET", "/api/v1/findings?severity=urgent").status, 400);
  EXPECT_EQ(with_token(reader, "POST", "/api/v1/findings/" + std::to_string(id) + "/status",
                       R"({"status":"in_progress","reason":"x"})")
                .status,
            403);
}

namespace {

// A Trivy report of `count` findings, padded to about `count` * 5 KB with long descriptions.
std::string large_trivy_report(int count) {
  const std::string description(5000, 'd');
  std::string report =
      R"({"SchemaVersion":2,"ArtifactName":"registry.example.se/tillit/big:1.0","ArtifactType":"container_image",)"
      R"("Results":[{"Target":"registry.example.se/tillit/big:1.0 debian 12.5","Class":"os-pkgs","Type":"debian",)"
      R"("Vulnerabilities":[)";
  for (int i = 0; i < count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "CVE-2026-%05d", i);
    if (i > 0) report += ",";
    report += R"({"VulnerabilityID":")" + std::string(id) + R"(","PkgName":"package-)" + std::to_string(i) +
              R"(","InstalledVersion":"1.0","FixedVersion":"1.1","Severity":"MEDIUM","Title":"padding",)"
              R"("Description":")" + description + R"("})";
  }
  return report + "]}]}";
}

// `body` as chunked transfer coding, 1 MiB a chunk.
std::string chunked(const std::string& body) {
  std::string framed;
  for (std::size_t at = 0; at < body.size(); at += 1 << 20) {
    const std::string part = body.substr(at, 1 << 20);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    framed += size + part + "\r\n";
  }
  return framed + "0\r\n\r\n";
}

}  // namespace

// The import route streams its body: a report far above the 1 MiB every other request is held
// to imports through the API, up to import_max_mb (here 25 MiB); one past it gets 413 while
// streaming and leaves nothing behind.
class LargeImportApi : public ImportApi {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // a refused upload may be cut off while the test still sends
    start_server("import_max_mb: 25\n");
  }
};

TEST_F(LargeImportApi, TwentyMegabyteReportImportsWithATokenAndOneAboveTheLimitIs413) {
  const auto ci = tillit::testing::create_token(dir_, "ci-bot", {"findings_import"});
  ASSERT_FALSE(ci.empty());
  const std::string report = large_trivy_report(4200);
  ASSERT_GT(report.size(), 20u << 20);
  auto imported = with_token(ci, "POST", "/api/v1/imports?scope=big-image", report);
  ASSERT_EQ(imported.status, 201) << imported.body;
  auto j = json::parse(imported.body);
  EXPECT_EQ(j["scope"], "big-image");
  EXPECT_EQ(j["new"], 4200);

  // Chunked, so the server learns only while reading that it is too long.
  const std::string too_long = large_trivy_report(5150);
  ASSERT_GT(too_long.size(), 25u << 20);
  ASSERT_LT(too_long.size(), (25u << 20) + (1u << 20));
  {
    tillit::web::testing::TlsClient c(port_);
    auto refused = c.exchange("POST /api/v1/imports?scope=other-image HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                              ci + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(too_long));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413) << refused->body;
    EXPECT_NE(refused->body.find("payload_too_large"), std::string::npos) << refused->body;
  }
  // Without a valid token the upload is refused before its body is read.
  {
    tillit::web::testing::TlsClient c(port_);
    auto anonymous = c.exchange("POST /api/v1/imports HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                                "Content-Length: 20000000\r\n\r\n");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401) << anonymous->body;
  }

  const auto reader = tillit::testing::create_token(dir_, "granskare", {"findings_read"});
  auto imports = json::parse(with_token(reader, "GET", "/api/v1/imports").body);
  EXPECT_EQ(imports["total"], 1);  // the refused report left no trace
}
