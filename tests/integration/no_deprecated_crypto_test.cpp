// No deprecated algorithm is used for security anywhere in Tillit's C++ (annex req. 34): MD5,
// MD4, SHA-1, DES/3DES, RC4, RC2 and Blowfish are looked for as the APIs and names that would
// use them. Each permitted use is listed below with its reason; anything else fails with
// file:line, so a new use must be justified here to pass review.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Allowed {
  const char* file;     // path relative to the repository
  const char* pattern;  // a regex the line must match
  const char* reason;
};

// Every allowed use, with why. Keep this list short and each reason true.
const std::vector<Allowed>& allow_list() {
  static const std::vector<Allowed> list = {
      {"crypto/include/tillit/crypto/totp.h", "SHA-?1",
       "TOTP (RFC 6238) with HMAC-SHA-1 is what every authenticator app implements; HMAC's security does not rest "
       "on SHA-1's collision resistance (RFC 6238 section 5, NIST SP 800-131A allows HMAC-SHA-1)"},
      {"crypto/src/totp.cpp", "SHA-?1",
       "the same TOTP: liboath's HMAC-SHA-1 mode and the otpauth:// URI's algorithm=SHA1 parameter"},
  };
  return list;
}

// Names of deprecated primitives as code would spell them: OpenSSL/libsodium APIs, cipher
// strings and algorithm names. Case-insensitive, on word-ish boundaries so "describe",
// "codes_used" or "rc4x" in unrelated words do not match.
const std::regex& deprecated() {
  static const std::regex re(
      R"((^|[^A-Za-z0-9])(md4|md5|sha-?1|sha_?1|3des|des|des-?ede3?|des[-_]?cbc3?|des[-_]?ecb|single[-_]?des|rc4|rc2|blowfish|bf[-_]cbc)([^A-Za-z0-9]|$)|EVP_(md5|md4|sha1|des_|rc4|rc2|bf_)|\bDES_[a-z_]+\s*\()",
      std::regex::icase);
  return re;
}

bool allowed(const std::string& file, const std::string& line) {
  for (const auto& a : allow_list())
    if (file == a.file && std::regex_search(line, std::regex(a.pattern, std::regex::icase))) return true;
  return false;
}

// The TLS configuration may name weak suites only to exclude them ("!RC4", "!3DES", "!MD5").
bool is_exclusion(const std::string& line, std::size_t at) { return at > 0 && line[at - 1] == '!'; }

}  // namespace

TEST(NoDeprecatedCrypto, SourcesUseNoDeprecatedAlgorithmOutsideTheAllowList) {
  const fs::path root = TILLIT_SOURCE_DIR;
  std::vector<std::string> findings;
  std::size_t files = 0;
  for (const char* dir : {"core", "crypto", "store", "audit", "services", "web", "apps", "federation", "ingest", "render"}) {
    if (!fs::exists(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h" && ext != ".hpp" && ext != ".cc")) continue;
      ++files;
      const std::string rel = entry.path().lexically_relative(root).generic_string();
      std::ifstream in(entry.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        for (std::sregex_iterator it(line.begin(), line.end(), deprecated()), end; it != end; ++it) {
          const auto at = static_cast<std::size_t>(it->position(0));
          // The match may start with the boundary character; find the name itself.
          const std::size_t name_at = (at < line.size() && !std::isalnum(static_cast<unsigned char>(line[at]))) ? at + 1 : at;
          if (is_exclusion(line, name_at) || allowed(rel, line)) continue;
          findings.push_back(rel + ":" + std::to_string(n) + ": " + line);
          break;
        }
      }
    }
  }
  EXPECT_GT(files, 100u) << "the source tree was not found at " << root;
  std::string report;
  for (const auto& f : findings) report += "  " + f + "\n";
  EXPECT_TRUE(findings.empty()) << "deprecated algorithms (MD5, SHA-1, DES/3DES, RC4, ...) in use; replace them, or "
                                   "add an entry with its reason to the allow-list in "
                                   "tests/integration/no_deprecated_crypto_test.cpp:\n"
                                << report;
}

TEST(NoDeprecatedCrypto, ThePatternCatchesWhatItShould) {
  for (const char* bad : {"EVP_md5()", "SHA1(data, n, out)", "EVP_des_ede3_cbc()", "\"RC4-SHA\"", "crypto::md5(x)",
                          "DES_ecb_encrypt(a, b)", "hash = sha1(text);", "\"DES-CBC3-SHA\"", "EVP_sha1()"})
    EXPECT_TRUE(std::regex_search(std::string(bad), deprecated())) << bad;
  for (const char* fine : {"describe the codes_used", "sha256(data)", "EVP_sha256()", "design", "desired", "SHA-256",
                           "mark_setup_codes_used(tx)", "recovery_codes"})
    EXPECT_FALSE(std::regex_search(std::string(fine), deprecated())) << fine;
}
