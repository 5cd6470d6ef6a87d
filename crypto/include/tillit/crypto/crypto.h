// Thin wrappers over OpenSSL 3 and libsodium (liboath for TOTP: totp.h) for the primitives
// Tillit uses: SHA-256, HMAC-SHA-256, HKDF, AES-256-GCM, Ed25519, Argon2id and the system RNG. Nothing here is
// home-grown cryptography; the wrappers fix algorithms and parameters in one place so no
// caller can pick a weak one. All functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"

namespace tillit::crypto {

using Bytes = std::vector<std::uint8_t>;
using Digest = std::array<std::uint8_t, 32>;

// Key material that is wiped from memory when it goes out of scope.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(Bytes bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  ~SecretBytes();

  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()}; }

 private:
  Bytes bytes_;
};

Bytes random_bytes(std::size_t count);
SecretBytes random_key(std::size_t count = 32);

std::string to_hex(std::string_view bytes);
std::string to_hex(const Digest& d);
Result<Bytes> from_hex(std::string_view hex);
std::string to_base64(std::string_view bytes);
Result<Bytes> from_base64(std::string_view text);
inline std::string_view as_chars(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

Digest sha256(std::string_view data);
// Incremental SHA-256 for data that arrives in pieces (exports, uploads).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  Digest finish();

 private:
  void* ctx_;
};
Digest hmac_sha256(const SecretBytes& key, std::string_view data);
// HKDF-SHA-256 (RFC 5869): derives a purpose-bound key so one master key never serves two uses.
SecretBytes hkdf_sha256(const SecretBytes& input_key, std::string_view info, std::size_t length = 32);

bool constant_time_equal(std::string_view a, std::string_view b);

// AES-256-GCM with a random 96-bit nonce. Output layout: nonce(12) || ciphertext || tag(16).
// `associated` binds the ciphertext to its context (record id, purpose) without encrypting it.
Bytes aes256gcm_seal(const SecretBytes& key, std::string_view plaintext, std::string_view associated = {});
Result<SecretBytes> aes256gcm_open(const SecretBytes& key, std::string_view sealed, std::string_view associated = {});

// Ed25519 signatures. The private key is the 32-byte seed.
struct SigningKey {
  SecretBytes seed;
  Bytes public_key;  // 32 bytes
};
SigningKey signing_key_from_seed(const SecretBytes& seed);
Bytes ed25519_sign(const SigningKey& key, std::string_view message);
bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature);
// The public key as PEM (SubjectPublicKeyInfo) for export, and back.
std::string ed25519_public_key_pem(std::string_view public_key);
Result<Bytes> ed25519_public_key_from_pem(std::string_view pem);
// Fingerprint shown to people and compared out of band: "SHA256:" + hex of SHA-256(raw key).
std::string key_fingerprint(std::string_view public_key);

// Argon2id password and code hashing (libsodium), encoded with its parameters so that they
// can be raised later. Defaults meet OWASP's minimum (m=19 MiB, t=2, p=1) with margin.
struct Argon2Params {
  unsigned long long ops_limit = 3;
  std::size_t mem_limit = 64 * 1024 * 1024;
};
std::string hash_secret(std::string_view secret, const Argon2Params& params = {});
bool verify_secret(std::string_view encoded_hash, std::string_view secret);
bool hash_needs_rehash(std::string_view encoded_hash, const Argon2Params& params = {});

}  // namespace tillit::crypto
