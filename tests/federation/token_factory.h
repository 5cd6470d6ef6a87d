// Test keys and tokens for the federation tests: fresh RSA and P-256 key pairs made with OpenSSL,
// their public JWKs, and compact JWS tokens signed with them (or forged: alg "none", HS256).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace tillit::federation::testing {

class TestKey {
 public:
  enum class Kind { rsa, ec_p256 };
  // A new key pair; RSA keys are 2048 bits unless `rsa_bits` says otherwise.
  TestKey(Kind kind, std::string kid, int rsa_bits = 2048);
  ~TestKey();
  TestKey(const TestKey&) = delete;
  TestKey& operator=(const TestKey&) = delete;

  const std::string& kid() const { return kid_; }
  // The public key as a JWK (kty, kid, use "sig", n/e or crv/x/y).
  nlohmann::json public_jwk() const;
  // The public key as PEM (SubjectPublicKeyInfo), the "secret" of the HS256 confusion attack.
  std::string public_pem() const;
  // Signs `signing_input` with RS256, PS256 (RSA keys) or ES256 (EC keys; raw r||s).
  std::string sign(const std::string& alg, const std::string& signing_input) const;

 private:
  Kind kind_;
  std::string kid_;
  void* pkey_;  // EVP_PKEY
};

nlohmann::json jwks_of(std::initializer_list<const TestKey*> keys);

// header.payload.signature with `alg` in the header (and the key's kid unless the header says).
std::string make_token(const TestKey& key, const std::string& alg, nlohmann::json payload,
                       nlohmann::json header = nlohmann::json::object());
// An unsigned token (alg "none", empty signature).
std::string make_unsigned_token(const nlohmann::json& payload);
// HS256 keyed with `secret`: what an attacker makes with the provider's public key as the secret.
std::string make_hs256_token(const std::string& secret, const nlohmann::json& payload, const std::string& kid);

}  // namespace tillit::federation::testing
