#include "token_factory.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <vector>

#include "tillit/federation/jose.h"

namespace tillit::federation::testing {
namespace {

EVP_PKEY* key_of(void* p) { return static_cast<EVP_PKEY*>(p); }

std::string bn_bytes(const EVP_PKEY* pkey, const char* name, int width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) throw std::runtime_error(std::string("no key parameter ") + name);
  const int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  BN_free(bn);
  return out;
}

std::string b64u(const std::string& bytes) { return base64url_encode(bytes); }

}  // namespace

TestKey::TestKey(Kind kind, std::string kid, int rsa_bits) : kind_(kind), kid_(std::move(kid)) {
  pkey_ = kind == Kind::rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                            : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!pkey_) throw std::runtime_error("key generation failed");
}

TestKey::~TestKey() { EVP_PKEY_free(key_of(pkey_)); }

nlohmann::json TestKey::public_jwk() const {
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}};
  if (kind_ == Kind::rsa) {
    jwk["kty"] = "RSA";
    jwk["n"] = b64u(bn_bytes(key_of(pkey_), OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = b64u(bn_bytes(key_of(pkey_), OSSL_PKEY_PARAM_RSA_E));
  } else {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = b64u(bn_bytes(key_of(pkey_), OSSL_PKEY_PARAM_EC_PUB_X, 32));
    jwk["y"] = b64u(bn_bytes(key_of(pkey_), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  }
  return jwk;
}

std::string TestKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_of(pkey_));
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

std::string TestKey::sign(const std::string& alg, const std::string& signing_input) const {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit_ex(md, &pctx, "SHA256", nullptr, nullptr, key_of(pkey_), nullptr) != 1)
    throw std::runtime_error("sign init failed");
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  EVP_DigestSign(md, nullptr, &len, in, signing_input.size());
  std::string sig(len, '\0');
  if (EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len, in, signing_input.size()) != 1)
    throw std::runtime_error("signing failed");
  sig.resize(len);
  EVP_MD_CTX_free(md);
  if (kind_ == Kind::ec_p256) {
    // DER ECDSA-Sig-Value to JOSE's fixed-width r || s.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    return raw;
  }
  return sig;
}

nlohmann::json jwks_of(std::initializer_list<const TestKey*> keys) {
  nlohmann::json set = {{"keys", nlohmann::json::array()}};
  for (const auto* k : keys) set["keys"].push_back(k->public_jwk());
  return set;
}

std::string make_token(const TestKey& key, const std::string& alg, nlohmann::json payload, nlohmann::json header) {
  if (!header.contains("alg")) header["alg"] = alg;
  if (!header.contains("kid")) header["kid"] = key.kid();
  const std::string input = b64u(header.dump()) + "." + b64u(payload.dump());
  return input + "." + b64u(key.sign(alg, input));
}

std::string make_unsigned_token(const nlohmann::json& payload) {
  return b64u(nlohmann::json{{"alg", "none"}}.dump()) + "." + b64u(payload.dump()) + ".";
}

std::string make_hs256_token(const std::string& secret, const nlohmann::json& payload, const std::string& kid) {
  const std::string input = b64u(nlohmann::json{{"alg", "HS256"}, {"kid", kid}}.dump()) + "." + b64u(payload.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &len);
  return input + "." + b64u(std::string(reinterpret_cast<char*>(mac), len));
}

}  // namespace tillit::federation::testing
