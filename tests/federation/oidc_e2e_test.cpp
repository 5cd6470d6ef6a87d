// End to end against a real OpenID Connect provider: the `oidc-provider` npm package started on
// loopback by tests/oidc-provider/provider.mjs, over HTTPS with a throwaway certificate. The test
// plays the browser with libcurl (cookies on, redirects followed by hand), signs in through the
// provider's login and consent forms, and captures the redirect to Tillit's callback instead of
// following it. Skipped, with the reason, when node or the provider's node_modules is missing.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include "process.h"
#include "tillit/crypto/crypto.h"
#include "tillit/federation/oidc_client.h"

namespace tillit::federation {
namespace {

namespace fs = std::filesystem;
using tillit::testing::run_command;
using tillit::testing::ServerProcess;

constexpr const char* kProviderDir = TILLIT_OIDC_PROVIDER_DIR;
constexpr const char* kRedirectUri = "https://tillit.test/auth/oidc/callback";
constexpr const char* kLoa2 = "http://id.elegnamnden.se/loa/1.0/loa2";
constexpr const char* kAliceSubject = "5a1d7c2e-9b64-4f0e-8d3a-a11ce0000001";

std::string skip_reason() {
  if (run_command({"node", "--version"}).exit_code != 0)
    return "node is not installed; run scripts/setup.sh --test to run the OpenID Connect end-to-end tests";
  if (!fs::exists(fs::path(kProviderDir) / "node_modules" / "oidc-provider"))
    return std::string("the test provider's npm packages are missing; run: (cd ") + kProviderDir + " && npm ci)";
  return {};
}

Timestamp now() { return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()); }

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  const auto q = url.find('?');
  if (q == std::string::npos) return out;
  std::stringstream rest(url.substr(q + 1));
  for (std::string pair; std::getline(rest, pair, '&');) {
    const auto eq = pair.find('=');
    out[url_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
  }
  return out;
}

// The browser: one libcurl handle with its cookie jar, trusting only the test certificate.
class Browser {
 public:
  explicit Browser(const std::string& ca_file) : curl_(curl_easy_init()) {
    curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");  // cookie engine on, in memory
    curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) {
      static_cast<std::string*>(u)->append(d, s * n);
      return s * n;
    });
  }
  ~Browser() { curl_easy_cleanup(curl_); }

  struct Page {
    long status = 0;
    std::string location;  // absolute, for redirects
    std::string body;
  };

  Page get(const std::string& url) { return perform(url, nullptr); }
  Page post(const std::string& url, const std::string& form) { return perform(url, &form); }

 private:
  Page perform(const std::string& url, const std::string* form) {
    Page page;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &page.body);
    if (form) {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_COPYPOSTFIELDS, form->c_str());
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    }
    const CURLcode rc = curl_easy_perform(curl_);
    if (rc != CURLE_OK) throw std::runtime_error("browser: " + url + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &page.status);
    char* location = nullptr;
    curl_easy_getinfo(curl_, CURLINFO_REDIRECT_URL, &location);
    if (location) page.location = location;
    return page;
  }

  CURL* curl_;
};

struct ProviderOptions {
  std::string id_token_alg = "RS256";
  std::string auth_method = "client_secret_basic";
};

