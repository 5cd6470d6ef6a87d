// Signing in over HTTPS against the real server: the session cookie, CSRF and origin checks,
// lockout, idle expiry, API tokens, and the four-eyes flow through the API.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "process.h"
#include "test_database.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::TestAccount;
using tillit::testing::WebSession;

namespace {

class SignInOverHttps : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-signin-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    database_url_ = tillit::testing::fresh_database_url();
    std::vector<std::string> init{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (!database_url_.empty()) init.insert(init.end(), {"--database", database_url_});
    ASSERT_EQ(tillit::testing::run_command(init).exit_code, 0);
    std::ofstream(dir_ / "tillit.yaml", std::ios::app) << "lockout_threshold: 3\n";
    server_ = new tillit::testing::ServerProcess({TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex(":([0-9]+)/"))) << line;
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
  }
  static void TearDownTestSuite() {
    delete server_;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  static TestAccount signed_in(WebSession& s, const std::string& name, const std::vector<std::string>& roles,
                               const std::string& kind = "business") {
    auto a = tillit::testing::create_account(dir_, name, roles, kind);
    EXPECT_EQ(tillit::testing::first_sign_in(s, a), "");
    return a;
  }
  static void sql(const std::string& statement) {
    tillit::testing::run_sql(database_url_, (dir_ / "tillit.db").string(), statement);
  }

  static inline fs::path dir_;
  static inline std::string database_url_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline unsigned short port_ = 0;
};

}  // namespace

TEST_F(SignInOverHttps, TheSessionCookieIsHostOnlySecureHttpOnlyStrictAndRenewedAtEachStep) {
  auto a = tillit::testing::create_account(dir_, "cookie-user", {"engineer"});
  WebSession s(port_);
  auto r = s.post_form("/login/setup-code", {{"username", a.username}, {"setup_code", a.setup_code}}, false);
  ASSERT_EQ(r.status, 303);
  const auto set = r.header("Set-Cookie").value_or("");
  EXPECT_EQ(set.rfind("__Host-tillit-session=", 0), 0u) << set;
  for (const char* attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"})
    EXPECT_NE(set.find(attribute), std::string::npos) << attribute;
  EXPECT_EQ(set.find("Domain"), std::string::npos);
  const std::string first = s.cookie;
  s.get("/login/password");
  s.post_form("/login/password", {{"new_password", "Kvartals-Granskning-2026!"}, {"repeat_password", "Kvartals-Granskning-2026!"}});
  EXPECT_NE(s.cookie, first);
  // The old id opens nothing.
  WebSession stale(port_);
  stale.cookie = first;
  EXPECT_EQ(stale.get("/login/enrol").status, 303);
}

TEST_F(SignInOverHttps, StateChangesNeedTheCsrfTokenAndThisOrigin) {
  WebSession s(port_);
  signed_in(s, "csrf-user", {"engineer"});
  const std::map<std::string, std::string> change = {{"current_password", "Kvartals-Granskning-2026!"},
                                                     {"new_password", "Another-Long-Secret-99"},
                                                     {"repeat_password", "Another-Long-Secret-99"}};
  auto without = s.post_form("/account/password", change, false);
  EXPECT_EQ(without.status, 403);
  EXPECT_NE(without.body.find("security token"), std::string::npos);
  const auto real = s.csrf;
  s.csrf = std::string(real.size(), '0');
  EXPECT_EQ(s.post_form("/account/password", change).status, 403);
  s.csrf = real;
  // The JSON API: a missing header is refused the same way.
  auto api = s.send_json("POST", "/api/v1/tokens", R"({"name":"x","permissions":["catalog_read"]})");
  EXPECT_EQ(api.status, 201) << api.body;
  s.csrf.clear();
  EXPECT_EQ(s.send_json("POST", "/api/v1/tokens", R"({"name":"x","permissions":["catalog_read"]})").status, 403);
  s.csrf = real;
  // Another site's page posting with the user's cookie is refused even with a token.
  tillit::web::testing::TlsClient client(port_);
  auto cross = client.exchange(tillit::web::testing::http_request(
      "POST", "/account/password", tillit::testing::form_body({{"csrf_token", real}}),
      "Content-Type: application/x-www-form-urlencoded\r\nOrigin: https://evil.example\r\nCookie: __Host-tillit-session=" +
          s.cookie + "\r\n"));
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  // Nothing changed: the password still works.
  EXPECT_EQ(s.get("/").status, 200);
}

TEST_F(SignInOverHttps, RepeatedFailuresLockTheAccountOutAndAreAudited) {
  WebSession setup(port_);
  auto a = signed_in(setup, "locked-user", {"engineer"});
  WebSession s(port_);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto r = s.post_form("/login", {{"username", a.username}, {"password", "Wrong-Password-000"}}, false);
    EXPECT_EQ(r.status, 401) << attempt;
    EXPECT_NE(r.body.find("role=\"alert\""), std::string::npos);
    if (attempt < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1100) * (1 << attempt));  // the growing delay
  }
  auto locked = s.post_form("/login", {{"username", a.username}, {"password", a.password}}, false);
  EXPECT_EQ(locked.status, 429);
  EXPECT_NE(locked.body.find("seconds"), std::string::npos);
  auto exported = tillit::testing::run_command({TILLIT_BINARY, "audit", "export", "--data", dir_.string()});
  EXPECT_NE(exported.out.find("login.lockout"), std::string::npos);
  EXPECT_NE(exported.out.find("wrong password"), std::string::npos);
  EXPECT_EQ(exported.out.find("Wrong-Password-000"), std::string::npos);  // never the password itself
}

