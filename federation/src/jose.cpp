#include "tillit/federation/jose.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "tillit/crypto/crypto.h"

namespace tillit::federation {

class VerificationKey {
 public:
  explicit VerificationKey(EVP_PKEY* pkey) : pkey_(pkey) {}
  ~VerificationKey() { EVP_PKEY_free(pkey_); }
  VerificationKey(const VerificationKey&) = delete;
  VerificationKey& operator=(const VerificationKey&) = delete;
  EVP_PKEY* get() const { return pkey_; }

 private:
  EVP_PKEY* pkey_;
};

namespace {

Error bad(std::string message) { return make_error(ErrorCode::unauthenticated, std::move(message)); }

// Owners for OpenSSL objects, so that every early return frees what was allocated.
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };
struct ParamBldFree { void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct EcdsaSigFree { void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); } };
using Bn = std::unique_ptr<BIGNUM, BnFree>;

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Builds a public EVP_PKEY of `type` ("RSA" or "EC") from OSSL parameters; null on failure.
EVP_PKEY* public_key_from(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  // fromdata takes the numbers as given; the public-key check rejects points off the curve and
  // malformed RSA moduli before the key is ever used.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

const std::string* string_member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// RSA public key from base64url n and e. Moduli from 2048 to 8192 bits (smaller ones are weak,
// larger ones only cost time); the exponent odd, at least 3, at most 32 bits.
EVP_PKEY* rsa_key(const nlohmann::json& jwk) {
  const auto* n_text = string_member(jwk, "n");
  const auto* e_text = string_member(jwk, "e");
  if (!n_text || !e_text) return nullptr;
  auto n_bytes = base64url_decode(*n_text), e_bytes = base64url_decode(*e_text);
  if (!n_bytes || !e_bytes || n_bytes->size() > 1025 || e_bytes->size() > 8) return nullptr;
  Bn n(BN_bin2bn(u8(*n_bytes), static_cast<int>(n_bytes->size()), nullptr));
  Bn e(BN_bin2bn(u8(*e_bytes), static_cast<int>(e_bytes->size()), nullptr));
  if (!n || !e) return nullptr;
  const int n_bits = BN_num_bits(n.get()), e_bits = BN_num_bits(e.get());
  if (n_bits < 2048 || n_bits > 8192 || e_bits < 2 || e_bits > 32 || !BN_is_odd(e.get()) || !BN_is_odd(n.get()))
    return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return nullptr;
  return public_key_from("RSA", bld.get());
}

// P-256 public key from base64url x and y, each exactly 32 bytes (RFC 7518 §6.2.1.2).
EVP_PKEY* ec_p256_key(const nlohmann::json& jwk) {
  const auto* crv = string_member(jwk, "crv");
  const auto* x_text = string_member(jwk, "x");
  const auto* y_text = string_member(jwk, "y");
  if (!crv || *crv != "P-256" || !x_text || !y_text) return nullptr;
  auto x = base64url_decode(*x_text), y = base64url_decode(*y_text);
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  const std::string point = std::string(1, '\x04') + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return nullptr;
  return public_key_from("EC", bld.get());
}

// A JWK Tillit may use to verify ID token signatures, or nothing.
std::optional<Jwk> usable_key(const nlohmann::json& entry) {
  if (!entry.is_object()) return std::nullopt;
  const auto* kty = string_member(entry, "kty");
  if (!kty) return std::nullopt;
  // A key published for encryption, or restricted to operations other than verify, is not for us.
  if (const auto use = entry.find("use"); use != entry.end() && (!use->is_string() || *use != "sig"))
    return std::nullopt;
  if (const auto ops = entry.find("key_ops"); ops != entry.end()) {
    if (!ops->is_array() || std::find(ops->begin(), ops->end(), "verify") == ops->end()) return std::nullopt;
  }
  // Private members in a public key set mean a broken provider; never load such a key.
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"})
    if (entry.contains(member)) return std::nullopt;
  Jwk jwk;
  if (const auto kid = entry.find("kid"); kid != entry.end()) {
    if (!kid->is_string() || kid->get_ref<const std::string&>().size() > 1024) return std::nullopt;
    jwk.kid = kid->get<std::string>();
  }
  if (const auto alg = entry.find("alg"); alg != entry.end()) {
    if (!alg->is_string()) return std::nullopt;
    jwk.alg = alg->get<std::string>();
  }
  EVP_PKEY* pkey = nullptr;
  if (*kty == "RSA") {
    if (!jwk.alg.empty() && jwk.alg != "RS256" && jwk.alg != "PS256") return std::nullopt;
    jwk.type = Jwk::Type::rsa;
    pkey = rsa_key(entry);
  } else if (*kty == "EC") {
    if (!jwk.alg.empty() && jwk.alg != "ES256") return std::nullopt;
    jwk.type = Jwk::Type::ec_p256;
    pkey = ec_p256_key(entry);
  }
  if (!pkey) return std::nullopt;
  jwk.key = std::make_shared<const VerificationKey>(pkey);
  return jwk;
}

// ES256 signatures are r || s, 32 bytes each (RFC 7518 §3.4); OpenSSL wants DER.
std::string ecdsa_der(std::string_view raw) {
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(u8(raw.substr(0, 32)), 32, nullptr);
  BIGNUM* s = BN_bin2bn(u8(raw.substr(32, 32)), 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return {};
  return der;
}

bool is_rsa(JwsAlgorithm alg) { return alg == JwsAlgorithm::rs256 || alg == JwsAlgorithm::ps256; }

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out = crypto::to_base64(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  const auto invalid = [] {
    return make_error(ErrorCode::invalid_argument, "text is not valid unpadded base64url");
  };
  if (text.size() % 4 == 1) return invalid();
  std::string standard;
  standard.reserve(text.size() + 2);
  for (const char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) standard += c;
    else if (c == '-') standard += '+';
    else if (c == '_') standard += '/';
    else return invalid();
  }
  while (standard.size() % 4) standard += '=';
  auto bytes = crypto::from_base64(standard);
  if (!bytes) return invalid();
  std::string out(crypto::as_chars(*bytes));
  // Re-encoding must give the input back: this refuses non-zero unused bits, so a token has
  // exactly one spelling.
  if (base64url_encode(out) != text) return invalid();
  return out;
}

Result<nlohmann::json> parse_json_object(std::string_view text, std::string_view what, std::size_t max_bytes) {
  const std::string name(what);
  if (text.size() > max_bytes)
    return bad(name + " is " + std::to_string(text.size()) + " bytes, more than the " + std::to_string(max_bytes) +
               " Tillit reads; the identity provider sent something unexpected");
  std::vector<std::set<std::string>> seen;  // member names of each open object
  bool duplicate = false;
  const nlohmann::json::parser_callback_t track = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& value) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      seen.emplace_back();
    } else if (event == E::object_end) {
      if (!seen.empty()) seen.pop_back();
    } else if (event == E::key && !seen.empty() && value.is_string()) {
      if (!seen.back().insert(value.get<std::string>()).second) duplicate = true;
    }
    return true;
  };
  auto json = nlohmann::json::parse(text.begin(), text.end(), track, /*allow_exceptions=*/false);
  if (json.is_discarded()) return bad(name + " is not valid JSON");
  if (!json.is_object()) return bad(name + " is JSON but not an object");
  if (duplicate) return bad(name + " names the same member twice, which Tillit refuses as ambiguous");
  return json;
}

