// ID token validation (federation/id_token.h) with keys made in the test: a good token is
// accepted, and each broken rule is refused with its own message.
#include "tillit/federation/id_token.h"

#include <gtest/gtest.h>

#include "token_factory.h"

namespace tillit::federation {
namespace {

using testing::TestKey;
using json = nlohmann::json;

constexpr const char* kIssuer = "https://idp.example.se";
constexpr const char* kClient = "tillit";
constexpr const char* kNonce = "n-0S6_WzA2Mj";
constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15

Timestamp at(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

class IdTokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::Kind::rsa, "rsa-1");
    ec_ = new TestKey(TestKey::Kind::ec_p256, "ec-1");
    other_ = new TestKey(TestKey::Kind::rsa, "rsa-1");  // same kid, different key: a forger's
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete other_;
  }

  static json claims() {
    return {{"iss", kIssuer}, {"sub", "user-123"}, {"aud", kClient}, {"exp", kNow + 300}, {"iat", kNow - 5},
            {"nonce", kNonce}, {"acr", std::string(kLoa3)}, {"auth_time", kNow - 10}};
  }
  static Jwks keys() {
    auto parsed = parse_jwks(testing::jwks_of({rsa_, ec_}).dump());
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? *parsed : Jwks{};
  }
  static IdTokenExpectations expect() { return {kIssuer, kClient, kNonce, std::string(kLoa3), std::chrono::seconds(60)}; }

  static Result<IdTokenClaims> check(const std::string& token, std::int64_t now = kNow) {
    return validate_id_token(token, keys(), expect(), at(now));
  }
  // Expects a refusal whose message contains `fragment`.
  static void expect_refused(const std::string& token, const std::string& fragment, std::int64_t now = kNow) {
    const auto r = check(token, now);
    ASSERT_FALSE(r.ok()) << "accepted a token that should be refused for: " << fragment;
    EXPECT_EQ(r.error().code, ErrorCode::unauthenticated);
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
  }

  static TestKey* rsa_;
  static TestKey* ec_;
  static TestKey* other_;
};
TestKey* IdTokenTest::rsa_ = nullptr;
TestKey* IdTokenTest::ec_ = nullptr;
TestKey* IdTokenTest::other_ = nullptr;

TEST_F(IdTokenTest, AcceptsAGoodTokenForEachAllowedAlgorithm) {
  for (const auto& [key, alg] : {std::pair{rsa_, "RS256"}, std::pair{rsa_, "PS256"}, std::pair{ec_, "ES256"}}) {
    const auto r = check(testing::make_token(*key, alg, claims()));
    ASSERT_TRUE(r.ok()) << alg << ": " << r.error().message;
    EXPECT_EQ(r->subject, "user-123");
    EXPECT_EQ(r->issuer, kIssuer);
    EXPECT_EQ(r->acr, kLoa3);
    EXPECT_EQ(r->auth_time, kNow - 10);
    EXPECT_EQ(r->expires_at, kNow + 300);
  }
}

TEST_F(IdTokenTest, RefusesASignatureByAnotherKey) {
  expect_refused(testing::make_token(*other_, "RS256", claims()), "signature does not verify");
}

TEST_F(IdTokenTest, RefusesAnAlteredPayload) {
  const std::string good = testing::make_token(*rsa_, "RS256", claims());
  auto changed = claims();
  changed["sub"] = "admin";
  const std::string forged_payload = base64url_encode(changed.dump());
  const auto first = good.find('.'), second = good.find('.', first + 1);
  const std::string forged = good.substr(0, first + 1) + forged_payload + good.substr(second);
  expect_refused(forged, "signature does not verify");
}

TEST_F(IdTokenTest, RefusesAnUnknownKeyId) {
  const TestKey stranger(TestKey::Kind::rsa, "rsa-unknown");
  expect_refused(testing::make_token(stranger, "RS256", claims()), "key \"rsa-unknown\", which is not in");
}

