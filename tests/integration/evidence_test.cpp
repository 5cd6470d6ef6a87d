// Requirement assessments and evidence end to end: the real server over HTTPS with API tokens
// of each role (assess, upload, download as the auditor, refusals with the field named, an
// oversized upload refused with 413 and nothing stored, a byte flipped in a stored chunk
// refused on download), and `tillit evidence` / `tillit assess` on the command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
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

tillit::testing::CommandResult tillit_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), TILLIT_BINARY);
  return run_command(args);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Deterministic bytes that do not compress to nothing and are not all one value.
std::string sample_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

class EvidenceApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-evidence-api-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    database_url_ = tillit::testing::fresh_database_url();
    std::vector<std::string> init_args{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (!database_url_.empty()) init_args.insert(init_args.end(), {"--database", database_url_});
    auto init = run_command(init_args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    {  // a small limit, so an oversized upload is cheap to send
      std::ofstream config(dir_ / "tillit.yaml", std::ios::app);
      config << "\nevidence_max_mb: 2\n";
    }
    server_ = new tillit::testing::ServerProcess({TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
    for (const auto& [name, role] : {std::pair{"ingrid", "engineer"}, std::pair{"sofia", "security_manager"},
                                     std::pair{"granskare", "auditor"}}) {
      auto account = tillit::testing::create_account(dir_, name, {role});
      tillit::testing::WebSession session(port_);
      ASSERT_EQ(tillit::testing::first_sign_in(session, account), "") << name;
      accounts_[name] = account;
    }
    engineer_ = tillit::testing::create_token(dir_, "ingrid", {"evidence_upload", "compliance_read"});
    manager_ = tillit::testing::create_token(dir_, "sofia", {"compliance_manage", "compliance_read", "evidence_upload"});
    auditor_ = tillit::testing::create_token(dir_, "granskare", {"compliance_read"});
    ASSERT_FALSE(engineer_.empty() || manager_.empty() || auditor_.empty());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  static tillit::testing::HttpReply call(const std::string& token, const std::string& method, const std::string& target,
                                         const std::string& body = {}) {
    tillit::web::testing::TlsClient c(port_);
    return c.exchange(tillit::web::testing::http_request(method, target, body, "Authorization: Bearer " + token + "\r\n"))
        .value_or(tillit::testing::HttpReply{});
  }
  static std::int64_t evidence_total() {
    auto r = call(auditor_, "GET", "/api/v1/evidence");
    return json::parse(r.body)["total"].get<std::int64_t>();
  }

  static inline fs::path dir_;
  static inline std::string database_url_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline unsigned short port_ = 0;
  static inline std::string engineer_, manager_, auditor_;
  static inline std::map<std::string, tillit::testing::TestAccount> accounts_;
};

}  // namespace

TEST_F(EvidenceApi, AssessmentsKeepTheirHistoryAndRefuseBadInputByField) {
  auto r = call(manager_, "PUT", "/api/v1/assessments/K20", R"({"status": "met"})");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("status: cannot be met"), std::string::npos) << r.body;

  r = call(manager_, "PUT", "/api/v1/assessments/K20", R"({"status": "partly_met", "next_review": "2027-02-30"})");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("next_review: "), std::string::npos) << r.body;
  r = call(manager_, "PUT", "/api/v1/assessments/K99", R"({"status": "not_met"})");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("requirement: "), std::string::npos) << r.body;
  r = call(manager_, "PUT", "/api/v1/assessments/K20", R"({"colour": "green"})");
  EXPECT_EQ(r.status, 400) << r.body;

  r = call(manager_, "PUT", "/api/v1/assessments/K20",
           R"({"status": "partly_met", "owner": "sofia", "how_met": "Logging is central.",
               "deviation": "Two legacy hosts do not forward logs.", "deviation_due": "2020-01-31",
               "links": [{"type": "policy", "id": "logging-policy"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_TRUE(j["deviation_overdue"].get<bool>());  // planned for a day long past
  r = call(manager_, "PUT", "/api/v1/assessments/annex:K20", R"({"deviation_due": "2099-01-31"})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_FALSE(j["deviation_overdue"].get<bool>());
  EXPECT_EQ(j["owner"], "sofia");  // kept
  ASSERT_EQ(j["history"].size(), 2u);
  EXPECT_EQ(j["history"][1]["before"]["deviation_due"], "2020-01-31");
  EXPECT_EQ(j["history"][1]["after"]["deviation_due"], "2099-01-31");

  // The auditor reads everything and changes nothing; the engineer uploads but does not assess.
  r = call(auditor_, "GET", "/api/v1/assessments/K20");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(call(auditor_, "PUT", "/api/v1/assessments/K20", R"({"status": "not_met"})").status, 403);
  EXPECT_EQ(call(engineer_, "PUT", "/api/v1/assessments/K20", R"({"status": "not_met"})").status, 403);
  r = call(auditor_, "GET", "/api/v1/assessments?status=partly_met");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["total"], 1);
}

TEST_F(EvidenceApi, UploadDownloadVersionsAndMetWithEvidence) {
  const std::string content = sample_bytes(1500000);
  auto r = call(engineer_, "POST",
                "/api/v1/evidence?title=Log%20review%20report&file_name=log-review.pdf&requirement=K21&valid_until=2099-12-31",
                content);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  const auto id = j["id"].get<std::int64_t>();
  const std::string sha = j["latest"]["sha256"];
  EXPECT_EQ(j["latest"]["size_bytes"], content.size());
  EXPECT_EQ(j["links"][0]["id"], "annex:K21");

  auto d = call(auditor_, "GET", "/api/v1/evidence/" + std::to_string(id) + "/content");
  ASSERT_EQ(d.status, 200) << d.body.substr(0, 200);
  EXPECT_TRUE(d.body == content);
  EXPECT_EQ(d.header("X-Evidence-SHA256").value_or(""), sha);
  EXPECT_EQ(d.header("Content-Type").value_or(""), "application/octet-stream");
  EXPECT_NE(d.header("Content-Disposition").value_or("").find("attachment; filename=\"log-review.pdf\""), std::string::npos);

  // With current evidence the manager may call K21 met.
  r = call(manager_, "PUT", "/api/v1/assessments/K21", R"({"status": "met", "owner": "sofia"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body)["has_current_evidence"].get<bool>());

  r = call(engineer_, "POST", "/api/v1/evidence/" + std::to_string(id) + "/versions?file_name=log-review-2.pdf", "v2");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["versions"].size(), 2u);
  EXPECT_EQ(call(auditor_, "GET", "/api/v1/evidence/" + std::to_string(id) + "/content").body, "v2");
  EXPECT_TRUE(call(auditor_, "GET", "/api/v1/evidence/" + std::to_string(id) + "/content?version=1").body == content);
  EXPECT_EQ(call(auditor_, "POST", "/api/v1/evidence?title=x&file_name=x.txt", "x").status, 403);
}

TEST_F(EvidenceApi, EmptyOversizedAndBadUploadsStoreNothing) {
  const auto before = evidence_total();
  auto r = call(engineer_, "POST", "/api/v1/evidence?title=Empty&file_name=empty.txt", "");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("file: "), std::string::npos) << r.body;
  {  // one byte past evidence_max_mb: refused on the announced length, before the body is sent
    tillit::web::testing::TlsClient c(port_);
    auto big = c.exchange("POST /api/v1/evidence?title=Huge&file_name=huge.bin HTTP/1.1\r\nHost: localhost\r\n"
                          "Authorization: Bearer " + engineer_ + "\r\nContent-Length: " +
                          std::to_string((2 << 20) + 1) + "\r\n\r\n");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->status, 413) << big->body;
  }
  r = call(engineer_, "POST", "/api/v1/evidence?title=Bad&file_name=bad.txt&valid_until=2026-02-30", "content");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("valid_until: "), std::string::npos) << r.body;
  r = call(engineer_, "POST", "/api/v1/evidence?title=Bad&file_name=bad.txt&requirement=K77", "content");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(evidence_total(), before);
}

