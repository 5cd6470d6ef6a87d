// Secrets behind sign-in beyond the password (the annex's requirements 11, MFA, and 12):
// time-based one-time codes from an authenticator app (TOTP, RFC 6238, on HOTP, RFC 4226,
// computed by liboath), the secret and the otpauth:// URI that enrol an app, one-time
// recovery codes, and the password-history check, which needs the stored hashes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/time.h"
#include "tillit/crypto/crypto.h"

namespace tillit::crypto {

// TOTP as every authenticator app implements it: HMAC-SHA-1, 6 digits, 30-second steps
// from the Unix epoch. SHA-1 is used here only inside HMAC, whose security rests on the
// hash being a pseudo-random function, not on collision resistance; the collision attacks
// that deprecate SHA-1 for signatures and certificates do not apply (RFC 6238, section 5).
inline constexpr unsigned totp_digits = 6;
inline constexpr std::chrono::seconds totp_period{30};
inline constexpr std::size_t totp_secret_size = 20;  // 160 bits, as RFC 4226 recommends

// A new random secret for one user's authenticator; store it encrypted.
SecretBytes generate_totp_secret();

// The code for the time step that holds `at` (not before 1970). `digits` is 6, 7 or 8;
// only the RFC 6238 test vectors use 8.
std::string totp_code(const SecretBytes& secret, Timestamp at, unsigned digits = totp_digits);

// Checks a code the user typed (spaces ignored) against the time step holding `now` and one
// step either side, for clocks that drift. Returns the step that matched; the caller stores
// it and passes it back as `last_used_step`, and a match at or before that step is refused,
// so an observed code cannot be replayed (RFC 6238, section 5.2).
std::optional<std::uint64_t> verify_totp(const SecretBytes& secret, std::string_view code, Timestamp now,
                                         std::optional<std::uint64_t> last_used_step,
                                         unsigned digits = totp_digits);

// RFC 4648 base32 (A-Z, 2-7) without "=" padding, the form otpauth:// URIs carry secrets in.
std::string to_base32(std::string_view bytes);
// The reverse: the secret a person types from the enrolment page (upper or lower case;
// spaces and "=" padding ignored). nullopt on any other character.
std::optional<SecretBytes> from_base32(std::string_view text);

// The URI an authenticator app reads from a QR code:
// otpauth://totp/Tillit:ACCOUNT?secret=BASE32&issuer=Tillit&algorithm=SHA1&digits=6&period=30
// with the account name percent-encoded.
std::string totp_provisioning_uri(std::string_view account_name, const SecretBytes& secret);

// Recovery codes sign a user in once each when the authenticator is lost. A code is 10
// characters from an alphabet without look-alikes (no 0/O, 1/I/L or U), about 49 bits.
inline constexpr std::size_t recovery_code_length = 10;
// Argon2id at OWASP's minimum (m = 19 MiB, t = 2), lighter than for passwords because one
// sign-in with a recovery code may verify every stored hash in turn.
inline constexpr Argon2Params recovery_code_hash_params{.ops_limit = 2, .mem_limit = 19 * 1024 * 1024};

struct RecoveryCodes {
  std::vector<std::string> codes;   // shown to the user once, never stored
  std::vector<std::string> hashes;  // Argon2id, to store; hashes[i] belongs to codes[i]
};
RecoveryCodes generate_recovery_codes(std::size_t count = 10);

// The index of the hash that the entered code matches, ignoring case, spaces and dashes;
// the caller then deletes that hash so the code works only once.
std::optional<std::size_t> match_recovery_code(std::string_view entered, const std::vector<std::string>& hashes);

// True if `password` matches one of the Argon2id hashes of the user's recent passwords
// (PasswordPolicy::history_count of them).
bool reuses_recent_password(std::string_view password, const std::vector<std::string>& recent_hashes);

}  // namespace tillit::crypto
