// Patch management over HTTPS and the command line: an engineer records a Microsoft update
// with an API token, the deadline from Patch Tuesday shows, the rollout date is set, the
// latency report comes as CSV, and bad input gets a 400 that names the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "process.h"
#include "test_database.h"
#include "tls_test_support.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::web::testing::http_request;
using tillit::web::testing::TlsClient;

namespace {

class PatchesApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-patches-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    std::vector<std::string> init_args{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty())
      init_args.insert(init_args.end(), {"--database", url});
    auto init = tillit::testing::run_command(init_args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    server_ = new tillit::testing::ServerProcess({TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
    auto account = tillit::testing::create_account(dir_, "ella", {"engineer"});
    session_ = new tillit::testing::WebSession(port_);
    ASSERT_EQ(tillit::testing::first_sign_in(*session_, account), "");
    token_ = tillit::testing::create_token(dir_, "ella", {"findings_read", "findings_triage"});
    ASSERT_FALSE(token_.empty());
  }
  static void TearDownTestSuite() {
    delete session_;
    session_ = nullptr;
    delete server_;
    server_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  static tillit::web::testing::HttpReply call(const std::string& method, const std::string& target,
                                              const std::string& body = {}) {
    TlsClient client(port_);
    EXPECT_TRUE(client.connected()) << client.failure();
    std::string headers = "Authorization: Bearer " + token_ + "\r\n";
    if (!body.empty()) headers += "Content-Type: application/json\r\n";
    auto reply = client.exchange(http_request(method, target, body, headers));
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(tillit::web::testing::HttpReply{});
  }

  static inline fs::path dir_;
  static inline std::string token_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline tillit::testing::WebSession* session_ = nullptr;
  static inline unsigned short port_ = 0;
};

}  // namespace

TEST_F(PatchesApi, AnEngineerRecordsAnUpdateAndItsRollout) {
  const json kb = {{"asset", "dc01"},          {"product", "Windows Server 2022"}, {"advisory", "KB5066782"},
                   {"vendor", "Microsoft"},    {"severity", "Critical"},           {"released_on", "2026-11-10"},
                   {"change_ref", "CR-1201"}};
  auto created = call("POST", "/api/v1/patches", kb.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto p = json::parse(created.body);
  EXPECT_EQ(p["severity"], "critical");
  EXPECT_EQ(p["rollout_start_by"], "2026-11-17");  // Patch Tuesday 10 November + 7 days
  EXPECT_EQ(p["apply_by"], "2026-12-10");          // critical: 30 days from release
  const std::string self = "/api/v1/patches/" + std::to_string(p["id"].get<int>());
  EXPECT_EQ(call("POST", "/api/v1/patches", kb.dump()).status, 409);

  auto rolled = call("POST", self, json{{"rollout_started_on", "2026-11-12"}, {"applied_on", "2026-11-14"}}.dump());
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  EXPECT_EQ(json::parse(rolled.body)["latency_days"], 4);
  EXPECT_EQ(json::parse(rolled.body)["late"], false);

  auto listed = call("GET", "/api/v1/patches?asset=dc01");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body)["total"], 1);

  auto csv = call("GET", "/api/v1/reports/patch-latency?from=2026-11-01&to=2026-11-30&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("dc01,Windows Server 2022,KB5066782,Microsoft,critical,2026-11-10,2026-11-12,2026-11-14,4"),
            std::string::npos)
      << csv.body;

  // The command line reads the same records.
  auto cli = tillit::testing::run_command(
      {TILLIT_BINARY, "patches", "report", "--data", dir_.string(), "--from", "2026-11-01", "--to", "2026-11-30"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out)["applied"], 1);
}

TEST_F(PatchesApi, BadInputNamesTheField) {
  auto bad_date = call("POST", "/api/v1/patches",
                       json{{"asset", "web01"}, {"product", "nginx"}, {"advisory", "DSA-1"}, {"vendor", "Debian"},
                            {"severity", "high"}, {"released_on", "2026-02-30"}}
                           .dump());
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_NE(bad_date.body.find("released_on"), std::string::npos) << bad_date.body;
  auto unknown = call("POST", "/api/v1/patches", json{{"asset", "web01"}, {"colour", "blue"}}.dump());
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("colour"), std::string::npos) << unknown.body;
  EXPECT_EQ(call("GET", "/api/v1/patches/999999").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/reports/patch-latency?from=2026-11-01").status, 400);
  auto cli = tillit::testing::run_command({TILLIT_BINARY, "patches", "add", "--data", dir_.string(), "--asset", "a",
                                           "--product", "p", "--advisory", "x", "--vendor", "v", "--severity",
                                           "urgent", "--released", "2026-11-01"});
  EXPECT_EQ(cli.exit_code, 2);
  EXPECT_NE(cli.err.find("severity"), std::string::npos) << cli.err;
}

// The pages show what the API and the command line recorded, escaped, in both languages.
TEST_F(PatchesApi, ThePagesListFindingsAndUpdates) {
  auto imported = tillit::testing::run_command({TILLIT_BINARY, "import", (fs::path(TILLIT_SOURCE_DIR) / "tests" / "fixtures" /
                                                                          "scanners" / "trivy" / "schema2.json")
                                                                             .string(),
                                                "--data", dir_.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto list = session_->get("/findings?status=open&lang=en");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find("Vulnerabilities"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(list.body, m, std::regex("href=\"/findings/([0-9]+)\\?lang=en\">(CVE-[0-9-]+)</a>")))
      << list.body;
  auto one = session_->get("/findings/" + m[1].str());
  ASSERT_EQ(one.status, 200);
  EXPECT_NE(one.body.find(m[2].str()), std::string::npos);
  EXPECT_NE(one.body.find("Allvarlighetsgrad"), std::string::npos);  // Swedish by default
  EXPECT_EQ(session_->get("/findings/999999").status, 404);
  ASSERT_EQ(call("POST", "/api/v1/patches",
                 json{{"asset", "web01"}, {"product", "OpenSSL <3>"}, {"advisory", "DSA-5999-1"}, {"vendor", "Debian"},
                      {"severity", "critical"}, {"released_on", "2026-09-01"}}
                     .dump())
                .status,
            201);
  auto patches = session_->get("/patches?late=true&lang=en");
  ASSERT_EQ(patches.status, 200);
  EXPECT_NE(patches.body.find("OpenSSL &lt;3&gt;"), std::string::npos);  // escaped
  EXPECT_NE(patches.body.find("not applied after"), std::string::npos);
}
