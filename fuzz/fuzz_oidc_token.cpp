// fuzz_oidc_token: what federated sign-in reads from an identity provider — JWK Sets
// (federation::parse_jwks), compact ID tokens (parse_jws, validate_id_token) and discovery
// documents (parse_provider_metadata).
//
// The input is up to five sections separated by a line "--":
//   0  a JWK Set document
//   1  a compact token
//   2  a JWS header (JSON text) and
//   3  a JWS payload (JSON text), re-signed: base64url(2) "." base64url(3) signed with the
//      fixed ES256 key below, so mutations of the claims get past the signature check (the
//      fuzzer cannot forge ECDSA) and reach every claim rule
//   4  a discovery document
// Seeds (corpus/fuzz_oidc_token/) were made with the same fixed key; see the end of this file.
//
// Invariants: nothing throws; every refusal of a token is ErrorCode::unauthenticated with a
// message; a token never validates against an empty key set or against a key set without its
// signer (the same kid, another key); a token that validates was verified by a key the set
// really holds and satisfies every expectation (issuer, audience, nonce, acr, sub, exp, iat);
// a parsed JWK Set holds 1 to 64 keys; accepted metadata names the expected issuer and https
// endpoints.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tillit/federation/id_token.h"
#include "tillit/federation/jose.h"
#include "tillit/federation/provider_metadata.h"

namespace {

using namespace tillit;
using namespace tillit::federation;

// Test material, not a secret: the fixed key the seeds are signed with.
constexpr const char* kFixedKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgIu1ZkkpJ63IWc1Ty\n"
    "7QgLdrkNU7ybP/7cf/SoVqFQrMyhRANCAATbdiBy0VityYXyXnRjw3poZPdBw4Og\n"
    "yncVEeN0ZjnMPx7wYkBSfzqi4sSTifP7wWmahrIyfZWHgvY9EJ+cuQvs\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kKid = "fuzz-ec";
constexpr const char* kIssuer = "https://idp.example.se";
constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z; seeds are valid then

std::string coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(32, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_free(bn);
  return out;
}

std::string jwk_set(EVP_PKEY* key) {
  return std::string(R"({"keys":[{"kty":"EC","crv":"P-256","use":"sig","kid":")") + kKid + R"(","x":")" +
         base64url_encode(coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X)) + R"(","y":")" +
         base64url_encode(coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y)) + R"("}]})";
}

struct Fixture {
  EVP_PKEY* signer = nullptr;
  Jwks keys;        // the signer's public key
  Jwks impostor;    // another key under the same kid
  IdTokenExpectations expect{kIssuer, "tillit", "fuzz-nonce", std::string(kLoa3), std::chrono::seconds(60)};

  Fixture() {
    BIO* bio = BIO_new_mem_buf(kFixedKeyPem, -1);
    signer = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_PKEY* other = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    auto mine = parse_jwks(jwk_set(signer));
    auto theirs = parse_jwks(jwk_set(other));
    EVP_PKEY_free(other);
    FUZZ_CHECK(signer && mine.ok() && theirs.ok());
    keys = *mine;
    impostor = *theirs;
  }

