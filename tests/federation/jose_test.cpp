// base64url, JWK Set parsing and provider configuration checks (federation/jose.h,
// provider_metadata.h).
#include <gtest/gtest.h>

#include "tillit/crypto/crypto.h"
#include "tillit/federation/jose.h"
#include "tillit/federation/provider_metadata.h"
#include "token_factory.h"

namespace tillit::federation {
namespace {

using testing::TestKey;
using json = nlohmann::json;

TEST(Base64UrlTest, RoundTripsAndIsStrict) {
  for (const std::string& bytes : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "\xff\xfe\xfd", std::string("\0\x01", 2)}) {
    const auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
    const auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zg==").ok());  // padding
  EXPECT_FALSE(base64url_decode("Z+8").ok());   // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v YmFy").ok());
  EXPECT_FALSE(base64url_decode("Z").ok());     // impossible length
  EXPECT_FALSE(base64url_decode("Zh").ok());    // non-zero unused bits: "Zg" is the one spelling of "f"
}

TEST(PkceTest, S256ChallengeMatchesRfc7636AppendixB) {
  // RFC 7636 Appendix B: the challenge is BASE64URL(SHA256(ASCII(code_verifier))).
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const auto digest = crypto::sha256(verifier);
  EXPECT_EQ(base64url_encode(std::string(reinterpret_cast<const char*>(digest.data()), digest.size())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(JwksTest, KeepsOnlyUsableSigningKeys) {
  const TestKey rsa(TestKey::Kind::rsa, "rsa");
  const TestKey ec(TestKey::Kind::ec_p256, "ec");
  const TestKey weak(TestKey::Kind::rsa, "weak", 1024);
  json set = testing::jwks_of({&rsa, &ec, &weak});
  auto enc = rsa.public_jwk();
  enc["kid"] = "enc";
  enc["use"] = "enc";
  set["keys"].push_back(enc);
  auto with_private = ec.public_jwk();
  with_private["kid"] = "leaky";
  with_private["d"] = "AAAA";
  set["keys"].push_back(with_private);
  set["keys"].push_back({{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "ed"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}});
  set["keys"].push_back({{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}});
  set["keys"].push_back("not an object");

  const auto parsed = parse_jwks(set.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  std::vector<std::string> kids;
  for (const auto& k : parsed->keys) kids.push_back(k.kid);
  EXPECT_EQ(kids, (std::vector<std::string>{"rsa", "ec"}));
}

TEST(JwksTest, RefusesAPointOffTheCurve) {
  const TestKey ec(TestKey::Kind::ec_p256, "ec");
  auto jwk = ec.public_jwk();
  auto y = *base64url_decode(jwk["y"].get<std::string>());
  y[31] = static_cast<char>(y[31] ^ 1);
  jwk["y"] = base64url_encode(y);
  const auto parsed = parse_jwks(json{{"keys", json::array({jwk})}}.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("holds no key Tillit can verify"), std::string::npos);
}

TEST(JwksTest, RefusesMalformedDocuments) {
  EXPECT_FALSE(parse_jwks("").ok());
  EXPECT_FALSE(parse_jwks("[]").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys": {}})").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys": []})").ok());
  const auto dup = parse_jwks(R"({"keys": [], "keys": []})");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("same member twice"), std::string::npos);
}

json discovery(const std::string& issuer) {
  return {{"issuer", issuer},
          {"authorization_endpoint", issuer + "/auth"},
          {"token_endpoint", issuer + "/token"},
          {"jwks_uri", issuer + "/jwks"},
          {"response_types_supported", {"code"}},
          {"code_challenge_methods_supported", {"S256"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"token_endpoint_auth_methods_supported", {"client_secret_post"}},
          {"acr_values_supported", {"http://id.elegnamnden.se/loa/1.0/loa3"}},
          {"authorization_response_iss_parameter_supported", true}};
}

TEST(ProviderMetadataTest, ReadsAGoodDocument) {
  const auto m = parse_provider_metadata(discovery("https://idp.example.se").dump(), "https://idp.example.se");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->token_endpoint, "https://idp.example.se/token");
  EXPECT_EQ(m->token_endpoint_auth_methods, std::vector<std::string>{"client_secret_post"});
  EXPECT_TRUE(m->iss_parameter_supported);
  EXPECT_EQ(discovery_url("https://idp.example.se/"), "https://idp.example.se/.well-known/openid-configuration");
}

TEST(ProviderMetadataTest, RefusesAnotherIssuerAndUnsafeEndpoints) {
  const std::string issuer = "https://idp.example.se";
  const auto other = parse_provider_metadata(discovery("https://idp.example.se/").dump(), issuer);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("names the issuer \"https://idp.example.se/\", not the configured"),
            std::string::npos) << other.error().message;

  auto doc = discovery(issuer);
  doc["token_endpoint"] = "http://idp.example.se/token";
  const auto plain = parse_provider_metadata(doc.dump(), issuer);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().message.find("no https token_endpoint"), std::string::npos);

  doc = discovery(issuer);
  doc["code_challenge_methods_supported"] = {"plain"};
  const auto no_s256 = parse_provider_metadata(doc.dump(), issuer);
  ASSERT_FALSE(no_s256.ok());
  EXPECT_NE(no_s256.error().message.find("PKCE with S256"), std::string::npos);

  doc = discovery(issuer);
  doc["id_token_signing_alg_values_supported"] = {"HS256", "none"};
  EXPECT_FALSE(parse_provider_metadata(doc.dump(), issuer).ok());
}

TEST(ProviderMetadataTest, HttpsUrlCheck) {
  EXPECT_TRUE(is_https_url("https://idp.example.se"));
  EXPECT_TRUE(is_https_url("https://127.0.0.1:8443/path?x=1"));
  EXPECT_FALSE(is_https_url("http://idp.example.se"));
  EXPECT_FALSE(is_https_url("https://"));
  EXPECT_FALSE(is_https_url("https://user@idp.example.se/"));
  EXPECT_FALSE(is_https_url("https://idp.example.se/#frag"));
  EXPECT_FALSE(is_https_url("https://idp.example.se/a b"));
}

}  // namespace
}  // namespace tillit::federation
