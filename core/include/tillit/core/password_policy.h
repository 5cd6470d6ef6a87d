// Password rules (the annex's requirement 12: complexity, length and lifetime of activation
// data): the policy, the check a new password must pass, and expiry. Pure: the list of
// common passwords is handed in, and reuse of earlier passwords is checked in crypto/
// (tillit/crypto/totp.h), because only their hashes are kept.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

#include "tillit/core/result.h"
#include "tillit/core/time.h"

namespace tillit {

// Which kinds of characters count towards the complexity rule. Letters are lowercase or
// uppercase in ASCII and Latin-1 (so å, ä, ö and Å, Ä, Ö count as letters); every character
// that is neither such a letter nor an ASCII digit is a symbol, including space.
struct CharacterClasses {
  bool lowercase = true;
  bool uppercase = true;
  bool digits = true;
  bool symbols = true;
};

struct PasswordPolicy {
  std::size_t min_length = 14;  // in Unicode code points, not bytes
  std::size_t max_length = 256;
  // The password must contain at least `min_classes_present` of the classes in
  // `counted_classes`; the default is any three of the four.
  CharacterClasses counted_classes;
  std::size_t min_classes_present = 3;
  std::chrono::days max_age{365};  // zero: passwords never expire
  std::size_t history_count = 5;   // how many earlier passwords may not be reused
};

// A denylist of commonly used passwords, matched without regard to case.
class CommonPasswords {
 public:
  CommonPasswords() = default;
  // One password per line. Blank lines, lines starting with "#!comment:" (the format of
  // John the Ripper's password.lst) and lines that are not valid UTF-8 are skipped; a
  // trailing "\r" is ignored.
  explicit CommonPasswords(std::string_view lines);

  bool contains(std::string_view password) const;
  std::size_t size() const { return folded_.size(); }

 private:
  std::unordered_set<std::string> folded_;
};

// Who the password is for, so that it cannot be built from their own names. The views must
// outlive the call.
struct PasswordContext {
  std::string_view username;
  std::string_view email;
  std::string_view display_name;
  const CommonPasswords* common_passwords = nullptr;  // null: no denylist check
};

// Checks a new password against the policy. On failure the error (invalid_argument) names
// the broken rule in plain words; it never contains the password.
Status check_password(const PasswordPolicy& policy, std::string_view password, const PasswordContext& context);

// True once `max_age` has passed since the password was set (at exactly that moment too).
bool password_expired(const PasswordPolicy& policy, Timestamp changed_at, Timestamp now);

}  // namespace tillit