  // ES256 over `input`, as JOSE's raw r || s.
  std::string sign(const std::string& input) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSignInit_ex(md, nullptr, "SHA256", nullptr, nullptr, signer, nullptr);
    EVP_DigestSign(md, nullptr, &len, in, input.size());
    std::string der(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(der.data()), &len, in, input.size());
    EVP_MD_CTX_free(md);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

Timestamp now() { return Timestamp(std::chrono::seconds(kNow)); }

std::vector<std::string_view> sections(std::string_view input) {
  std::vector<std::string_view> out;
  while (out.size() < 4) {
    const auto cut = input.find("\n--\n");
    if (cut == std::string_view::npos) break;
    out.push_back(input.substr(0, cut));
    input.remove_prefix(cut + 4);
  }
  out.push_back(input);
  out.resize(5);
  return out;
}

void check_refusal(const Error& e, const char* what) {
  FUZZ_CHECK_MSG(e.code == ErrorCode::unauthenticated, std::string(what) + ": " + fuzz::show(e.message));
  FUZZ_CHECK_MSG(!e.message.empty(), what);
}

// What every accepted token must satisfy, checked here independently of validate_id_token.
void check_accepted(const IdTokenClaims& c, const Jws& jws, const Jwks& keys, const IdTokenExpectations& expect) {
  FUZZ_CHECK(!candidate_keys(keys, jws).empty());
  bool verified = false;
  for (const Jwk* k : candidate_keys(keys, jws)) verified = verified || verify_signature(jws, *k);
  FUZZ_CHECK(verified);
  FUZZ_CHECK_MSG(c.issuer == expect.issuer, fuzz::show(c.issuer));
  FUZZ_CHECK(std::find(c.audience.begin(), c.audience.end(), expect.client_id) != c.audience.end());
  FUZZ_CHECK_MSG(c.acr == expect.required_acr, fuzz::show(c.acr));
  FUZZ_CHECK(!c.subject.empty());
  FUZZ_CHECK(c.expires_at + expect.clock_skew.count() > kNow);
  FUZZ_CHECK(c.issued_at <= kNow + expect.clock_skew.count());
  const auto nonce = c.payload.find("nonce");
  FUZZ_CHECK(nonce != c.payload.end() && nonce->is_string() && *nonce == expect.nonce);
  const auto& p = jws.payload;
  const auto sub = p.find("sub");
  FUZZ_CHECK(sub != p.end() && *sub == c.subject);
}

// Validates `token` against the fixed key, the impostor key and no key at all.
void check_token(std::string_view token) {
  const auto& f = fixture();
  const auto jws = parse_jws(token);
  auto r = validate_id_token(token, f.keys, f.expect, now());
  if (!jws) {
    check_refusal(jws.error(), "parse_jws");
    FUZZ_CHECK_MSG(!r.ok(), "validated a token parse_jws refuses");
    return;
  }
  if (r) check_accepted(*r, *jws, f.keys, f.expect);
  else check_refusal(r.error(), "validate_id_token");

  const auto none = validate_id_token(*jws, Jwks{}, f.expect, now());
  FUZZ_CHECK_MSG(!none.ok(), "validated a token with no keys at all");
  check_refusal(none.error(), "no keys");
  const auto impostor = validate_id_token(*jws, f.impostor, f.expect, now());
  FUZZ_CHECK_MSG(!impostor.ok(), "validated a token with a key that did not sign it");
  check_refusal(impostor.error(), "impostor key");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto& f = fixture();
  const auto part = sections(fuzz::as_text(data, size));

  // 0: a JWK Set, and the token of section 1 against it.
  const auto jwks = parse_jwks(part[0]);
  if (jwks) {
    FUZZ_CHECK(!jwks->keys.empty() && jwks->keys.size() <= 64);
    for (const auto& k : jwks->keys) FUZZ_CHECK(k.key != nullptr);
    if (const auto jws = parse_jws(part[1])) {
      if (auto r = validate_id_token(*jws, *jwks, f.expect, now())) check_accepted(*r, *jws, *jwks, f.expect);
      else check_refusal(r.error(), "validate_id_token (fuzzed keys)");
    }
  } else {
    check_refusal(jwks.error(), "parse_jwks");
  }

  // 1: a token as received.
  check_token(part[1]);

  // 2 + 3: header and payload, freshly signed with the fixed key; and once more with one
  // signature bit flipped, which must never validate.
  if (!part[2].empty() || !part[3].empty()) {
    const std::string input = base64url_encode(part[2]) + "." + base64url_encode(part[3]);
    std::string signature = f.sign(input);
    check_token(input + "." + base64url_encode(signature));
    signature[static_cast<std::size_t>(size) % signature.size()] ^= 0x01;
    const std::string flipped = input + "." + base64url_encode(signature);
    FUZZ_CHECK_MSG(!validate_id_token(flipped, f.keys, f.expect, now()).ok(), "validated a damaged signature");
  }

  // 4: a discovery document.
  if (const auto meta = parse_provider_metadata(part[4], kIssuer)) {
    FUZZ_CHECK(meta->issuer == kIssuer);
    FUZZ_CHECK(is_https_url(meta->authorization_endpoint) && is_https_url(meta->token_endpoint) &&
               is_https_url(meta->jwks_uri));
  } else {
    FUZZ_CHECK(meta.error().code == ErrorCode::unavailable && !meta.error().message.empty());
  }

  // base64url: decoding is the exact inverse of encoding.
  const std::string_view whole = fuzz::as_text(data, size);
  if (const auto decoded = base64url_decode(whole)) FUZZ_CHECK(base64url_encode(*decoded) == whole);
  const auto round = base64url_decode(base64url_encode(whole));
  FUZZ_CHECK(round.ok() && *round == whole);
  return 0;
}

// Seeds: each seed is the five sections above. "valid" holds the fixed key's JWK Set, a token
// signed with it whose claims meet the expectations at kNow (iss https://idp.example.se, aud
// tillit, nonce fuzz-nonce, acr LoA3, exp 1800000300, iat 1799999990), the same header and
// payload as JSON, and a good discovery document. The near-valid seeds break one rule each
// (acr loa2, another issuer, expired, alg none, HS256, a JWE, duplicate claims). They were
// written by a throwaway script that signs with the PEM key above.