TEST_F(EvidenceApi, AByteFlippedInAStoredChunkIsRefusedLoudly) {
  auto r = call(engineer_, "POST", "/api/v1/evidence?title=Tamper%20target&file_name=t.bin", sample_bytes(300000));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = json::parse(r.body)["id"].get<std::int64_t>();
  ASSERT_EQ(call(auditor_, "GET", "/api/v1/evidence/" + std::to_string(id) + "/content").status, 200);
  // Someone with access to the database changes one character of the stored chunk.
  tillit::testing::run_sql(
      database_url_, (dir_ / "tillit.db").string(),
      "UPDATE evidence_chunks SET sealed = substr(sealed, 1, 100) || "
      "CASE WHEN substr(sealed, 101, 1) = 'A' THEN 'B' ELSE 'A' END || substr(sealed, 102) "
      "WHERE chunk_index = 0 AND version_id = (SELECT id FROM evidence_versions WHERE evidence_id = " +
          std::to_string(id) + ")");
  auto d = call(auditor_, "GET", "/api/v1/evidence/" + std::to_string(id) + "/content");
  EXPECT_EQ(d.status, 500);
  EXPECT_NE(d.body.find("\"integrity\""), std::string::npos) << d.body;
  EXPECT_NE(d.body.find("INTEGRITY FAILURE"), std::string::npos) << d.body;
}

