// Password rules (core/password_policy.h), the built-in common-password list and the
// password-history check.
#include <gtest/gtest.h>

#include <string>

#include "tillit/content/common_passwords.h"
#include "tillit/core/password_policy.h"
#include "tillit/crypto/totp.h"

using namespace tillit;

namespace {

const CommonPasswords& test_list() {
  static const CommonPasswords list("#!comment: a test list\npassword\nQwerty\r\n\nletmein\n");
  return list;
}

PasswordContext anna() {
  return {.username = "asvensson",
          .email = "anna.svensson@example.se",
          .display_name = "Anna Svensson",
          .common_passwords = &test_list()};
}

// The message of the rule the password breaks; it must never repeat the password.
std::string broken_rule(const PasswordPolicy& policy, const std::string& password,
                        const PasswordContext& context = anna()) {
  const auto status = check_password(policy, password, context);
  if (status) return "(accepted)";
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(status.error().message.find(password), std::string::npos) << status.error().message;
  return status.error().message;
}

Timestamp at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

}  // namespace

TEST(PasswordPolicy, DefaultsFollowTheAnnex) {
  const PasswordPolicy policy;
  EXPECT_EQ(policy.min_length, 14u);
  EXPECT_EQ(policy.max_length, 256u);
  EXPECT_EQ(policy.min_classes_present, 3u);
  EXPECT_EQ(policy.max_age, std::chrono::days(365));
  EXPECT_EQ(policy.history_count, 5u);
}

TEST(PasswordPolicy, AcceptsAStrongPassword) {
  EXPECT_TRUE(check_password({}, "Correct-Horse-Battery-9", anna()));
  EXPECT_TRUE(check_password({}, "correct horse battery staple 9", anna())) << "space counts as a symbol";
}

TEST(PasswordPolicy, LengthIsCountedInCodePoints) {
  PasswordPolicy letters_only;
  letters_only.min_classes_present = 1;
  const std::string fourteen = "åäöåäöåäöåäöåä";
  ASSERT_EQ(fourteen.size(), 28u);
  EXPECT_TRUE(check_password(letters_only, fourteen, anna()));
  EXPECT_EQ(broken_rule(letters_only, "åäöåäöåäöåäöå"), "the password must be at least 14 characters long (it has 13)");
  EXPECT_EQ(broken_rule({}, "Short-pw1"), "the password must be at least 14 characters long (it has 9)");
}

TEST(PasswordPolicy, RejectsOverlongPasswords) {
  const std::string long_password = "Aa1-" + std::string(253, 'x');
  EXPECT_EQ(broken_rule({}, long_password), "the password must be at most 256 characters long (it has 257)");
  EXPECT_TRUE(check_password({}, long_password.substr(0, 256), anna()));
}

TEST(PasswordPolicy, RejectsInvalidUtf8) {
  for (const std::string bad : {"Abcdefghijk-1\xff", "Abcdefghijk-1\xc3", "Abcdefghijk-1\xc0\xaf",
                                "Abcdefghijk-1\xed\xa0\x80", "Abcdefghijk-1\xf4\x90\x80\x80"})
    EXPECT_EQ(broken_rule({}, bad), "the password contains bytes that are not valid UTF-8 text");
}

TEST(PasswordPolicy, RejectsOneRepeatedCharacter) {
  PasswordPolicy any_class;
  any_class.min_classes_present = 1;
  EXPECT_EQ(broken_rule(any_class, std::string(20, 'a')), "the password must not be a single character repeated");
  EXPECT_EQ(broken_rule(any_class, "ööööööööööööööööö"), "the password must not be a single character repeated");
}

TEST(PasswordPolicy, RequiresCharacterClasses) {
  EXPECT_EQ(broken_rule({}, "onlylowercaseletters"),
            "the password must contain at least 3 of these kinds of characters: lowercase letters, uppercase "
            "letters, digits, symbols (it has 1)");
  EXPECT_TRUE(check_password({}, "lowercase and digits 42", anna()));
  EXPECT_TRUE(check_password({}, "Åäöåäöåäöåäö12", anna())) << "Å is an uppercase letter";
  EXPECT_TRUE(check_password({}, "Lowercase7Upper", anna()));
}

TEST(PasswordPolicy, ClassesAreConfigurable) {
  PasswordPolicy letters_and_digits;
  letters_and_digits.counted_classes = {.lowercase = true, .uppercase = false, .digits = true, .symbols = false};
  letters_and_digits.min_classes_present = 2;
  EXPECT_TRUE(check_password(letters_and_digits, "abcdefghijklm1", anna()));
  EXPECT_EQ(broken_rule(letters_and_digits, "ABCDEFGHIJKLM!x"),
            "the password must contain at least 2 of these kinds of characters: lowercase letters, digits (it has 1)");
}

