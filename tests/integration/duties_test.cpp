// Recurring duties over HTTPS against the real server: the seeded annex duties through the
// API, a bad interval refused with the field named, a duty added, completed and listed as
// overdue, the personal calendar feed fetched anonymously by its secret URL and dead once
// revoked, and the pages (home dashboard, duty list and detail with their forms).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "process.h"
#include "test_database.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::WebSession;

namespace {

class DutiesApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-duties-it-" + std::to_string(::getpid()));
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
    const std::pair<const char*, const char*> people[] = {{"sara", "security_manager"}, {"ella", "engineer"}, {"aud", "auditor"}};
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

  static inline fs::path dir_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline unsigned short port_ = 0;
  static inline std::map<std::string, WebSession*> sessions_;
};

}  // namespace

TEST_F(DutiesApi, DutiesAreSeededAddedCompletedAndListed) {
  auto listed = as("aud").get("/api/v1/duties");
  ASSERT_EQ(listed.status, 200) << listed.body;
  auto all = json::parse(listed.body);
  EXPECT_GE(all["total"].get<int>(), 12);
  bool restore_test = false;
  for (const auto& d : all["items"])
    if (d["catalog_duty"] == "annex:restore-test") {
      restore_test = true;
      EXPECT_EQ(d["requirement"], "annex:K22");
      EXPECT_EQ(d["interval_iso8601"], "P6M");
    }
  EXPECT_TRUE(restore_test);

  auto zero = as("sara").send_json("POST", "/api/v1/duties",
                                   R"({"title":"Brandövning","interval_count":0,"interval_unit":"years","first_due":"2026-01-10"})");
  EXPECT_EQ(zero.status, 400);
  EXPECT_NE(zero.body.find("interval_count"), std::string::npos) << zero.body;
  auto bad_date = as("sara").send_json("POST", "/api/v1/duties",
                                       R"({"title":"Brandövning","interval_count":1,"interval_unit":"years","first_due":"2026-02-30"})");
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_NE(bad_date.body.find("first_due"), std::string::npos) << bad_date.body;
  EXPECT_EQ(as("ella").send_json("POST", "/api/v1/duties", R"({"title":"x"})").status, 403);

  auto created = as("sara").send_json(
      "POST", "/api/v1/duties",
      R"({"title":"Brandövning","interval_count":1,"interval_unit":"years","first_due":"2020-01-31","owner":"ella","requirement":"K19"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto duty = json::parse(created.body);
  const std::string path = "/api/v1/duties/" + std::to_string(duty["id"].get<int>());
  EXPECT_EQ(duty["state"], "overdue");
  EXPECT_EQ(duty["requirement"], "annex:K19");

  auto overdue = json::parse(as("aud").get("/api/v1/duties?overdue=true&owner=ella").body);
  ASSERT_EQ(overdue["total"], 1);
  EXPECT_EQ(overdue["items"][0]["id"], duty["id"]);

  auto done = as("ella").send_json("POST", path + "/completions", R"({"completed_on":"2021-02-28","note":"Övning hållen"})");
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(json::parse(done.body)["next_due"], "2022-02-28");
  EXPECT_EQ(as("aud").send_json("POST", path + "/completions", R"({"completed_on":"2021-02-28","note":"x"})").status, 403);

  auto patched = as("sara").send_json("PATCH", path, R"({"interval_count":6,"interval_unit":"months"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["next_due"], "2021-08-28");
  auto shown = json::parse(as("aud").get(path).body);
  ASSERT_EQ(shown["completions"].size(), 1u);
  EXPECT_EQ(shown["completions"][0]["note"], "Övning hållen");
}

TEST_F(DutiesApi, TheCalendarFeedAnswersAnyoneWithTheSecretUntilRevoked) {
  auto created = as("sara").send_json(
      "POST", "/api/v1/duties",
      R"({"title":"Granskning, årlig; extern","interval_count":1,"interval_unit":"years","first_due":"2027-03-15","owner":"ella"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto feed = as("ella").send_json("POST", "/api/v1/calendar-feed", "{}");
  ASSERT_EQ(feed.status, 201) << feed.body;
  const std::string url = json::parse(feed.body)["url"];
  const auto at = url.find("/calendar/");
  ASSERT_NE(at, std::string::npos) << url;
  const std::string target = url.substr(at);

  WebSession nobody(port_);
  auto ics = nobody.get(target);
  ASSERT_EQ(ics.status, 200) << ics.body;
  EXPECT_EQ(ics.header("Content-Type").value_or(""), "text/calendar; charset=utf-8");
  EXPECT_EQ(ics.body.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  EXPECT_NE(ics.body.find("SUMMARY:Granskning\\, årlig\\; extern\r\n"), std::string::npos) << ics.body;
  EXPECT_NE(ics.body.find("DTSTART;VALUE=DATE:20270315\r\n"), std::string::npos);

  EXPECT_EQ(nobody.get("/calendar/not-a-token.ics").status, 404);
  ASSERT_EQ(as("ella").send_json("DELETE", "/api/v1/calendar-feed", "").status, 200);
  EXPECT_EQ(nobody.get(target).status, 404);
}

TEST_F(DutiesApi, PagesShowTheDashboardAndTheDutiesWithTheirForms) {
  auto home = as("sara").get("/?lang=en");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("href=\"/duties?filter=overdue&amp;lang=en\""), std::string::npos);
  EXPECT_NE(home.body.find("<svg class=\"chart\" role=\"img\""), std::string::npos);
  EXPECT_NE(home.body.find("Share of requirements met per category"), std::string::npos);
  auto list = as("sara").get("/duties?filter=all");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Sårbarhetsskanning"), std::string::npos);
  EXPECT_NE(list.body.find("name=\"csrf_token\""), std::string::npos);  // the manager's form
  EXPECT_EQ(as("aud").get("/duties").body.find("action=\"/duties?"), std::string::npos);  // none for the auditor
  auto bad = as("sara").post_form("/duties", {{"title", "Egen"}, {"interval_count", "0"}, {"interval_unit", "days"},
                                               {"first_due", "2026-01-01"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("interval_count"), std::string::npos);
  auto made = as("sara").post_form("/duties", {{"title", "Egen kontroll"}, {"interval_count", "2"}, {"interval_unit", "weeks"},
                                                {"first_due", "2026-01-01"}});
  ASSERT_EQ(made.status, 303) << made.body;
  const std::string location = made.header("Location").value_or("");
  auto page = as("ella").get(location);
  ASSERT_EQ(page.status, 200) << location;
  EXPECT_NE(page.body.find("Egen kontroll"), std::string::npos);
  EXPECT_NE(page.body.find("/completions?"), std::string::npos);  // the engineer may record a completion
  auto calendar = as("aud").post_form("/account/calendar", {});
  ASSERT_EQ(calendar.status, 200);
  EXPECT_NE(calendar.body.find("/calendar/"), std::string::npos);
}
