// OidcClient against a stand-in provider (an HttpClient fake): configuration checks, the
// authorization request, the code exchange, key rotation and the refusals of finish().
#include "tillit/federation/oidc_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "token_factory.h"

namespace tillit::federation {
namespace {

using testing::TestKey;
using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kIssuer = "https://idp.example.se";
constexpr std::int64_t kNow = 1'800'000'000;

Timestamp at(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

// Answers GETs from a URL -> response map and records POSTs; the token endpoint answers with
// `token_response`.
class FakeProvider final : public HttpClient {
 public:
  std::map<std::string, HttpResponse> pages;
  HttpResponse token_response{500, "{}"};
  struct Post {
    std::string url, body;
    std::vector<std::string> headers;
  };
  std::vector<Post> posts;
  std::map<std::string, int> gets;

  Result<HttpResponse> get(const std::string& url) override {
    ++gets[url];
    const auto it = pages.find(url);
    if (it == pages.end()) return make_error(ErrorCode::unavailable, "no route to " + url);
    return it->second;
  }
  Result<HttpResponse> post_form(const std::string& url, const std::string& body,
                                 const std::vector<std::string>& headers) override {
    posts.push_back({url, body, headers});
    return token_response;
  }
};

json discovery_document() {
  const std::string i = kIssuer;
  return {{"issuer", i},
          {"authorization_endpoint", i + "/auth"},
          {"token_endpoint", i + "/token"},
          {"jwks_uri", i + "/jwks"},
          {"code_challenge_methods_supported", {"S256"}},
          {"acr_values_supported", {"http://id.elegnamnden.se/loa/1.0/loa2", "http://id.elegnamnden.se/loa/1.0/loa3"}},
          {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
          {"authorization_response_iss_parameter_supported", true}};
}

// The query parameters of a URL, decoded (enough for what begin() produces).
std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  const auto q = url.find('?');
  std::string rest = q == std::string::npos ? "" : url.substr(q + 1);
  const auto decode = [](const std::string& s) {
    std::string d;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        d += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        d += s[i] == '+' ? ' ' : s[i];
      }
    }
    return d;
  };
  std::size_t pos = 0;
  while (pos <= rest.size() && !rest.empty()) {
    const auto amp = rest.find('&', pos);
    const std::string pair = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    const auto eq = pair.find('=');
    out[decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : decode(pair.substr(eq + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

class OidcClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tillit-oidc-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    secret_file_ = (dir_ / "client-secret").string();
    std::ofstream(secret_file_) << "s3cret/with+odd=chars\n";
    ::chmod(secret_file_.c_str(), 0600);
    provider_ = std::make_shared<FakeProvider>();
    provider_->pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = {200, discovery_document().dump()};
    provider_->pages[std::string(kIssuer) + "/jwks"] = {200, testing::jwks_of({key_.get()}).dump()};
  }
  void TearDown() override { fs::remove_all(dir_); }

  OidcConfig config() const {
    OidcConfig c;
    c.issuer = kIssuer;
    c.client_id = "tillit";
    c.client_secret_file = secret_file_;
    c.redirect_uri = "https://tillit.example.se/auth/oidc/callback";
    return c;
  }
  std::unique_ptr<OidcClient> client(OidcConfig c) {
    auto made = OidcClient::create(std::move(c), provider_);
    EXPECT_TRUE(made.ok()) << made.error().message;
    return made.ok() ? std::move(*made) : nullptr;
  }

  json claims(const PendingLogin& pending) const {
    return {{"iss", kIssuer}, {"sub", "a1b2c3"}, {"aud", "tillit"}, {"exp", kNow + 300}, {"iat", kNow},
            {"nonce", pending.nonce}, {"acr", std::string(kLoa3)}, {"name", "Alice Andersson"},
            {"given_name", "Alice"}, {"family_name", "Andersson"}, {"email", "alice@example.se"},
            {"email_verified", true}, {"txn", "txn-42"},
            {std::string(kPersonalIdentityNumberClaim), "190001019876"}};
  }
  void answer_with(const std::string& id_token) {
    provider_->token_response = {200, json{{"access_token", "at"}, {"token_type", "Bearer"}, {"id_token", id_token}}.dump()};
  }
  static CallbackParams callback_for(const PendingLogin& pending) {
    return {"the-code", pending.state, kIssuer, "", ""};
  }
  static void expect_error(const Error& e, ErrorCode code, const std::string& fragment) {
    EXPECT_EQ(e.code, code) << e.message;
    EXPECT_NE(e.message.find(fragment), std::string::npos) << e.message;
  }

  fs::path dir_;
  std::string secret_file_;
  std::shared_ptr<FakeProvider> provider_;
  std::shared_ptr<TestKey> key_ = std::make_shared<TestKey>(TestKey::Kind::rsa, "k1");
};

TEST_F(OidcClientTest, CreateChecksTheConfiguration) {
  auto c = config();
  c.issuer = "http://idp.example.se";
  expect_error(OidcClient::create(c, provider_).error(), ErrorCode::invalid_argument, "is not an https URL");
  c = config();
  c.scopes = "profile email";
  expect_error(OidcClient::create(c, provider_).error(), ErrorCode::invalid_argument, "must include \"openid\"");
  c = config();
  c.redirect_uri = "http://tillit.example.se/auth/oidc/callback";
  expect_error(OidcClient::create(c, provider_).error(), ErrorCode::invalid_argument, "redirect URI");
  c = config();
  c.client_secret_file = (dir_ / "missing").string();
  EXPECT_FALSE(OidcClient::create(c, provider_).ok());
  c = config();
  c.client_secret_file = "";
  expect_error(OidcClient::create(c, provider_).error(), ErrorCode::invalid_argument, "no client secret file");
}

TEST_F(OidcClientTest, RefusesASecretFileOthersCanRead) {
  ::chmod(secret_file_.c_str(), 0644);
  expect_error(OidcClient::create(config(), provider_).error(), ErrorCode::forbidden, "chmod 600");
}

TEST_F(OidcClientTest, BeginBuildsTheAuthorizationRequest) {
  auto c = client(config());
  ASSERT_TRUE(c);
  const auto login = c->begin(at(kNow));
  ASSERT_TRUE(login.ok()) << login.error().message;
  const auto& p = login->pending;
  EXPECT_EQ(login->authorization_url.rfind(std::string(kIssuer) + "/auth?", 0), 0u);
  const auto q = query_of(login->authorization_url);
  EXPECT_EQ(q.at("response_type"), "code");
  EXPECT_EQ(q.at("client_id"), "tillit");
  EXPECT_EQ(q.at("redirect_uri"), "https://tillit.example.se/auth/oidc/callback");
  EXPECT_EQ(q.at("scope"), "openid profile email");
  EXPECT_EQ(q.at("state"), p.state);
  EXPECT_EQ(q.at("nonce"), p.nonce);
  EXPECT_EQ(q.at("acr_values"), kLoa3);
  EXPECT_EQ(q.at("code_challenge_method"), "S256");
  const auto digest = crypto::sha256(p.code_verifier);
  EXPECT_EQ(q.at("code_challenge"), base64url_encode(std::string(reinterpret_cast<const char*>(digest.data()), 32)));
  // 256 random bits each (the Swedish profile asks at least 128 for state), all different.
  EXPECT_EQ(p.state.size(), 43u);
  EXPECT_EQ(p.nonce.size(), 43u);
  EXPECT_EQ(p.code_verifier.size(), 43u);
  EXPECT_NE(p.state, p.nonce);
  EXPECT_NE(p.state, c->begin(at(kNow))->pending.state);
  EXPECT_EQ(p.created_at, at(kNow));
}

TEST_F(OidcClientTest, BeginRefusesAProviderWithoutTheRequiredLevel) {
  auto doc = discovery_document();
  doc["acr_values_supported"] = {"http://id.elegnamnden.se/loa/1.0/loa2"};
  provider_->pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = {200, doc.dump()};
  auto c = client(config());
  expect_error(c->begin(at(kNow)).error(), ErrorCode::unavailable, "does not offer the assurance level Tillit requires");
}

TEST_F(OidcClientTest, BeginRefusesADiscoveryDocumentForAnotherIssuer) {
  auto doc = discovery_document();
  doc["issuer"] = "https://evil.example";
  provider_->pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = {200, doc.dump()};
  auto c = client(config());
  expect_error(c->begin(at(kNow)).error(), ErrorCode::unavailable, "names the issuer \"https://evil.example\"");
}

TEST_F(OidcClientTest, FinishReturnsTheVerifiedIdentity) {
  auto c = client(config());
  const auto login = c->begin(at(kNow));
  ASSERT_TRUE(login.ok());
  answer_with(testing::make_token(*key_, "RS256", claims(login->pending)));
  const auto who = c->finish(callback_for(login->pending), login->pending, at(kNow + 20));
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->issuer, kIssuer);
  EXPECT_EQ(who->subject, "a1b2c3");
  EXPECT_EQ(who->acr, kLoa3);
  EXPECT_EQ(who->name, "Alice Andersson");
  EXPECT_EQ(who->given_name, "Alice");
  EXPECT_EQ(who->family_name, "Andersson");
  EXPECT_EQ(who->email, "alice@example.se");
  EXPECT_TRUE(who->email_verified);
  EXPECT_EQ(who->transaction_id, "txn-42");
  ASSERT_TRUE(who->personal_identity_number.has_value());
  EXPECT_EQ(who->personal_identity_number->reveal(), "190001019876");

  // The code exchange: PKCE verifier, redirect URI, client_secret_basic with the form-encoded secret.
  ASSERT_EQ(provider_->posts.size(), 1u);
  const auto& post = provider_->posts[0];
  EXPECT_EQ(post.url, std::string(kIssuer) + "/token");
  const auto form = query_of("?" + post.body);
  EXPECT_EQ(form.at("grant_type"), "authorization_code");
  EXPECT_EQ(form.at("code"), "the-code");
  EXPECT_EQ(form.at("code_verifier"), login->pending.code_verifier);
  EXPECT_EQ(form.at("redirect_uri"), "https://tillit.example.se/auth/oidc/callback");
  EXPECT_EQ(form.count("client_secret"), 0u);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0], "Authorization: Basic " + crypto::to_base64("tillit:s3cret%2Fwith%2Bodd%3Dchars"));
}

TEST_F(OidcClientTest, UsesClientSecretPostWhenThatIsAllTheProviderOffers) {
  auto doc = discovery_document();
  doc["token_endpoint_auth_methods_supported"] = {"client_secret_post", "private_key_jwt"};
  provider_->pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = {200, doc.dump()};
  auto c = client(config());
  const auto login = c->begin(at(kNow));
  answer_with(testing::make_token(*key_, "RS256", claims(login->pending)));
  ASSERT_TRUE(c->finish(callback_for(login->pending), login->pending, at(kNow)).ok());
  const auto form = query_of("?" + provider_->posts.at(0).body);
  EXPECT_EQ(form.at("client_id"), "tillit");
  EXPECT_EQ(form.at("client_secret"), "s3cret/with+odd=chars");
  EXPECT_TRUE(provider_->posts.at(0).headers.empty());
}

TEST_F(OidcClientTest, FetchesTheKeySetAgainForAnUnknownKid) {
  auto c = client(config());
  auto login = c->begin(at(kNow));
  answer_with(testing::make_token(*key_, "RS256", claims(login->pending)));
  ASSERT_TRUE(c->finish(callback_for(login->pending), login->pending, at(kNow)).ok());
  const std::string jwks_url = std::string(kIssuer) + "/jwks";
  EXPECT_EQ(provider_->gets[jwks_url], 1);

  // The provider rotates to a new key; the first token signed with it makes Tillit look again.
  const TestKey next(TestKey::Kind::ec_p256, "k2");
  provider_->pages[jwks_url] = {200, testing::jwks_of({key_.get(), &next}).dump()};
  login = c->begin(at(kNow + 60));
  answer_with(testing::make_token(next, "ES256", claims(login->pending)));
  const auto who = c->finish(callback_for(login->pending), login->pending, at(kNow + 60));
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(provider_->gets[jwks_url], 2);

  // A kid that is nowhere: one more look at most every few seconds, then a clear refusal.
  const TestKey stranger(TestKey::Kind::rsa, "k3");
  login = c->begin(at(kNow + 61));
  answer_with(testing::make_token(stranger, "RS256", claims(login->pending)));
  expect_error(c->finish(callback_for(login->pending), login->pending, at(kNow + 61)).error(),
               ErrorCode::unauthenticated, "key \"k3\", which is not in the identity provider's key set");
  EXPECT_EQ(provider_->gets[jwks_url], 2);
}

TEST_F(OidcClientTest, FinishRefusesAForeignOrStaleResponse) {
  auto c = client(config());
  const auto login = c->begin(at(kNow));
  answer_with(testing::make_token(*key_, "RS256", claims(login->pending)));
  const auto& pending = login->pending;

  auto cb = callback_for(pending);
  cb.state = pending.state.substr(0, 42) + (pending.state.back() == 'A' ? "B" : "A");
  expect_error(c->finish(cb, pending, at(kNow)).error(), ErrorCode::unauthenticated, "state mismatch");
  cb.state = "";
  expect_error(c->finish(cb, pending, at(kNow)).error(), ErrorCode::unauthenticated, "state mismatch");

  expect_error(c->finish(callback_for(pending), pending, at(kNow + 601)).error(), ErrorCode::unauthenticated,
               "took longer than 10 minutes");

  cb = callback_for(pending);
  cb.iss = "https://evil.example";
  expect_error(c->finish(cb, pending, at(kNow)).error(), ErrorCode::unauthenticated,
               "comes from issuer \"https://evil.example\"");
  cb.iss = "";
  expect_error(c->finish(cb, pending, at(kNow)).error(), ErrorCode::unauthenticated, "lacks the issuer");

  cb = callback_for(pending);
  cb.code = "";
  cb.error = "access_denied";
  cb.error_description = "the user cancelled";
  expect_error(c->finish(cb, pending, at(kNow)).error(), ErrorCode::unauthenticated,
               "cancelled or refused at the identity provider (\"access_denied\": \"the user cancelled\")");
  EXPECT_TRUE(provider_->posts.empty()) << "no refused response may reach the token endpoint";
}

TEST_F(OidcClientTest, FinishReportsTokenEndpointRefusals) {
  auto c = client(config());
  const auto login = c->begin(at(kNow));
  provider_->token_response = {400, R"({"error":"invalid_grant","error_description":"grant request is invalid"})"};
  expect_error(c->finish(callback_for(login->pending), login->pending, at(kNow)).error(), ErrorCode::unauthenticated,
               "refused the authorization code (\"invalid_grant\": \"grant request is invalid\")");
  provider_->token_response = {401, R"({"error":"invalid_client"})"};
  expect_error(c->finish(callback_for(login->pending), login->pending, at(kNow)).error(), ErrorCode::unavailable,
               "check the client id and the client secret file");
  provider_->token_response = {200, R"({"access_token":"x"})"};
  expect_error(c->finish(callback_for(login->pending), login->pending, at(kNow)).error(), ErrorCode::unavailable,
               "returned no ID token");
}

TEST_F(OidcClientTest, FinishRefusesALowerAssuranceLevel) {
  auto c = client(config());
  const auto login = c->begin(at(kNow));
  auto cl = claims(login->pending);
  cl["acr"] = "http://id.elegnamnden.se/loa/1.0/loa2";
  answer_with(testing::make_token(*key_, "RS256", cl));
  expect_error(c->finish(callback_for(login->pending), login->pending, at(kNow)).error(), ErrorCode::unauthenticated,
               "but Tillit requires \"http://id.elegnamnden.se/loa/1.0/loa3\"; sign in with an eID at LoA3");
}

TEST_F(OidcClientTest, UnreachableProviderIsUnavailable) {
  provider_->pages.clear();
  auto c = client(config());
  EXPECT_EQ(c->begin(at(kNow)).error().code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace tillit::federation