TEST_F(EvidenceApi, PagesShowTheAssessmentAndTakeTheFormFromTheManagerOnly) {
  tillit::testing::WebSession manager(port_);
  ASSERT_EQ(tillit::testing::sign_in(manager, accounts_.at("sofia"), true), "");
  auto page = manager.get("/assessments/annex/K30?lang=en");
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 300);
  EXPECT_NE(page.body.find("Change the assessment"), std::string::npos);
  auto posted = manager.post_form("/assessments/annex/K30?lang=en",
                                  {{"status", "not_applicable"}, {"justification", ""}, {"owner", "sofia"}});
  EXPECT_EQ(posted.status, 400);
  EXPECT_NE(posted.body.find("justification: "), std::string::npos);
  posted = manager.post_form("/assessments/annex/K30?lang=en",
                             {{"status", "not_met"}, {"owner", "sofia"}, {"links", "policy:access-policy\n"}});
  EXPECT_EQ(posted.status, 303) << posted.body.substr(0, 300);
  page = manager.get("/assessments/annex/K30?lang=en");
  EXPECT_NE(page.body.find("policy: access-policy"), std::string::npos);
  EXPECT_NE(page.body.find("First assessment"), std::string::npos);

  tillit::testing::WebSession auditor(port_);
  ASSERT_EQ(tillit::testing::sign_in(auditor, accounts_.at("granskare"), true), "");
  page = auditor.get("/assessments/annex/K30?lang=en");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("Change the assessment"), std::string::npos);  // no form for the auditor
  EXPECT_EQ(auditor.post_form("/assessments/annex/K30", {{"status", "met"}}).status, 403);
  auto list = auditor.get("/evidence?lang=en");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("SHA-256"), std::string::npos);
  EXPECT_EQ(list.body.find("Upload evidence"), std::string::npos);  // no upload form for the auditor
  EXPECT_EQ(auditor.post_multipart("/evidence", {{"title", "x"}}, "x.txt", "text/plain", "x").status, 403);

  // The manager uploads through the page's form: the file lands encrypted with its SHA-256.
  list = manager.get("/evidence?lang=en");
  EXPECT_NE(list.body.find("Upload evidence"), std::string::npos);
  const std::string content = "Återläsningstest genomfört 2026-11-20\r\n--not a boundary\r\n" + std::string(300000, 'z');
  auto uploaded = manager.post_multipart(
      "/evidence?lang=en",
      {{"title", "Återläsningstest via formulär"}, {"description", ""}, {"valid_until", "2027-11-30"}, {"requirement", "K22"}},
      "återläsning.txt", "text/plain", content);
  ASSERT_EQ(uploaded.status, 303) << uploaded.body.substr(0, 400);
  const auto location = uploaded.header("Location").value_or("");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(location, m, std::regex("^/evidence/([0-9]+)"))) << location;
  auto stored = call(auditor_, "GET", "/api/v1/evidence/" + m[1].str());
  ASSERT_EQ(stored.status, 200) << stored.body;
  const auto j = json::parse(stored.body);
  EXPECT_EQ(j["title"], "Återläsningstest via formulär");
  auto file = call(auditor_, "GET", "/api/v1/evidence/" + m[1].str() + "/content");
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, content);

  // A form without a file, or with a date that is not one, stores nothing and says why.
  const auto before = evidence_total();
  auto bad = manager.post_multipart("/evidence?lang=en", {{"title", "Fel"}, {"valid_until", "2027-02-30"}}, "a.txt",
                                    "text/plain", "a");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("valid_until"), std::string::npos) << bad.body.substr(0, 400);
  auto empty = manager.post_multipart("/evidence?lang=en", {{"title", "Tom"}}, "", "application/octet-stream", "");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(evidence_total(), before);
}

