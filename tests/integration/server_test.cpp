// `tillit serve` as a user runs it: a real process on a random loopback port, spoken to
// over HTTPS. Checks the TLS policy, the security headers, the API's shapes and errors,
// the HTML pages, certificate reload on SIGHUP and graceful shutdown on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "process.h"
#include "test_database.h"
#include "tls_test_support.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::web::testing::ClientOptions;
using tillit::web::testing::http_request;
using tillit::web::testing::TlsClient;

namespace {

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-serve-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    std::vector<std::string> init_args{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty()) init_args.insert(init_args.end(), {"--database", url});
    auto init = tillit::testing::run_command(init_args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    server_ = new tillit::testing::ServerProcess({TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
    // Everything but sign-in and /healthz needs an account: a security manager, signed in
    // through the pages for the page tests and holding an API token for the API tests.
    auto account = tillit::testing::create_account(dir_, "sam", {"security_manager"});
    tillit::testing::WebSession session(port_);
    const auto problem = tillit::testing::first_sign_in(session, account);
    ASSERT_EQ(problem, "");
    cookie_ = session.cookie;
    token_ = tillit::testing::create_token(dir_, "sam", {"catalog_read", "audit_verify"});
    ASSERT_FALSE(token_.empty());
  }
  static void TearDownTestSuite() {
    delete server_;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  // API paths carry the token, pages the session cookie.
  static tillit::web::testing::HttpReply get(const std::string& target, const std::string& headers = {}) {
    TlsClient client(port_);
    EXPECT_TRUE(client.connected()) << client.failure();
    const std::string credentials = target.rfind("/api/", 0) == 0
                                        ? "Authorization: Bearer " + token_ + "\r\n"
                                        : "Cookie: __Host-tillit-session=" + cookie_ + "\r\n";
    auto reply = client.exchange(http_request("GET", target, {}, credentials + headers));
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(tillit::web::testing::HttpReply{});
  }

  static void expect_security_headers(const tillit::web::testing::HttpReply& r) {
    EXPECT_EQ(r.header("Strict-Transport-Security").value_or(""), "max-age=63072000; includeSubDomains");
    const auto csp = r.header("Content-Security-Policy").value_or("");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(r.header("X-Content-Type-Options").value_or(""), "nosniff");
    EXPECT_EQ(r.header("Referrer-Policy").value_or(""), "no-referrer");
  }

  static inline fs::path dir_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline unsigned short port_ = 0;
  static inline std::string cookie_;
  static inline std::string token_;
};

}  // namespace

TEST_F(ServerTest, HealthzReportsVersionDatabaseAndClock) {
  auto r = get("/healthz");
  ASSERT_EQ(r.status, 200);
  auto j = json::parse(r.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_FALSE(j["version"].get<std::string>().empty());
  EXPECT_EQ(j["database"]["backend"], tillit::testing::postgresql_requested() ? "postgresql" : "sqlite");
  EXPECT_EQ(j["database"]["state"], "ok");
  EXPECT_TRUE(j["clock"]["state"] == "synchronized" || j["clock"]["state"] == "unsynchronized" || j["clock"]["state"] == "unknown");
  EXPECT_TRUE(std::regex_match(j["clock"]["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  expect_security_headers(r);
}

TEST_F(ServerTest, OnlyTls12And13WithStrongCiphersAreAccepted) {
  ClientOptions tls13;
  tls13.min_version = TLS1_3_VERSION;
  EXPECT_TRUE(TlsClient(port_, tls13).connected());

  ClientOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  TlsClient c12(port_, tls12);
  ASSERT_TRUE(c12.connected()) << c12.failure();
  EXPECT_NE(c12.cipher().find("ECDHE"), std::string::npos);
  EXPECT_TRUE(c12.cipher().find("GCM") != std::string::npos || c12.cipher().find("CHACHA20") != std::string::npos);

  for (int old : {TLS1_VERSION, TLS1_1_VERSION}) {
    ClientOptions legacy;
    legacy.min_version = old;
    legacy.max_version = old;
    legacy.offer_legacy = true;
    EXPECT_FALSE(TlsClient(port_, legacy).connected()) << "version " << old;
  }
  // Non-ECDHE, and ECDHE without AEAD (CBC): all refused. (3DES, RC4 and MD5 suites are not
  // even in the client library any more.)
  for (const char* weak : {"AES256-SHA", "AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256"}) {
    ClientOptions o;
    o.max_version = TLS1_2_VERSION;
    o.tls12_ciphers = weak;
    o.offer_legacy = true;
    EXPECT_FALSE(TlsClient(port_, o).connected()) << weak;
  }
}

TEST_F(ServerTest, ApiListsCataloguesWithPagination) {
  auto r = get("/api/v1/catalogs?per_page=2");
  ASSERT_EQ(r.status, 200);
  auto j = json::parse(r.body);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["per_page"], 2);
  ASSERT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][0]["id"], "annex");
  EXPECT_EQ(j["items"][0]["requirements"], 65);
  auto page2 = json::parse(get("/api/v1/catalogs?per_page=2&page=2").body);
  ASSERT_EQ(page2["items"].size(), 1u);
  expect_security_headers(r);
}

TEST_F(ServerTest, ApiRequirementsCanBeFilteredAndMappedBothWays) {
  auto list = json::parse(get("/api/v1/catalogs/annex/requirements?per_page=500").body);
  EXPECT_EQ(list["total"], 65);
  auto second_page = json::parse(get("/api/v1/catalogs/annex/requirements?per_page=50&page=2").body);
  ASSERT_EQ(second_page["items"].size(), 15u);
  EXPECT_EQ(second_page["items"][0], list["items"][50]);
  EXPECT_EQ(second_page["page"], 2);
  EXPECT_EQ(json::parse(get("/api/v1/catalogs/annex/requirements?per_page=50&page=9").body)["items"].size(), 0u);
  auto filtered = json::parse(get("/api/v1/catalogs/annex/requirements?q=kvartal").body);
  ASSERT_GE(filtered["total"].get<int>(), 1);
  EXPECT_EQ(filtered["items"][0]["id"], "K14");

  auto k14 = json::parse(get("/api/v1/catalogs/annex/requirements/K14").body);
  EXPECT_NE(k14["text"]["sv"].get<std::string>().find("minst en gång per kvartal"), std::string::npos);
  EXPECT_EQ(k14["duties"][0]["every"], "P3M");

  auto iso = json::parse(get("/api/v1/catalogs/iso27001-2022/requirements/A.8.8").body);
  bool covers_k14 = false;
  for (const auto& m : iso["mapped_from"]) covers_k14 = covers_k14 || (m["catalog"] == "annex" && m["id"] == "K14");
  EXPECT_TRUE(covers_k14);

  auto annex = json::parse(get("/api/v1/catalogs/annex").body);
  ASSERT_EQ(annex["cvss_remediation"].size(), 4u);
}

TEST_F(ServerTest, ApiErrorsHaveOneShape) {
  for (const auto& [target, status] : std::vector<std::pair<std::string, int>>{
           {"/api/v1/catalogs/nope", 404},
           {"/api/v1/catalogs/annex/requirements/K99", 404},
           {"/api/v1/catalogs?per_page=0", 400},
           {"/api/v1/catalogs?page=abc", 400},
           {"/api/v1/no-such-thing", 404}}) {
    auto r = get(target);
    EXPECT_EQ(r.status, status) << target;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << target << ": " << r.body;
    EXPECT_TRUE(j["error"]["code"].is_string()) << target;
    EXPECT_TRUE(j["error"]["message"].is_string()) << target;
    expect_security_headers(r);
  }
  TlsClient client(port_);
  auto r = client.exchange(http_request("DELETE", "/api/v1/catalogs"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "method_not_allowed");
}

TEST_F(ServerTest, PagesRenderInSwedishAndEnglishAndEscapeInput) {
  auto sv = get("/catalog/annex");
  ASSERT_EQ(sv.status, 200);
  EXPECT_EQ(sv.header("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(sv.body.find("<html lang=\"sv\">"), std::string::npos);
  EXPECT_NE(sv.body.find("65 av 65 krav"), std::string::npos);
  EXPECT_EQ(sv.body.find("<script"), std::string::npos);
  expect_security_headers(sv);

  auto en = get("/catalog/annex/K14?lang=en");
  ASSERT_EQ(en.status, 200);
  EXPECT_NE(en.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en.body.find("Maps to"), std::string::npos);

  auto hostile = get("/catalog/annex?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  ASSERT_EQ(hostile.status, 200);
  EXPECT_EQ(hostile.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(hostile.body.find("&lt;script&gt;"), std::string::npos);

  auto css = get("/assets/tillit.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("Content-Type").value_or(""), "text/css; charset=utf-8");
}

TEST_F(ServerTest, UnknownPagesGetAnHtmlErrorPage) {
  auto r = get("/no/such/page");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.header("Content-Type").value_or("").find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("Sidan finns inte"), std::string::npos);
  expect_security_headers(r);
}

TEST_F(ServerTest, DutiesShowTheirIntervalInWords) {
  auto sv = get("/catalog/annex/K22");
  EXPECT_NE(sv.body.find("halvårsvis"), std::string::npos);
  auto en = get("/catalog/annex/K14?lang=en");
  EXPECT_NE(en.body.find("(quarterly)"), std::string::npos);
}

// An independent scanner (Debian's sslscan) sees only TLS 1.2/1.3 with ECDHE and AEAD.
TEST_F(ServerTest, SslscanFindsNoWeakProtocolOrCipher) {
  auto scan = tillit::testing::run_command({"sslscan", "--no-colour", "--no-heartbleed", "127.0.0.1:" + std::to_string(port_)});
  if (scan.exit_code == 127) GTEST_SKIP() << "sslscan is not installed (scripts/setup.sh --test installs it)";
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  for (const char* old : {"SSLv2     enabled", "SSLv3     enabled", "TLSv1.0   enabled", "TLSv1.1   enabled"})
    EXPECT_EQ(scan.out.find(old), std::string::npos) << old;
  EXPECT_NE(scan.out.find("TLSv1.2   enabled"), std::string::npos);
  EXPECT_NE(scan.out.find("TLSv1.3   enabled"), std::string::npos);
  EXPECT_NE(scan.out.find("Session renegotiation not supported"), std::string::npos);
  int accepted = 0;
  std::istringstream lines(scan.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Accepted", 0) != 0 && line.rfind("Preferred", 0) != 0) continue;
    ++accepted;
    std::istringstream fields(line);
    std::string verdict, protocol, bits, unit, cipher;
    fields >> verdict >> protocol >> bits >> unit >> cipher;
    EXPECT_TRUE(protocol == "TLSv1.2" || protocol == "TLSv1.3") << line;
    EXPECT_TRUE(cipher.find("GCM") != std::string::npos || cipher.find("CHACHA20") != std::string::npos) << line;
    if (protocol == "TLSv1.2") {
      EXPECT_EQ(cipher.rfind("ECDHE-", 0), 0u) << line;
    }
    for (const char* weak : {"RC4", "DES", "MD5", "NULL", "EXPORT", "anon"}) EXPECT_EQ(cipher.find(weak), std::string::npos) << line;
  }
  EXPECT_GE(accepted, 4) << scan.out;
}

// Runs last in this suite (gtest keeps file order): it replaces the certificate and stops the server.
TEST_F(ServerTest, ZzSighupReloadsTheCertificateAndSigtermStopsGracefully) {
  const long before = TlsClient(port_).peer_serial();
  tillit::web::testing::write_self_signed(dir_ / "tls" / "certificate.pem", dir_ / "tls" / "private-key.pem", 4242);
  server_->signal(SIGHUP);
  long after = before;
  for (int i = 0; i < 100 && after != 4242; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = TlsClient(port_).peer_serial();
  }
  EXPECT_EQ(after, 4242);
  EXPECT_NE(before, 4242);

  server_->signal(SIGTERM);
  EXPECT_EQ(server_->wait(std::chrono::seconds(15)), 0);
  EXPECT_NE(server_->stderr_text().find("stopped"), std::string::npos);
}
