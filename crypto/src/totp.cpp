#include "tillit/crypto/totp.h"

#include <liboath/oath.h>

#include <algorithm>
#include <ctime>
#include <iterator>
#include <stdexcept>

namespace tillit::crypto {
namespace {

constexpr unsigned totp_window = 1;  // steps accepted either side of the current one
constexpr std::string_view recovery_code_alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("crypto failure: " + what); }

void ensure_oath() {
  static const int ready = oath_init();
  if (ready != OATH_OK) fail(std::string("liboath initialisation: ") + oath_strerror(ready));
}

const char* chars(const SecretBytes& secret) { return reinterpret_cast<const char*>(secret.data()); }

time_t unix_seconds(Timestamp t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  if (seconds < 0) throw std::invalid_argument("TOTP needs a time after 1970-01-01");
  return static_cast<time_t>(seconds);
}

// liboath's comparison hook, so that the typed code is compared in constant time.
int compare_code(void* typed, const char* candidate) {
  return constant_time_equal(*static_cast<const std::string*>(typed), candidate) ? 0 : 1;
}

std::string random_recovery_code() {
  // Bytes at or above the largest multiple of the alphabet size are dropped, so that every
  // character is equally likely.
  constexpr auto alphabet_size = recovery_code_alphabet.size();
  constexpr auto unbiased_limit = 256 / alphabet_size * alphabet_size;
  std::string code;
  while (code.size() < recovery_code_length) {
    for (const auto byte : random_bytes(recovery_code_length - code.size()))
      if (byte < unbiased_limit) code.push_back(recovery_code_alphabet[byte % alphabet_size]);
  }
  return code;
}

// The code as generated: uppercase, without the spaces and dashes people type or copy
// along; nothing if it cannot be a recovery code at all.
std::optional<std::string> normalized_recovery_code(std::string_view entered) {
  std::string code;
  for (const char c : entered) {
    if (c == ' ' || c == '-') continue;
    const char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    if (recovery_code_alphabet.find(upper) == std::string_view::npos) return std::nullopt;
    code.push_back(upper);
  }
  if (code.size() != recovery_code_length) return std::nullopt;
  return code;
}

std::string percent_encoded(std::string_view text) {
  static constexpr char hex_digits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex_digits[byte >> 4]);
      out.push_back(hex_digits[byte & 15]);
    }
  }
  return out;
}

}  // namespace

SecretBytes generate_totp_secret() { return random_key(totp_secret_size); }

std::string totp_code(const SecretBytes& secret, Timestamp at, unsigned digits) {
  ensure_oath();
  char code[9];  // at most 8 digits and the terminating NUL
  const int rc = oath_totp_generate(chars(secret), secret.size(), unix_seconds(at),
                                    static_cast<unsigned>(totp_period.count()), OATH_TOTP_DEFAULT_START_TIME, digits,
                                    code);
  if (rc != OATH_OK) fail(std::string("TOTP: ") + oath_strerror(rc));
  return code;
}

std::optional<std::uint64_t> verify_totp(const SecretBytes& secret, std::string_view code, Timestamp now,
                                         std::optional<std::uint64_t> last_used_step, unsigned digits) {
  std::string typed;
  std::copy_if(code.begin(), code.end(), std::back_inserter(typed), [](char c) { return c != ' '; });
  if (typed.size() != digits || !std::all_of(typed.begin(), typed.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  ensure_oath();
  std::uint64_t matched_step = 0;
  const int rc = oath_totp_validate4_callback(chars(secret), secret.size(), unix_seconds(now),
                                              static_cast<unsigned>(totp_period.count()), OATH_TOTP_DEFAULT_START_TIME,
                                              digits, totp_window, nullptr, &matched_step, 0 /* HMAC-SHA-1 */,
                                              compare_code, &typed);
  if (rc == OATH_INVALID_OTP) return std::nullopt;
  if (rc < 0) fail(std::string("TOTP: ") + oath_strerror(rc));
  if (last_used_step && matched_step <= *last_used_step) return std::nullopt;
  return matched_step;
}

std::string to_base32(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  unsigned buffer = 0;  // the low `pending` bits are not yet written
  int pending = 0;
  for (const unsigned char byte : bytes) {
    buffer = buffer << 8 | byte;
    pending += 8;
    while (pending >= 5) {
      pending -= 5;
      out.push_back(alphabet[buffer >> pending & 31]);
    }
  }
  if (pending > 0) out.push_back(alphabet[buffer << (5 - pending) & 31]);
  return out;
}

std::optional<SecretBytes> from_base32(std::string_view text) {
  Bytes out;
  unsigned buffer = 0;  // the low `pending` bits are not yet written
  int pending = 0;
  for (char c : text) {
    if (c == ' ' || c == '=') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const int value = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
    if (value < 0) return std::nullopt;
    buffer = (buffer << 5 | static_cast<unsigned>(value)) & 0xfff;
    pending += 5;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> pending & 0xff));
    }
  }
  return SecretBytes(std::move(out));
}

std::string totp_provisioning_uri(std::string_view account_name, const SecretBytes& secret) {
  return "otpauth://totp/Tillit:" + percent_encoded(account_name) + "?secret=" + to_base32(secret.view()) +
         "&issuer=Tillit&algorithm=SHA1&digits=" + std::to_string(totp_digits) +
         "&period=" + std::to_string(totp_period.count());
}

RecoveryCodes generate_recovery_codes(std::size_t count) {
  RecoveryCodes result;
  for (std::size_t i = 0; i < count; ++i) {
    result.codes.push_back(random_recovery_code());
    result.hashes.push_back(hash_secret(result.codes.back(), recovery_code_hash_params));
  }
  return result;
}

std::optional<std::size_t> match_recovery_code(std::string_view entered, const std::vector<std::string>& hashes) {
  const auto code = normalized_recovery_code(entered);
  if (!code) return std::nullopt;
  for (std::size_t i = 0; i < hashes.size(); ++i)
    if (verify_secret(hashes[i], *code)) return i;
  return std::nullopt;
}

bool reuses_recent_password(std::string_view password, const std::vector<std::string>& recent_hashes) {
  return std::any_of(recent_hashes.begin(), recent_hashes.end(),
                     [&](const std::string& hash) { return verify_secret(hash, password); });
}

}  // namespace tillit::crypto