class EvidenceCli : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = fs::temp_directory_path() / ("tillit-evidence-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    std::vector<std::string> args{"init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty()) args.insert(args.end(), {"--database", url});
    auto init = tillit_cmd(args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(EvidenceCli, AddGetLinkAndAssess) {
  const fs::path file = dir_ / "restore-test.txt";
  const std::string content = sample_bytes(2500000);
  std::ofstream(file, std::ios::binary) << content;
  auto add = tillit_cmd({"evidence", "add", "--data", dir_.string(), "--file", file.string(), "--title",
                         "Restore test", "--requirement", "annex:K14", "--valid-until", "2099-12-31"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const auto j = json::parse(add.out);
  EXPECT_EQ(j["latest"]["file_name"], "restore-test.txt");
  const std::string id = std::to_string(j["id"].get<std::int64_t>());

  const fs::path out = dir_ / "downloaded.txt";
  auto get = tillit_cmd({"evidence", "get", id, "--data", dir_.string(), "--out", out.string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("verified"), std::string::npos);
  EXPECT_TRUE(read_file(out) == content);

  auto link = tillit_cmd({"evidence", "link", id, "--data", dir_.string(), "--type", "risk", "--target", "7"});
  EXPECT_EQ(link.exit_code, 0) << link.err;
  auto met = tillit_cmd({"assess", "set", "K14", "--data", dir_.string(), "--status", "met", "--owner", "it-drift"});
  EXPECT_EQ(met.exit_code, 0) << met.err;
  auto list = tillit_cmd({"assess", "list", "--data", dir_.string(), "--status", "met"});
  EXPECT_NE(list.out.find("K14"), std::string::npos) << list.out;

  // Bad input is a usage error that names the option or field.
  auto bad = tillit_cmd({"evidence", "add", "--data", dir_.string(), "--file", file.string(), "--title", "x",
                         "--valid-until", "31.12.2027"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("valid_until"), std::string::npos) << bad.err;
  EXPECT_EQ(tillit_cmd({"evidence", "add", "--data", dir_.string(), "--file", (dir_ / "none").string(), "--title", "x"})
                .exit_code,
            2);
  EXPECT_EQ(tillit_cmd({"assess", "set", "K14", "--data", dir_.string(), "--status", "done"}).exit_code, 2);
}