const char* to_string(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::rs256: return "RS256";
    case JwsAlgorithm::ps256: return "PS256";
    case JwsAlgorithm::es256: return "ES256";
  }
  return "?";
}

Result<Jwks> parse_jwks(std::string_view json) {
  auto doc = parse_json_object(json, "the identity provider's key set (JWKS)", 512 * 1024);
  if (!doc) return doc.error();
  const auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->is_array())
    return bad("the identity provider's key set (JWKS) has no \"keys\" array; check the provider's jwks_uri");
  Jwks out;
  for (const auto& entry : *keys) {
    if (out.keys.size() >= 64) break;  // enough for any rotation; bounds the work per document
    if (auto jwk = usable_key(entry)) out.keys.push_back(std::move(*jwk));
  }
  if (out.keys.empty())
    return bad("the identity provider's key set (JWKS) holds no key Tillit can verify ID tokens with "
               "(RSA of at least 2048 bits or EC P-256, for signatures); configure the provider to sign "
               "ID tokens with RS256, PS256 or ES256");
  return out;
}

Result<Jws> parse_jws(std::string_view compact) {
  if (compact.empty()) return bad("the identity provider sent an empty ID token");
  if (compact.size() > kMaxTokenBytes)
    return bad("the ID token is " + std::to_string(compact.size()) + " bytes, more than the " +
               std::to_string(kMaxTokenBytes) + " Tillit reads");
  const auto dots = std::count(compact.begin(), compact.end(), '.');
  if (dots == 4)
    return bad("the ID token is encrypted (JWE); Tillit expects a signed ID token, so turn off ID token "
               "encryption for this client at the identity provider");
  if (dots != 2) return bad("the ID token is not a compact JWS (three base64url parts separated by dots)");
  const auto first = compact.find('.'), second = compact.find('.', first + 1);
  const auto header_text = base64url_decode(compact.substr(0, first));
  const auto payload_text = base64url_decode(compact.substr(first + 1, second - first - 1));
  const auto signature = base64url_decode(compact.substr(second + 1));
  if (!header_text || !payload_text || !signature)
    return bad("the ID token has a part that is not valid base64url; it was damaged on the way");

  Jws jws;
  auto header = parse_json_object(*header_text, "the ID token header");
  if (!header) return header.error();
  jws.header = std::move(*header);
  const auto* alg = string_member(jws.header, "alg");
  if (!alg) return bad("the ID token header names no signature algorithm (\"alg\")");
  if (*alg == "RS256") jws.alg = JwsAlgorithm::rs256;
  else if (*alg == "PS256") jws.alg = JwsAlgorithm::ps256;
  else if (*alg == "ES256") jws.alg = JwsAlgorithm::es256;
  else if (*alg == "none")
    return bad("the ID token is not signed (alg \"none\"); Tillit accepts only RS256, PS256 and ES256 "
               "signatures. Configure the identity provider to sign ID tokens for this client");
  else if (alg->size() >= 2 && alg->compare(0, 2, "HS") == 0)
    return bad("the ID token is signed with the shared-secret algorithm \"" + alg->substr(0, 16) +
               "\", which Tillit refuses (only RS256, PS256, ES256 are accepted); configure the identity "
               "provider to sign ID tokens for this client with one of those");
  else
    return bad("the ID token is signed with algorithm \"" + alg->substr(0, 32) +
               "\", which Tillit does not accept (only RS256, PS256, ES256); configure the identity provider "
               "to use one of those for this client");
  if (jws.header.contains("crit"))
    return bad("the ID token header has critical extensions (\"crit\") that Tillit does not understand");
  if (const auto typ = jws.header.find("typ"); typ != jws.header.end()) {
    std::string t = typ->is_string() ? typ->get<std::string>() : std::string("?");
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (t != "jwt" && t != "application/jwt")
      return bad("the token's type (\"typ\") is not JWT, so it is not an ID token");
  }
  if (const auto kid = jws.header.find("kid"); kid != jws.header.end()) {
    if (!kid->is_string()) return bad("the ID token header has a key id (\"kid\") that is not a string");
    jws.kid = kid->get<std::string>();
  }
  auto payload = parse_json_object(*payload_text, "the ID token payload");
  if (!payload) return payload.error();
  jws.payload = std::move(*payload);
  jws.signing_input = std::string(compact.substr(0, second));
  jws.signature = std::move(*signature);
  return jws;
}