TEST_F(IdTokenTest, RefusesAlgNone) {
  expect_refused(testing::make_unsigned_token(claims()), "not signed (alg \"none\")");
}

TEST_F(IdTokenTest, RefusesHs256KeyedWithThePublicKey) {
  // The classic confusion attack: the provider's public key, which anyone can fetch, used as
  // an HMAC secret. Tried with the PEM and with the JWK's raw modulus.
  expect_refused(testing::make_hs256_token(rsa_->public_pem(), claims(), "rsa-1"), "shared-secret algorithm \"HS256\"");
  expect_refused(testing::make_hs256_token(rsa_->public_jwk()["n"].get<std::string>(), claims(), "rsa-1"),
                 "shared-secret algorithm");
}

TEST_F(IdTokenTest, RefusesAlgorithmsOutsideTheAllowList) {
  const auto token = testing::make_token(*rsa_, "RS256", claims(), {{"alg", "RS512"}});
  expect_refused(token, "algorithm \"RS512\", which Tillit does not accept");
}

TEST_F(IdTokenTest, RefusesAKeyOfTheWrongTypeForTheAlgorithm) {
  // An ES256 header naming the RSA key's kid: no key qualifies.
  const auto token = testing::make_token(*ec_, "ES256", claims(), {{"kid", "rsa-1"}});
  expect_refused(token, "not in the identity provider's key set");
}

TEST_F(IdTokenTest, RefusesAnotherIssuer) {
  auto c = claims();
  c["iss"] = "https://evil.example";
  expect_refused(testing::make_token(*rsa_, "RS256", c), "issued by \"https://evil.example\", but Tillit is configured for");
}

TEST_F(IdTokenTest, RefusesAnotherAudience) {
  auto c = claims();
  c["aud"] = "someone-else";
  expect_refused(testing::make_token(*rsa_, "RS256", c), "meant for \"someone-else\", not for Tillit's client id");
}

TEST_F(IdTokenTest, SeveralAudiencesNeedAzpEqualToTheClient) {
  auto c = claims();
  c["aud"] = json::array({kClient, "other-api"});
  expect_refused(testing::make_token(*rsa_, "RS256", c), "no authorized party (\"azp\")");
  c["azp"] = "other-api";
  expect_refused(testing::make_token(*rsa_, "RS256", c), "issued to another party");
  c["azp"] = kClient;
  EXPECT_TRUE(check(testing::make_token(*rsa_, "RS256", c)).ok());
}

TEST_F(IdTokenTest, RefusesAnExpiredTokenButToleratesSkew) {
  auto c = claims();
  c["exp"] = kNow - 30;  // within the 60 s tolerance
  EXPECT_TRUE(check(testing::make_token(*rsa_, "RS256", c)).ok());
  c["exp"] = kNow - 61;
  expect_refused(testing::make_token(*rsa_, "RS256", c), "the ID token expired at");
}

TEST_F(IdTokenTest, RefusesATokenNotYetValid) {
  auto c = claims();
  c["nbf"] = kNow + 30;
  EXPECT_TRUE(check(testing::make_token(*rsa_, "RS256", c)).ok());
  c["nbf"] = kNow + 120;
  expect_refused(testing::make_token(*rsa_, "RS256", c), "not valid before");
}

TEST_F(IdTokenTest, RefusesATokenIssuedInTheFuture) {
  auto c = claims();
  c["iat"] = kNow + 120;
  expect_refused(testing::make_token(*rsa_, "RS256", c), "issued at 2027-01-15T08:02:00.000Z, in the future");
}

TEST_F(IdTokenTest, RefusesMissingTimes) {
  auto c = claims();
  c.erase("exp");
  expect_refused(testing::make_token(*rsa_, "RS256", c), "no valid expiry time");
  c = claims();
  c["iat"] = "yesterday";
  expect_refused(testing::make_token(*rsa_, "RS256", c), "no valid issue time");
}

