// TOTP (RFC 6238), base32 (RFC 4648), the otpauth:// URI and recovery codes.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <set>

#include "tillit/crypto/totp.h"

using namespace tillit;
using namespace tillit::crypto;

namespace {

// The SHA-1 key of RFC 6238, Appendix B.
SecretBytes rfc6238_secret() {
  const std::string ascii = "12345678901234567890";
  return SecretBytes(Bytes(ascii.begin(), ascii.end()));
}

Timestamp unix_time(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

}  // namespace

TEST(Totp, MatchesRfc6238Sha1Vectors) {
  const struct {
    std::int64_t time;
    const char* code;
  } vectors[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                 {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& v : vectors) {
    EXPECT_EQ(totp_code(rfc6238_secret(), unix_time(v.time), 8), v.code) << v.time;
    EXPECT_TRUE(verify_totp(rfc6238_secret(), v.code, unix_time(v.time), std::nullopt, 8)) << v.time;
  }
}

TEST(Totp, SixDigitCodesAreTheLastSixOfTheRfcCodes) {
  EXPECT_EQ(totp_code(rfc6238_secret(), unix_time(59)), "287082");
  EXPECT_EQ(totp_code(rfc6238_secret(), unix_time(1111111109)), "081804");
}

TEST(Totp, AcceptsOneStepOfDriftEitherWay) {
  const auto secret = rfc6238_secret();
  const auto now = unix_time(1111111111);
  const std::uint64_t step = 1111111111 / 30;
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now), now, std::nullopt), step);
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now - std::chrono::seconds(30)), now, std::nullopt), step - 1);
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now + std::chrono::seconds(30)), now, std::nullopt), step + 1);
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now - std::chrono::seconds(60)), now, std::nullopt));
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now + std::chrono::seconds(60)), now, std::nullopt));
}

TEST(Totp, RefusesReplayedCodes) {
  const auto secret = rfc6238_secret();
  const auto now = unix_time(1111111111);
  const auto code = totp_code(secret, now);
  const auto used = verify_totp(secret, code, now, std::nullopt);
  ASSERT_TRUE(used);
  EXPECT_FALSE(verify_totp(secret, code, now, used)) << "the same code twice";
  EXPECT_FALSE(verify_totp(secret, code, now + std::chrono::seconds(20), used)) << "still inside the window";
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now - std::chrono::seconds(30)), now, used)) << "an older code";
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now + std::chrono::seconds(30)), now, used), *used + 1);
}

TEST(Totp, ChecksTheFormOfTheTypedCode) {
  const auto secret = rfc6238_secret();
  const auto now = unix_time(59);
  EXPECT_TRUE(verify_totp(secret, "287 082", now, std::nullopt));
  EXPECT_FALSE(verify_totp(secret, "28708", now, std::nullopt));
  EXPECT_FALSE(verify_totp(secret, "2870820", now, std::nullopt));
  EXPECT_FALSE(verify_totp(secret, "28708x", now, std::nullopt));
  EXPECT_FALSE(verify_totp(secret, "", now, std::nullopt));
  EXPECT_FALSE(verify_totp(rfc6238_secret(), "287082", now, std::nullopt, 8));
}

TEST(Totp, GeneratesRandom160BitSecrets) {
  const auto a = generate_totp_secret();
  const auto b = generate_totp_secret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a.view(), b.view());
}

TEST(Totp, ProvisioningUriNamesIssuerAndEscapesTheAccount) {
  EXPECT_EQ(totp_provisioning_uri("anna.svensson@example.se", rfc6238_secret()),
            "otpauth://totp/Tillit:anna.svensson%40example.se?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Tillit&algorithm=SHA1&digits=6&period=30");
  const auto uri = totp_provisioning_uri("Åsa Öberg:a&b?c/d", rfc6238_secret());
  EXPECT_EQ(uri.substr(0, uri.find('?')), "otpauth://totp/Tillit:%C3%85sa%20%C3%96berg%3Aa%26b%3Fc%2Fd");
}

TEST(Base32, MatchesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(to_base32(""), "");
  EXPECT_EQ(to_base32("f"), "MY");
  EXPECT_EQ(to_base32("fo"), "MZXQ");
  EXPECT_EQ(to_base32("foo"), "MZXW6");
  EXPECT_EQ(to_base32("foob"), "MZXW6YQ");
  EXPECT_EQ(to_base32("fooba"), "MZXW6YTB");
  EXPECT_EQ(to_base32("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(to_base32(std::string("\x00\xff", 2)), "AD7Q");
}

TEST(RecoveryCodes, GeneratesDistinctCodesWithStoredHashes) {
  const auto generated = generate_recovery_codes();
  ASSERT_EQ(generated.codes.size(), 10u);
  ASSERT_EQ(generated.hashes.size(), 10u);
  EXPECT_EQ(std::set<std::string>(generated.codes.begin(), generated.codes.end()).size(), 10u);
  for (std::size_t i = 0; i < generated.codes.size(); ++i) {
    const auto& code = generated.codes[i];
    EXPECT_EQ(code.size(), recovery_code_length);
    EXPECT_EQ(code.find_first_not_of("23456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos) << code;
    EXPECT_EQ(generated.hashes[i].find(code), std::string::npos);
    EXPECT_TRUE(generated.hashes[i].starts_with("$argon2id$"));
    EXPECT_FALSE(hash_needs_rehash(generated.hashes[i], recovery_code_hash_params));
  }
}

TEST(RecoveryCodes, MatchFormattedVariantsOfTheCodeOnly) {
  auto generated = generate_recovery_codes(3);
  const std::string code = generated.codes[1];
  std::string lower = code;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  EXPECT_EQ(match_recovery_code(code, generated.hashes), 1u);
  EXPECT_EQ(match_recovery_code(lower, generated.hashes), 1u);
  EXPECT_EQ(match_recovery_code(code.substr(0, 5) + "-" + code.substr(5), generated.hashes), 1u);
  EXPECT_EQ(match_recovery_code(" " + lower.substr(0, 5) + " " + lower.substr(5) + " ", generated.hashes), 1u);

  std::string altered = code;
  altered[4] = altered[4] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(match_recovery_code(altered, generated.hashes));
  EXPECT_FALSE(match_recovery_code(code.substr(0, 9), generated.hashes));
  EXPECT_FALSE(match_recovery_code(code + "A", generated.hashes));
  EXPECT_FALSE(match_recovery_code(code.substr(0, 5) + "_" + code.substr(5), generated.hashes));
  EXPECT_FALSE(match_recovery_code("", generated.hashes));

  generated.hashes.erase(generated.hashes.begin() + 1);  // the caller retires a used code
  EXPECT_FALSE(match_recovery_code(code, generated.hashes));
}

TEST(Base32, DecodesWhatItEncodesAndWhatPeopleType) {
  // RFC 4648 section 10: "foobar" is MZXW6YTBOI======.
  EXPECT_EQ(std::string(from_base32("MZXW6YTBOI======")->view()), "foobar");
  EXPECT_EQ(std::string(from_base32("mzxw 6ytb oi")->view()), "foobar");
  const auto secret = generate_totp_secret();
  EXPECT_EQ(from_base32(to_base32(secret.view()))->view(), secret.view());
  EXPECT_FALSE(from_base32("MZXW1"));  // 1 is not in the alphabet
}