std::vector<const Jwk*> candidate_keys(const Jwks& jwks, const Jws& jws) {
  const auto type = is_rsa(jws.alg) ? Jwk::Type::rsa : Jwk::Type::ec_p256;
  std::vector<const Jwk*> out;
  for (const auto& key : jwks.keys) {
    if (key.type != type || (!key.alg.empty() && key.alg != to_string(jws.alg))) continue;
    if (!jws.kid.empty() && key.kid != jws.kid) continue;
    out.push_back(&key);
  }
  // Without a kid the key must be unambiguous (OpenID Connect Core §10.1).
  if (jws.kid.empty() && out.size() > 1) out.clear();
  return out;
}

bool verify_signature(const Jws& jws, const Jwk& key) {
  if (!key.key || (key.type == Jwk::Type::rsa) != is_rsa(jws.alg)) return false;
  std::string der;
  std::string_view signature = jws.signature;
  if (jws.alg == JwsAlgorithm::es256) {
    if (signature.size() != 64) return false;
    der = ecdsa_der(signature);
    if (der.empty()) return false;
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md
  if (!md || EVP_DigestVerifyInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, key.key->get(), nullptr) != 1) {
    ERR_clear_error();
    return false;
  }
  if (jws.alg == JwsAlgorithm::ps256 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", nullptr) != 1)) {
    ERR_clear_error();
    return false;
  }
  if (jws.alg == JwsAlgorithm::rs256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    ERR_clear_error();
    return false;
  }
  const bool ok = EVP_DigestVerify(md.get(), u8(signature), signature.size(), u8(jws.signing_input),
                                   jws.signing_input.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace tillit::federation
