#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tillit/crypto/certificate.h"
#include "tillit/crypto/crypto.h"
#include "tillit/crypto/key_file.h"

using namespace tillit;
using namespace tillit::crypto;

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  const SecretBytes key(Bytes{'J', 'e', 'f', 'e'});
  EXPECT_EQ(to_hex(hmac_sha256(key, "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, IncrementalSha256EqualsOneShot) {
  Sha256 h;
  h.update("a");
  h.update("bc");
  EXPECT_EQ(to_hex(h.finish()), to_hex(sha256("abc")));
}

TEST(Crypto, HexAndBase64RoundTrip) {
  const std::string data("\x00\x01\xfe\xffhello", 9);
  EXPECT_EQ(as_chars(from_hex(to_hex(data)).value()), data);
  for (std::size_t n = 0; n < data.size(); ++n) {
    const auto prefix = data.substr(0, n);
    EXPECT_EQ(as_chars(from_base64(to_base64(prefix)).value()), prefix) << n;
  }
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_FALSE(from_base64("abc"));
}

TEST(Crypto, HkdfSeparatesPurposes) {
  const auto master = random_key();
  const auto a = hkdf_sha256(master, "purpose a");
  const auto b = hkdf_sha256(master, "purpose b");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a.view(), b.view());
  EXPECT_EQ(a.view(), hkdf_sha256(master, "purpose a").view());
}

TEST(Crypto, AesGcmRoundTripsAndDetectsTampering) {
  const auto key = random_key();
  const auto sealed = aes256gcm_seal(key, "secret evidence", "record 7");
  EXPECT_EQ(sealed.size(), 12 + 15 + 16u);
  auto opened = aes256gcm_open(key, as_chars(sealed), "record 7");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->view(), "secret evidence");

  auto flipped = sealed;
  flipped[14] ^= 1;
  EXPECT_EQ(aes256gcm_open(key, as_chars(flipped), "record 7").error().code, ErrorCode::integrity);
  EXPECT_FALSE(aes256gcm_open(key, as_chars(sealed), "record 8"));       // other context
  EXPECT_FALSE(aes256gcm_open(random_key(), as_chars(sealed), "record 7"));  // other key
  EXPECT_FALSE(aes256gcm_open(key, "short", ""));
  // Two seals of the same text differ: the nonce is fresh each time.
  EXPECT_NE(aes256gcm_seal(key, "x"), aes256gcm_seal(key, "x"));
}

TEST(Crypto, Ed25519SignsVerifiesAndRejectsChanges) {
  const auto key = signing_key_from_seed(random_key());
  const auto sig = ed25519_sign(key, "message");
  EXPECT_TRUE(ed25519_verify(as_chars(key.public_key), "message", as_chars(sig)));
  EXPECT_FALSE(ed25519_verify(as_chars(key.public_key), "massage", as_chars(sig)));
  const auto other = signing_key_from_seed(random_key());
  EXPECT_FALSE(ed25519_verify(as_chars(other.public_key), "message", as_chars(sig)));
  EXPECT_FALSE(ed25519_verify("short", "message", as_chars(sig)));
}

TEST(Crypto, Ed25519PublicKeyPemRoundTrips) {
  const auto key = signing_key_from_seed(random_key());
  const auto pem = ed25519_public_key_pem(as_chars(key.public_key));
  EXPECT_NE(pem.find("BEGIN PUBLIC KEY"), std::string::npos);
  EXPECT_EQ(ed25519_public_key_from_pem(pem).value(), key.public_key);
  EXPECT_FALSE(ed25519_public_key_from_pem("not a key"));
  EXPECT_EQ(key_fingerprint(as_chars(key.public_key)).rfind("SHA256:", 0), 0u);
}

TEST(Crypto, Argon2idHashesVerifyAndAreSalted) {
  const Argon2Params fast{2, 19 * 1024 * 1024};
  const auto h1 = hash_secret("correct horse battery staple", fast);
  const auto h2 = hash_secret("correct horse battery staple", fast);
  EXPECT_EQ(h1.rfind("$argon2id$", 0), 0u);
  EXPECT_NE(h1, h2);
  EXPECT_TRUE(verify_secret(h1, "correct horse battery staple"));
  EXPECT_FALSE(verify_secret(h1, "correct horse battery stapler"));
  EXPECT_FALSE(verify_secret("plaintext", "plaintext"));
  EXPECT_TRUE(hash_needs_rehash(h1, Argon2Params{3, 64 * 1024 * 1024}));
  EXPECT_FALSE(hash_needs_rehash(h1, fast));
}

TEST(Crypto, SelfSignedCertificateIsPem) {
  const auto c = generate_self_signed_certificate({"localhost"}, {"127.0.0.1"}, 30);
  EXPECT_NE(c.certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(c.private_key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tillit-keyfile-" + to_hex(as_chars(random_bytes(6))));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, MasterKeyIsCreatedPrivateAndLoads) {
  const auto path = dir_ / "master.key";
  ASSERT_TRUE(create_master_key_file(path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = load_master_key_file(path);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 32u);
  EXPECT_FALSE(create_master_key_file(path));  // never overwrites a key
}

TEST_F(KeyFileTest, RefusesKeyReadableByOthers) {
  const auto path = dir_ / "master.key";
  ASSERT_TRUE(create_master_key_file(path));
  ::chmod(path.c_str(), 0644);
  auto key = load_master_key_file(path);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::forbidden);
  EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(KeyFileTest, RejectsCorruptKey) {
  const auto path = dir_ / "master.key";
  ASSERT_TRUE(write_private_file(path, "# header\nnot-base64!\n"));
  EXPECT_EQ(load_master_key_file(path).error().code, ErrorCode::integrity);
}

TEST(Crypto, Base64RejectsMisplacedOrExcessPadding) {
  for (const char* bad : {"====", "A===", "AA=A", "=AAA", "AAAA====", "AA==AAAA"}) {
    auto r = from_base64(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(as_chars(from_base64("YQ==").value()), "a");
  EXPECT_EQ(as_chars(from_base64("YWI=").value()), "ab");
}
