// Least privilege, checked from the outside: every route the server has, called by every role
// (and by nobody), against the permission table in route_permissions.tsv. A route missing
// from the table, or a table row without a route, fails the test too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "process.h"
#include "test_database.h"
#include "tillit/services/installation.h"
#include "tillit/web/app.h"
#include "web_session.h"

namespace fs = std::filesystem;
using tillit::testing::WebSession;

namespace {

struct Rule {
  std::string method, path, who;
};

std::vector<Rule> permission_table() {
  std::ifstream in(std::string(TILLIT_SOURCE_DIR) + "/tests/integration/route_permissions.tsv");
  std::vector<Rule> rules;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Rule r;
    std::getline(fields, r.method, '\t');
    std::getline(fields, r.path, '\t');
    std::getline(fields, r.who, '\t');
    rules.push_back(r);
  }
  return rules;
}

// The routes the server registers, read from an in-process router.
std::set<std::string> served_routes() {
  const auto dir = fs::temp_directory_path() / ("tillit-routes-" + std::to_string(::getpid()));
  tillit::services::InitOptions options;
  options.data_dir = dir;
  EXPECT_TRUE(tillit::services::Installation::init(options));
  auto config = tillit::services::load_config(dir, [](const char*) { return std::optional<std::string>(); });
  auto inst = tillit::services::Installation::open(*config);
  tillit::web::Router router;
  tillit::web::add_api_routes(router, **inst);
  tillit::web::add_page_routes(router, **inst);
  std::set<std::string> out;
  for (const auto& [method, pattern] : router.routes()) out.insert(method + " " + pattern);
  inst->reset();
  fs::remove_all(dir);
  return out;
}

std::string concrete(std::string path) {
  static const std::map<std::string, std::string> values = {{"{catalog}", "annex"},     {"{id}", "999999"},
                                                           {"{username}", "no-such-user"}, {"{role}", "engineer"},
                                                           {"{action}", "deactivate"}};
  for (const auto& [param, value] : values)
    for (auto pos = path.find(param); pos != std::string::npos; pos = path.find(param)) path.replace(pos, param.size(), value);
  return path;
}

bool sent_to_sign_in(const tillit::testing::HttpReply& r) {
  return r.status == 303 && r.header("Location").value_or("").rfind("/login?next=", 0) == 0;  // the gate's redirect
}

}  // namespace

TEST(RoutePermissions, TheTableListsExactlyTheServedRoutes) {
  std::set<std::string> table;
  for (const auto& r : permission_table()) table.insert(r.method + " " + r.path);
  EXPECT_EQ(served_routes(), table);
}

TEST(RoutePermissions, EveryRouteWithEveryRoleMatchesTheTable) {
  TILLIT_SKIP_WITHOUT_DATABASE();
  const auto dir = fs::temp_directory_path() / ("tillit-walk-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::vector<std::string> init{TILLIT_BINARY, "init", "--data", dir.string()};
  if (const auto url = tillit::testing::fresh_database_url(); !url.empty()) init.insert(init.end(), {"--database", url});
  ASSERT_EQ(tillit::testing::run_command(init).exit_code, 0);
  tillit::testing::ServerProcess server({TILLIT_BINARY, "serve", "--data", dir.string(), "--listen", "127.0.0.1:0"});
  std::smatch m;
  const std::string line = server.first_line();
  ASSERT_TRUE(std::regex_search(line, m, std::regex(":([0-9]+)/"))) << line;
  const auto port = static_cast<unsigned short>(std::stoi(m[1]));

  const std::vector<std::string> roles = {"auditor", "engineer", "security_manager", "data_protection_officer", "admin"};
  std::map<std::string, WebSession> sessions;
  for (const auto& role : roles) {
    auto account = tillit::testing::create_account(dir, "walk-" + std::string(role == "data_protection_officer" ? "dpo" : role),
                                                   {role}, role == "admin" ? "admin" : "business");
    WebSession s(port);
    ASSERT_EQ(tillit::testing::first_sign_in(s, account), "") << role;
    sessions.emplace(role, s);
  }

  int checked = 0;
  for (const auto& rule : permission_table()) {
    const std::string target = concrete(rule.path);
    const bool api = target.rfind("/api/", 0) == 0;
    auto call = [&](WebSession& s) {
      if (rule.method == "GET") return s.get(target);
      if (api) return s.send_json(rule.method, target, "{}");
      // A page route with a streamed body (an upload form) reads the token from its action
      // URL, since the gate runs before the body arrives; other routes ignore it there.
      return s.post_form(target + (target.find('?') == std::string::npos ? "?" : "&") + "csrf_token=" + s.csrf, {});
    };
    // Nobody signed in.
    WebSession nobody(port);
    const auto anon = call(nobody);
    if (rule.who == "public") {
      EXPECT_NE(anon.status, 403) << rule.method << " " << rule.path;
      EXPECT_FALSE(sent_to_sign_in(anon)) << rule.method << " " << rule.path;
      ++checked;
      continue;  // signed-in people may use public routes too (and /logout would end their session)
    }
    if (api)
      EXPECT_EQ(anon.status, 401) << "anonymous " << rule.method << " " << rule.path;
    else
      EXPECT_TRUE(sent_to_sign_in(anon)) << "anonymous " << rule.method << " " << rule.path << " got " << anon.status;
    for (const auto& role : roles) {
      const bool allowed = rule.who == "signed_in" || ("," + rule.who + ",").find("," + role + ",") != std::string::npos;
      const auto reply = call(sessions.at(role));
      if (allowed) {
        EXPECT_NE(reply.status, 403) << role << " " << rule.method << " " << rule.path << ": " << reply.body.substr(0, 200);
        EXPECT_NE(reply.status, 401) << role << " " << rule.method << " " << rule.path;
        EXPECT_FALSE(sent_to_sign_in(reply)) << role << " " << rule.method << " " << rule.path;
      } else {
        EXPECT_EQ(reply.status, 403) << role << " " << rule.method << " " << rule.path;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  fs::remove_all(dir);
}