TEST(PasswordPolicy, RejectsTheUsersOwnNames) {
  EXPECT_EQ(broken_rule({}, "My-ASVENSSON-pass-1"), "the password must not contain your user name or a part of it");

  PasswordContext other_email = anna();
  other_email.username = "anna2";
  EXPECT_EQ(broken_rule({}, "Svensson-ROCKS-2024", other_email),
            "the password must not contain your e-mail address or a part of it");

  other_email.email = "a.s@example.se";
  EXPECT_EQ(broken_rule({}, "Svensson-ROCKS-2024", other_email),
            "the password must not contain your name or a part of it");

  const PasswordContext swedish{.username = "ao", .email = "ao@example.se", .display_name = "Åsa Öberg"};
  EXPECT_EQ(broken_rule({}, "my ÅSA secret 2024", swedish), "the password must not contain your name or a part of it");
  EXPECT_EQ(broken_rule({}, "my öBERG secret 2024", swedish), "the password must not contain your name or a part of it");
}

TEST(PasswordPolicy, IgnoresNamePartsShorterThanThreeCharacters) {
  const PasswordContext short_names{.username = "al", .email = "al@example.se", .display_name = "Al Bo"};
  EXPECT_TRUE(check_password({}, "Albatross-Bonus-42", short_names));
  EXPECT_FALSE(check_password({}, "Xal bo-is-here-42", short_names)) << "the whole name still counts";
}

TEST(PasswordPolicy, RejectsCommonPasswords) {
  PasswordPolicy lenient;
  lenient.min_length = 6;
  lenient.min_classes_present = 1;
  EXPECT_EQ(broken_rule(lenient, "PassWord"), "the password is on the list of commonly used passwords");
  EXPECT_EQ(broken_rule(lenient, "qwerty"), "the password is on the list of commonly used passwords");
  EXPECT_EQ(broken_rule(lenient, "Password123!"),
            "the password is a commonly used password with only digits or symbols added at the end");
  EXPECT_EQ(broken_rule({}, "Password123456!"),
            "the password is a commonly used password with only digits or symbols added at the end");
  EXPECT_TRUE(check_password(lenient, "Password123!x", anna()));
  EXPECT_TRUE(check_password(lenient, "1password", anna()));

  PasswordContext without_list = anna();
  without_list.common_passwords = nullptr;
  EXPECT_TRUE(check_password(lenient, "password", without_list));
}

TEST(PasswordPolicy, ExpiresExactlyAtMaxAge) {
  const PasswordPolicy policy;
  const auto changed = at("2025-01-01T00:00:00Z");
  EXPECT_FALSE(password_expired(policy, changed, at("2025-12-31T23:59:59.999Z")));
  EXPECT_TRUE(password_expired(policy, changed, at("2026-01-01T00:00:00Z")));

  PasswordPolicy never;
  never.max_age = std::chrono::days::zero();
  EXPECT_FALSE(password_expired(never, changed, at("2125-01-01T00:00:00Z")));
}

TEST(CommonPasswords, ParsesLinesSkippingCommentsAndBlanks) {
  EXPECT_EQ(test_list().size(), 3u);
  EXPECT_TRUE(test_list().contains("QWERTY"));
  EXPECT_TRUE(test_list().contains("LetMeIn"));
  EXPECT_FALSE(test_list().contains("#!comment: a test list"));
  EXPECT_FALSE(test_list().contains(""));
}

TEST(CommonPasswords, BuiltinListIsJohnThePasswordList) {
  const auto& list = content::builtin_common_passwords();
  EXPECT_GT(list.size(), 3000u);
  for (const auto* common : {"123456", "password", "qwerty", "letmein", "iloveyou"})
    EXPECT_TRUE(list.contains(common)) << common;
  EXPECT_FALSE(list.contains("Correct-Horse-Battery-9"));

  PasswordContext context = anna();
  context.common_passwords = &list;
  EXPECT_EQ(broken_rule({}, "Iloveyou12345678", context),
            "the password is a commonly used password with only digits or symbols added at the end");
}

TEST(PasswordHistory, DetectsReuseOfRecentPasswords) {
  const std::vector<std::string> recent = {crypto::hash_secret("Old-password-one-1", crypto::recovery_code_hash_params),
                                           crypto::hash_secret("Old-password-two-2", crypto::recovery_code_hash_params)};
  EXPECT_TRUE(crypto::reuses_recent_password("Old-password-two-2", recent));
  EXPECT_FALSE(crypto::reuses_recent_password("Brand-new-password-3", recent));
  EXPECT_FALSE(crypto::reuses_recent_password("Old-password-one-1", {}));
}