TEST_F(SignInOverHttps, AnIdleSessionEndsAndTheUserSignsInAgainWithARecoveryCode) {
  WebSession s(port_);
  auto a = signed_in(s, "idle-user", {"auditor"});
  ASSERT_EQ(s.get("/catalog").status, 200);
  // Sixteen minutes without use, as the database would record them.
  sql("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00.000Z' WHERE user_id = (SELECT id FROM users WHERE "
      "username = 'idle-user')");
  auto expired = s.get("/catalog");
  ASSERT_EQ(expired.status, 303);
  EXPECT_EQ(expired.header("Location").value_or("").rfind("/login?next=", 0), 0u);
  EXPECT_EQ(s.send_json("GET", "/api/v1/me", "").status, 401);
  // Back in with password and a recovery code; the page shows the previous sign-in.
  s.cookie.clear();
  s.post_form("/login", {{"username", a.username}, {"password", a.password}}, false);
  s.get("/login/code");
  auto done = s.post_form("/login/code", {{"code", a.recovery_codes.at(0)}});
  ASSERT_EQ(done.status, 200) << done.body.substr(0, 500);
  EXPECT_NE(done.body.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(s.get("/catalog").status, 200);
  // Signing out ends it for good.
  s.post_form("/logout", {});
  EXPECT_EQ(s.get("/catalog").status, 303);
}

TEST_F(SignInOverHttps, ApiTokensAreScopedAndRevocable) {
  WebSession s(port_);
  signed_in(s, "token-user", {"auditor"});
  auto created = s.send_json("POST", "/api/v1/tokens", R"({"name":"ci","permissions":["catalog_read"],"days":7})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto token = json::parse(created.body)["token"].get<std::string>();
  const auto id = json::parse(created.body)["id"].get<int>();
  auto with_token = [&](const std::string& target) {
    tillit::web::testing::TlsClient c(port_);
    return c.exchange(tillit::web::testing::http_request("GET", target, {}, "Authorization: Bearer " + token + "\r\n"))
        .value_or(tillit::testing::HttpReply{});
  };
  EXPECT_EQ(with_token("/api/v1/catalogs").status, 200);
  EXPECT_EQ(with_token("/api/v1/users").status, 403);  // an auditor may, the token may not
  auto more = s.send_json("POST", "/api/v1/tokens", R"({"name":"x","permissions":["users_manage"]})");
  EXPECT_EQ(more.status, 403) << more.body;
  EXPECT_EQ(s.send_json("DELETE", "/api/v1/tokens/" + std::to_string(id), "").status, 200);
  auto revoked = with_token("/api/v1/catalogs");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.header("WWW-Authenticate").value_or(""), "Bearer realm=\"tillit\"");
}

TEST_F(SignInOverHttps, PrivilegedRolesNeedASecondAdministratorThroughTheApi) {
  WebSession first(port_), second(port_), person(port_);
  signed_in(first, "four-eyes-a", {"admin"}, "admin");
  signed_in(second, "four-eyes-b", {"admin"}, "admin");
  signed_in(person, "promoted", {"engineer"});
  auto asked = first.send_json("POST", "/api/v1/users/promoted/roles",
                               R"({"role":"security_manager","reason":"takes over the annex"})");
  ASSERT_EQ(asked.status, 202) << asked.body;
  const auto request = json::parse(asked.body)["request_id"].get<int>();
  auto own = first.send_json("POST", "/api/v1/approvals/" + std::to_string(request) + "/approve", "{}");
  EXPECT_EQ(own.status, 403);
  EXPECT_NE(own.body.find("own request"), std::string::npos);
  auto pending = json::parse(second.get("/api/v1/approvals?status=pending").body);
  ASSERT_GE(pending["total"].get<int>(), 1);
  EXPECT_EQ(pending["items"][0]["summary"], "grant security_manager to promoted");
  auto approved = second.send_json("POST", "/api/v1/approvals/" + std::to_string(request) + "/approve",
                                   R"({"note":"agreed"})");
  EXPECT_EQ(approved.status, 200) << approved.body;
  auto user = json::parse(second.get("/api/v1/users/promoted").body);
  EXPECT_EQ(user["roles"], json({"engineer", "security_manager"}));
  // Deactivation is immediate: the person's session stops working.
  ASSERT_EQ(person.get("/catalog").status, 200);
  auto off = first.send_json("POST", "/api/v1/users/promoted/deactivate", R"({"reason":"left"})");
  EXPECT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(person.get("/catalog").status, 303);
}