// One provider process with its certificate, client secret and a configured OidcClient.
class ProviderFixture {
 public:
  explicit ProviderFixture(const ProviderOptions& options) {
    std::string pattern = (fs::temp_directory_path() / "tillit-oidc-e2e-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    cert_ = (dir_ / "provider.crt").string();
    const std::string key = (dir_ / "provider.key").string();
    const auto made = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                   "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                   "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert_});
    if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.err);
    // A secret with characters that client_secret_basic must form-encode.
    secret_file_ = (dir_ / "client-secret").string();
    std::ofstream(secret_file_) << crypto::to_base64(crypto::as_chars(crypto::random_bytes(30))) << "+/=\n";
    ::chmod(secret_file_.c_str(), 0600);
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "node", std::string(kProviderDir) + "/provider.mjs", "--port", "0", "--cert", cert_, "--key", key,
        "--client-id", "tillit-test", "--client-secret-file", secret_file_, "--redirect-uri", kRedirectUri,
        "--id-token-alg", options.id_token_alg, "--auth-method", options.auth_method},
        // Node loads oidc-provider's whole module graph at start: slow on a loaded 2-core machine.
        std::chrono::seconds(90));
    const std::string& line = server_->first_line();
    if (line.rfind("ready ", 0) != 0) throw std::runtime_error("unexpected first line from the provider: " + line);
    issuer_ = line.substr(6);
  }
  ~ProviderFixture() {
    server_.reset();
    fs::remove_all(dir_);
  }

  const std::string& issuer() const { return issuer_; }
  const std::string& certificate() const { return cert_; }
  ServerProcess& process() { return *server_; }

  OidcConfig config(const std::string& scopes = "openid profile email") const {
    OidcConfig c;
    c.issuer = issuer_;
    c.client_id = "tillit-test";
    c.client_secret_file = secret_file_;
    c.redirect_uri = kRedirectUri;
    c.scopes = scopes;
    c.ca_bundle_file = cert_;
    return c;
  }

  // Follows the authorization URL as a browser, signs in as `username`, asks the provider to
  // issue `acr`, consents, and returns the parameters of the redirect to Tillit's callback.
  CallbackParams sign_in(const std::string& authorization_url, const std::string& username, const std::string& acr) {
    Browser browser(cert_);
    auto page = browser.get(authorization_url);
    for (int step = 0; step < 12; ++step) {
      if (page.status == 302 || page.status == 303) {
        if (page.location.rfind(kRedirectUri, 0) == 0) {
          auto q = query_of(page.location);
          return {q["code"], q["state"], q["iss"], q["error"], q["error_description"]};
        }
        page = browser.get(page.location);
        continue;
      }
      // A page with a form: the login form (username, acr) or the consent form (a button).
      static const std::regex action(R"re(<form[^>]*action="([^"]+)")re");
      std::smatch m;
      if (page.status != 200 || !std::regex_search(page.body, m, action))
        throw std::runtime_error("the provider showed an unexpected page (" + std::to_string(page.status) +
                                 "): " + page.body.substr(0, 400) + "\nprovider stderr: " + server_->stderr_text());
      std::string form;
      if (page.body.find("name=\"username\"") != std::string::npos) {
        char* u = curl_easy_escape(nullptr, username.c_str(), 0);
        char* a = curl_easy_escape(nullptr, acr.c_str(), 0);
        form = std::string("username=") + u + "&acr=" + a;
        curl_free(u);
        curl_free(a);
      }
      page = browser.post(issuer_ + m[1].str(), form);
    }
    throw std::runtime_error("the sign-in did not reach the callback in 12 steps");
  }

 private:
  fs::path dir_;
  std::string cert_, secret_file_, issuer_;
  std::unique_ptr<ServerProcess> server_;
};

class OidcEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    reason_ = skip_reason();
    if (reason_.empty()) provider_ = new ProviderFixture(ProviderOptions{});
  }
  static void TearDownTestSuite() {
    delete provider_;
    provider_ = nullptr;
  }
  void SetUp() override {
    if (!reason_.empty()) GTEST_SKIP() << reason_;
  }
  static std::unique_ptr<OidcClient> client(const std::string& scopes = "openid profile email") {
    auto made = OidcClient::create(provider_->config(scopes));
    if (!made) throw std::runtime_error(made.error().message);
    return std::move(*made);
  }

  static std::string reason_;
  static ProviderFixture* provider_;
};
std::string OidcEndToEndTest::reason_;
ProviderFixture* OidcEndToEndTest::provider_ = nullptr;

TEST_F(OidcEndToEndTest, SignsInAtLoa3) {
  auto rp = client();
  const auto login = rp->begin(now());
  ASSERT_TRUE(login.ok()) << login.error().message;
  const auto callback = provider_->sign_in(login->authorization_url, "alice", std::string(kLoa3));
  EXPECT_EQ(callback.iss, provider_->issuer());
  const auto who = rp->finish(callback, login->pending, now());
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->issuer, provider_->issuer());
  EXPECT_EQ(who->subject, kAliceSubject);
  EXPECT_EQ(who->acr, kLoa3);
  EXPECT_EQ(who->name, "Alice Andersson");
  EXPECT_EQ(who->email, "alice@example.se");
  EXPECT_TRUE(who->email_verified);
  EXPECT_FALSE(who->personal_identity_number.has_value()) << "not asked for, so not sent";
}

TEST_F(OidcEndToEndTest, TheSubjectIsStableAcrossSignIns) {
  auto rp = client();
  std::string first;
  for (int i = 0; i < 2; ++i) {
    const auto login = rp->begin(now());
    ASSERT_TRUE(login.ok());
    const auto who = rp->finish(provider_->sign_in(login->authorization_url, "bob", std::string(kLoa3)),
                                login->pending, now());
    ASSERT_TRUE(who.ok()) << who.error().message;
    if (i == 0) first = who->subject;
    EXPECT_EQ(who->subject, first);
    EXPECT_EQ(who->name, "Bob Berg");
  }
}