TEST_F(IdTokenTest, RefusesAnotherNonce) {
  auto c = claims();
  c["nonce"] = "replayed";
  expect_refused(testing::make_token(*rsa_, "RS256", c), "nonce does not match this sign-in");
  c.erase("nonce");
  expect_refused(testing::make_token(*rsa_, "RS256", c), "nonce does not match this sign-in");
}

TEST_F(IdTokenTest, RefusesAMissingAssuranceLevel) {
  auto c = claims();
  c.erase("acr");
  expect_refused(testing::make_token(*rsa_, "RS256", c), "did not state at which assurance level");
}

TEST_F(IdTokenTest, RefusesALowerAssuranceLevelWithAClearMessage) {
  auto c = claims();
  c["acr"] = "http://id.elegnamnden.se/loa/1.0/loa2";
  expect_refused(testing::make_token(*rsa_, "RS256", c),
                 "the identity provider authenticated you at assurance level "
                 "\"http://id.elegnamnden.se/loa/1.0/loa2\", but Tillit requires "
                 "\"http://id.elegnamnden.se/loa/1.0/loa3\"; sign in with an eID at LoA3");
}

TEST_F(IdTokenTest, RefusesAMissingSubject) {
  auto c = claims();
  c["sub"] = "";
  expect_refused(testing::make_token(*rsa_, "RS256", c), "no usable subject");
}

TEST_F(IdTokenTest, RefusesEncryptedTokensAndCriticalHeaders) {
  expect_refused("a.b.c.d.e", "encrypted (JWE)");
  expect_refused(testing::make_token(*rsa_, "RS256", claims(), {{"crit", json::array({"exp"})}}), "critical extensions");
  expect_refused(testing::make_token(*rsa_, "RS256", claims(), {{"typ", "at+jwt"}}), "not JWT");
}

TEST_F(IdTokenTest, RefusesDuplicateClaims) {
  // Hand-made payload: {"sub":"a","sub":"b"} is ambiguous, whatever the signature says.
  const std::string header = base64url_encode(R"({"alg":"RS256","kid":"rsa-1"})");
  const std::string payload = base64url_encode(R"({"sub":"a","sub":"b"})");
  const std::string input = header + "." + payload;
  expect_refused(input + "." + base64url_encode(rsa_->sign("RS256", input)), "names the same member twice");
}

TEST_F(IdTokenTest, WithoutKidOnlyAnUnambiguousKeyIsUsed) {
  const auto token = testing::make_token(*rsa_, "RS256", claims(), {{"kid", nullptr}});
  // make_token keeps an explicit null kid; strip it to get a header with no kid at all.
  auto header = json{{"alg", "RS256"}};
  const std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims().dump());
  const std::string no_kid = input + "." + base64url_encode(rsa_->sign("RS256", input));
  // The set holds one RSA key: accepted.
  EXPECT_TRUE(check(no_kid).ok());
  // Two RSA keys: ambiguous, refused.
  const TestKey second(TestKey::Kind::rsa, "rsa-2");
  const auto two = parse_jwks(testing::jwks_of({rsa_, &second}).dump());
  ASSERT_TRUE(two.ok());
  const auto r = validate_id_token(no_kid, *two, expect(), at(kNow));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("names no signing key"), std::string::npos) << r.error().message;
  // A kid that is not a string is refused outright.
  expect_refused(token, "key id (\"kid\") that is not a string");
}

TEST_F(IdTokenTest, RefusesDamagedEncoding) {
  const std::string good = testing::make_token(*rsa_, "RS256", claims());
  expect_refused(good + "=", "not valid base64url");
  expect_refused("." + good, "not a compact JWS");
  expect_refused("", "empty ID token");
  expect_refused(std::string(kMaxTokenBytes + 1, 'a'), "more than the");
}

}  // namespace
}  // namespace tillit::federation
