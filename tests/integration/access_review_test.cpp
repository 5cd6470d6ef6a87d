// Access reviews and the privileged-roles report over HTTPS against the real server: a
// security manager runs a campaign through the API (a revoked account is refused on its
// very next request), the pages' forms carry the CSRF token, the report downloads come with
// the right headers, and an auditor cannot start a campaign but can fetch the privileged-roles
// report.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "process.h"
#include "test_database.h"
#include "tillit/crypto/crypto.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::WebSession;

namespace {

class AccessReviewApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-reviews-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    std::vector<std::string> init_args{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty())
      init_args.insert(init_args.end(), {"--database", url});
    auto init = tillit::testing::run_command(init_args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    server_ = new tillit::testing::ServerProcess(
        {TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
    const std::pair<const char*, const char*> people[] = {
        {"sara", "security_manager"}, {"ella", "engineer"}, {"aud", "auditor"}};
    for (const auto& [name, role] : people) {
      auto account = tillit::testing::create_account(dir_, name, {role});
      sessions_[name] = new WebSession(port_);
      ASSERT_EQ(tillit::testing::first_sign_in(*sessions_[name], account), "") << name;
    }
  }
  static void TearDownTestSuite() {
    for (auto& [name, s] : sessions_) delete s;
    sessions_.clear();
    delete server_;
    server_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  static WebSession& as(const std::string& name) { return *sessions_.at(name); }

  static json start(const std::string& title) {
    auto r = as("sara").send_json("POST", "/api/v1/access-reviews", json{{"title", title}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  static inline fs::path dir_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline unsigned short port_ = 0;
  static inline std::map<std::string, WebSession*> sessions_;
};

}  // namespace

TEST_F(AccessReviewApi, ASecurityManagerRunsACampaignAndARevocationTakesEffectAtOnce) {
  const auto review = start("Behörighetsgranskning 2026 Q4");
  const std::string base = "/api/v1/access-reviews/" + std::to_string(review["id"].get<int>());
  std::set<std::string> names;
  for (const auto& i : review["items"]) names.insert(i["username"]);
  EXPECT_EQ(names, (std::set<std::string>{"admin", "aud", "ella", "sara"}));
  EXPECT_EQ(review["status"], "open");

  auto listed = json::parse(as("sara").get("/api/v1/access-reviews").body);
  EXPECT_GE(listed["total"].get<int>(), 1);

  ASSERT_EQ(as("ella").get("/api/v1/me").status, 200);
  auto revoked = as("sara").send_json("POST", base + "/items/ella",
                                      json{{"decision", "revoke"}, {"note", "moved to another team"}}.dump());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(json::parse(revoked.body)["account_status"], "disabled");
  // The revoked account's very next request is refused.
  EXPECT_EQ(as("ella").get("/api/v1/me").status, 401);

  EXPECT_EQ(as("sara").send_json("POST", base + "/items/sara", json{{"decision", "keep"}}.dump()).status, 403);
  auto early = as("sara").send_json("POST", base + "/close", "");
  EXPECT_EQ(early.status, 409) << early.body;
  for (const char* name : {"admin", "aud"})
    ASSERT_EQ(as("sara").send_json("POST", base + "/items/" + name, json{{"decision", "keep"}}.dump()).status, 200)
        << name;
  // The reviewer's own account is decided by someone else: here the local operator.
  auto cli =
      tillit::testing::run_command({TILLIT_BINARY, "access-review", "decide", review["id"].dump(), "sara", "--data",
                                    dir_.string(), "--decision", "keep", "--note", "security manager"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto closed = as("sara").send_json("POST", base + "/close", "");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(json::parse(closed.body)["status"], "closed");
  EXPECT_EQ(json::parse(closed.body)["closed_by_name"], "sara");

  auto csv = as("sara").get(base + "/report?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("Content-Disposition").value_or(""),
            "attachment; filename=\"access-review-" + review["id"].dump() + ".csv\"");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF"
                           "Konto,Typ,Roller,",
                           0),
            0u)
      << csv.body;
  EXPECT_NE(csv.body.find("ella,verksamhet,engineer,"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find(",återkalla,sara,"), std::string::npos) << csv.body;
  auto pdf = as("sara").get(base + "/report?format=pdf");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.header("Content-Type").value_or(""), "application/pdf");
  EXPECT_EQ(pdf.header("Content-Disposition").value_or(""),
            "attachment; filename=\"access-review-" + review["id"].dump() + ".pdf\"");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  // The PDF carries the digest of the CSV in the same language.
  EXPECT_EQ(pdf.header("X-Tillit-CSV-SHA256"), csv.header("X-Tillit-CSV-SHA256"));
  EXPECT_EQ(csv.header("X-Tillit-CSV-SHA256").value_or(""), tillit::crypto::to_hex(tillit::crypto::sha256(csv.body)));
  auto english = as("sara").get(base + "/report?format=csv&lang=en");
  EXPECT_EQ(english.body.rfind("\xEF\xBB\xBF"
                               "Account,Kind,Roles,",
                               0),
            0u)
      << english.body;
  EXPECT_EQ(as("sara").get(base + "/report?format=xlsx").status, 400);
  EXPECT_EQ(as("sara").get("/api/v1/access-reviews/424242").status, 404);
}

TEST_F(AccessReviewApi, TheAuditorCannotRunACampaignButFetchesThePrivilegedRolesReport) {
  EXPECT_EQ(as("aud").send_json("POST", "/api/v1/access-reviews", json{{"title", "mine"}}.dump()).status, 403);
  EXPECT_EQ(as("aud").get("/api/v1/access-reviews").status, 403);
  EXPECT_EQ(as("aud").get("/access-reviews").status, 403);

  auto report = as("aud").get("/api/v1/reports/privileged-roles?from=2020-01-01&to=2099-12-31");
  ASSERT_EQ(report.status, 200) << report.body;
  const auto j = json::parse(report.body);
  std::set<std::string> at_end;
  for (const auto& h : j["at_end"])
    at_end.insert(h["username"].get<std::string>() + ":" + h["role"].get<std::string>());
  EXPECT_TRUE(at_end.contains("sara:security_manager")) << report.body;
  EXPECT_TRUE(at_end.contains("admin:admin")) << report.body;
  EXPECT_FALSE(at_end.contains("ella:engineer"));  // not a privileged role

  auto csv = as("aud").get("/api/v1/reports/privileged-roles?from=2020-01-01&to=2099-12-31&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("Content-Disposition").value_or(""),
            "attachment; filename=\"privileged-roles-2020-01-01-2099-12-31.csv\"");
  EXPECT_NE(csv.body.find("Vid periodens slut,"), std::string::npos);
  auto pdf = as("aud").get("/api/v1/reports/privileged-roles?from=2020-01-01&to=2099-12-31&format=pdf");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.header("Content-Type").value_or(""), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(as("aud").get("/api/v1/reports/privileged-roles?from=2020-01-01").status, 400);
  // An engineer may not (403; 401 once another test here has revoked her account).
  const int engineer = as("ella").get("/api/v1/reports/privileged-roles?from=2020-01-01&to=2099-12-31").status;
  EXPECT_TRUE(engineer == 403 || engineer == 401) << engineer;
}

TEST_F(AccessReviewApi, ThePagesStartAndDecideWithTheCsrfToken) {
  auto& sara = as("sara");
  auto list = sara.get("/access-reviews");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find("action=\"/access-reviews?lang=sv\""), std::string::npos);
  EXPECT_EQ(sara.post_form("/access-reviews", {{"title", "Utan token"}}, false).status, 403);
  auto started = sara.post_form("/access-reviews", {{"title", "Granskning via sidan"}});
  ASSERT_EQ(started.status, 303) << started.body;
  const auto location = started.header("Location").value_or("");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(location, m, std::regex("^/access-reviews/([0-9]+)\\?lang=sv$"))) << location;
  const std::string id = m[1];

  auto page = sara.get(location);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Granskning via sidan"), std::string::npos);
  EXPECT_NE(page.body.find("action=\"/access-reviews/" + id + "/items/aud?lang=sv\""), std::string::npos);
  EXPECT_NE(page.body.find("/api/v1/access-reviews/" + id + "/report?format=pdf"), std::string::npos);
  EXPECT_NE(page.body.find("Ditt eget konto"), std::string::npos);  // no form for sara's own row
  EXPECT_EQ(page.body.find("action=\"/access-reviews/" + id + "/items/sara"), std::string::npos);

  auto kept =
      sara.post_form("/access-reviews/" + id + "/items/aud", {{"decision", "keep"}, {"note", "granskar åt kunden"}});
  ASSERT_EQ(kept.status, 303) << kept.body;
  auto refused = sara.post_form("/access-reviews/" + id + "/close", {});
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("role=\"alert\""), std::string::npos);
  auto english = sara.get("/access-reviews/" + id + "?lang=en");
  EXPECT_NE(english.body.find("granskar åt kunden"), std::string::npos);
  EXPECT_NE(english.body.find("Close the review"), std::string::npos);
}