TEST_F(OidcEndToEndTest, DeliversThePersonalIdentityNumberWhenItsScopeIsAsked) {
  auto rp = client("openid profile https://id.oidc.se/scope/naturalPersonNumber");
  const auto login = rp->begin(now());
  ASSERT_TRUE(login.ok());
  const auto who = rp->finish(provider_->sign_in(login->authorization_url, "alice", std::string(kLoa3)),
                              login->pending, now());
  ASSERT_TRUE(who.ok()) << who.error().message;
  ASSERT_TRUE(who->personal_identity_number.has_value());
  EXPECT_EQ(who->personal_identity_number->reveal(), "190001019876");
  EXPECT_TRUE(who->email.empty()) << "the email scope was not asked for";
}

TEST_F(OidcEndToEndTest, RefusesATokenAtLoa2WithAClearMessage) {
  auto rp = client();
  const auto login = rp->begin(now());
  ASSERT_TRUE(login.ok());
  const auto who = rp->finish(provider_->sign_in(login->authorization_url, "alice", kLoa2), login->pending, now());
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.error().code, ErrorCode::unauthenticated);
  EXPECT_EQ(who.error().message,
            "the identity provider authenticated you at assurance level \"http://id.elegnamnden.se/loa/1.0/loa2\", "
            "but Tillit requires \"http://id.elegnamnden.se/loa/1.0/loa3\"; sign in with an eID at LoA3");
}

TEST_F(OidcEndToEndTest, RefusesAReplayedCode) {
  auto rp = client();
  const auto login = rp->begin(now());
  ASSERT_TRUE(login.ok());
  const auto callback = provider_->sign_in(login->authorization_url, "alice", std::string(kLoa3));
  ASSERT_TRUE(rp->finish(callback, login->pending, now()).ok());
  const auto again = rp->finish(callback, login->pending, now());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::unauthenticated);
  EXPECT_NE(again.error().message.find("refused the authorization code (\"invalid_grant\""), std::string::npos)
      << again.error().message;
}

TEST_F(OidcEndToEndTest, RefusesATamperedState) {
  auto rp = client();
  const auto login = rp->begin(now());
  ASSERT_TRUE(login.ok());
  auto callback = provider_->sign_in(login->authorization_url, "alice", std::string(kLoa3));
  callback.state[0] = callback.state[0] == 'A' ? 'B' : 'A';
  const auto who = rp->finish(callback, login->pending, now());
  ASSERT_FALSE(who.ok());
  EXPECT_NE(who.error().message.find("state mismatch"), std::string::npos) << who.error().message;
}

TEST_F(OidcEndToEndTest, RefusesACodeFromAnotherSignIn) {
  // Two sign-ins begun; the code of the second presented with the first's kept values: the
  // state differs, and even with the state forced to match, PKCE and the nonce do not.
  auto rp = client();
  const auto first = rp->begin(now());
  const auto second = rp->begin(now());
  ASSERT_TRUE(first.ok() && second.ok());
  auto callback = provider_->sign_in(second->authorization_url, "alice", std::string(kLoa3));
  callback.state = first->pending.state;
  const auto who = rp->finish(callback, first->pending, now());
  ASSERT_FALSE(who.ok());
  EXPECT_NE(who.error().message.find("invalid_grant"), std::string::npos) << who.error().message;
}

TEST_F(OidcEndToEndTest, TrustsOnlyTheConfiguredCertificate) {
  auto config = provider_->config();
  config.ca_bundle_file.clear();  // the system's CAs: the self-signed certificate must not pass
  auto rp = OidcClient::create(config);
  ASSERT_TRUE(rp.ok()) << rp.error().message;
  const auto login = (*rp)->begin(now());
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error().code, ErrorCode::unavailable);
  EXPECT_NE(login.error().message.find("could not reach the identity provider"), std::string::npos)
      << login.error().message;
}

TEST_F(OidcEndToEndTest, ProviderStopsCleanlyOnSigterm) {
  ProviderFixture own(ProviderOptions{});
  own.process().signal(SIGTERM);
  EXPECT_EQ(own.process().wait(std::chrono::seconds(10)), 0) << own.process().stderr_text();
}

// ES256 ID tokens and client_secret_post, against a second provider configured that way.
TEST_F(OidcEndToEndTest, SignsInWithEs256AndClientSecretPost) {
  ProviderFixture es(ProviderOptions{"ES256", "client_secret_post"});
  auto config = es.config();
  config.token_auth_method = TokenAuthMethod::client_secret_post;
  auto rp = OidcClient::create(config);
  ASSERT_TRUE(rp.ok()) << rp.error().message;
  const auto login = (*rp)->begin(now());
  ASSERT_TRUE(login.ok()) << login.error().message;
  const auto who = (*rp)->finish(es.sign_in(login->authorization_url, "alice", std::string(kLoa3)), login->pending, now());
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->subject, kAliceSubject);
}

}  // namespace
}  // namespace tillit::federation
