#include "tillit/crypto/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>

namespace tillit::crypto {
namespace {

// A failing primitive (RNG exhausted, allocation) is not an expected condition: continuing
// without it could silently weaken protection, so it is a hard error.
[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("crypto failure: ") + what); }

void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) fail("libsodium initialisation");
}

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(BIO* b) const { BIO_free(b); }
};
template <typename T>
using Owned = std::unique_ptr<T, CtxFree>;

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

}  // namespace

SecretBytes::~SecretBytes() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

Bytes random_bytes(std::size_t count) {
  Bytes out(count);
  if (count && RAND_bytes(out.data(), static_cast<int>(count)) != 1) fail("RAND_bytes");
  return out;
}

SecretBytes random_key(std::size_t count) { return SecretBytes(random_bytes(count)); }

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string to_hex(const Digest& d) { return to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())); }

Result<Bytes> from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return make_error(ErrorCode::invalid_argument, "hex text has an odd number of digits");
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return make_error(ErrorCode::invalid_argument, "hex text contains a non-hex character");
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string to_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), u8(bytes), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<Bytes> from_base64(std::string_view text) {
  const auto invalid = [] { return make_error(ErrorCode::invalid_argument, "text is not valid base64"); };
  if (text.size() % 4) return make_error(ErrorCode::invalid_argument, "base64 text has a length that is not a multiple of 4");
  // Padding: at most two '=', and only at the very end.
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  if (padding > 2 || text.substr(0, text.size() - padding).find('=') != std::string_view::npos) return invalid();
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), u8(text), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) return invalid();
  // EVP_DecodeBlock keeps the padding's zero bytes; drop one per '='.
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

Digest sha256(std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr) != 1) fail("SHA-256");
  return d;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) fail("SHA-256 init");
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) fail("SHA-256 update");
}
Digest Sha256::finish() {
  Digest d{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), d.data(), &len) != 1) fail("SHA-256 final");
  return d;
}

Digest hmac_sha256(const SecretBytes& key, std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), u8(data), data.size(), d.data(), &len))
    fail("HMAC-SHA-256");
  return d;
}

SecretBytes hkdf_sha256(const SecretBytes& input_key, std::string_view info, std::size_t length) {
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  Bytes out(length);
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), input_key.data(), static_cast<int>(input_key.size())) <= 0 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), u8(info), static_cast<int>(info.size())) <= 0 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &length) <= 0)
    fail("HKDF");
  return SecretBytes(std::move(out));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Bytes aes256gcm_seal(const SecretBytes& key, std::string_view plaintext, std::string_view associated) {
  if (key.size() != 32) fail("AES-256-GCM needs a 32-byte key");
  Bytes out = random_bytes(kNonceSize);
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  Owned<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()) != 1 ||
      (!associated.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(associated), static_cast<int>(associated.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonceSize, &len, u8(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceSize + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + kNonceSize + plaintext.size()) != 1)
    fail("AES-256-GCM encrypt");
  return out;
}

Result<SecretBytes> aes256gcm_open(const SecretBytes& key, std::string_view sealed, std::string_view associated) {
  if (key.size() != 32) fail("AES-256-GCM needs a 32-byte key");
  if (sealed.size() < kNonceSize + kTagSize)
    return make_error(ErrorCode::integrity, "encrypted data is too short to be valid");
  const std::size_t text_size = sealed.size() - kNonceSize - kTagSize;
  Bytes out(text_size);
  Owned<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string tag(sealed.substr(kNonceSize + text_size));
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), u8(sealed)) != 1 ||
      (!associated.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(associated), static_cast<int>(associated.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), out.data(), &len, u8(sealed.substr(kNonceSize)), static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1)
    fail("AES-256-GCM decrypt");
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return make_error(ErrorCode::integrity, "encrypted data failed authentication: wrong key or tampered data");
  }
  return SecretBytes(std::move(out));
}

SigningKey signing_key_from_seed(const SecretBytes& seed) {
  if (seed.size() != 32) fail("Ed25519 seed must be 32 bytes");
  Owned<EVP_PKEY> pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  Bytes pub(32);
  std::size_t len = pub.size();
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1) fail("Ed25519 key");
  return SigningKey{seed, std::move(pub)};
}

Bytes ed25519_sign(const SigningKey& key, std::string_view message) {
  Owned<EVP_PKEY> pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, key.seed.data(), key.seed.size()));
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  Bytes sig(64);
  std::size_t len = sig.size();
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, u8(message), message.size()) != 1)
    fail("Ed25519 sign");
  return sig;
}

bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  Owned<EVP_PKEY> pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, u8(public_key), public_key.size()));
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  return pkey && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), u8(signature), signature.size(), u8(message), message.size()) == 1;
}

std::string ed25519_public_key_pem(std::string_view public_key) {
  Owned<EVP_PKEY> pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, u8(public_key), public_key.size()));
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!pkey || !bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) fail("Ed25519 public key PEM");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<Bytes> ed25519_public_key_from_pem(std::string_view pem) {
  Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Owned<EVP_PKEY> pkey(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  Bytes pub(32);
  std::size_t len = pub.size();
  if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519 ||
      EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != 32)
    return make_error(ErrorCode::invalid_argument, "not an Ed25519 public key in PEM form");
  return pub;
}

std::string key_fingerprint(std::string_view public_key) { return "SHA256:" + to_hex(sha256(public_key)); }

std::string hash_secret(std::string_view secret, const Argon2Params& params) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), params.ops_limit, params.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    fail("Argon2id (out of memory?)");
  return out;
}

bool verify_secret(std::string_view encoded_hash, std::string_view secret) {
  ensure_sodium();
  const std::string encoded(encoded_hash);
  if (encoded.rfind("$argon2id$", 0) != 0) return false;  // only Argon2id hashes are accepted
  return crypto_pwhash_str_verify(encoded.c_str(), secret.data(), secret.size()) == 0;
}

bool hash_needs_rehash(std::string_view encoded_hash, const Argon2Params& params) {
  ensure_sodium();
  const std::string encoded(encoded_hash);
  return crypto_pwhash_str_needs_rehash(encoded.c_str(), params.ops_limit, params.mem_limit) != 0;
}

}  // namespace tillit::crypto
