#include "tillit/core/password_policy.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace tillit {
namespace {

enum class CharacterClass { lowercase, uppercase, digit, symbol };

// Strict UTF-8: rejects overlong forms, surrogates, code points above U+10FFFF and
// truncated sequences.
std::optional<std::u32string> decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;  // continuation bytes that follow the lead byte
    char32_t cp = lead;
    char32_t smallest = 0;  // below this the sequence is an overlong form
    if (lead >= 0x80) {
      if ((lead & 0xE0) == 0xC0) {
        extra = 1;
        cp = lead & 0x1F;
        smallest = 0x80;
      } else if ((lead & 0xF0) == 0xE0) {
        extra = 2;
        cp = lead & 0x0F;
        smallest = 0x800;
      } else if ((lead & 0xF8) == 0xF0) {
        extra = 3;
        cp = lead & 0x07;
        smallest = 0x10000;
      } else {
        return std::nullopt;
      }
    }
    if (text.size() - i <= extra) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      cp = cp << 6 | (next & 0x3F);
    }
    if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

std::string encode_utf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (const char32_t cp : code_points) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | cp >> 6));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | cp >> 12));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | cp >> 18));
      out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

// Letters of ASCII and Latin-1 (U+00D7 and U+00F7 are the signs × and ÷).
CharacterClass classify(char32_t cp) {
  if (cp >= 'a' && cp <= 'z') return CharacterClass::lowercase;
  if (cp >= 'A' && cp <= 'Z') return CharacterClass::uppercase;
  if (cp >= '0' && cp <= '9') return CharacterClass::digit;
  if (cp >= 0xDF && cp <= 0xFF && cp != 0xF7) return CharacterClass::lowercase;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return CharacterClass::uppercase;
  return CharacterClass::symbol;
}

// Case folding for the letters `classify` knows: each uppercase one lies 0x20 below its
// lowercase partner.
char32_t fold_case(char32_t cp) { return classify(cp) == CharacterClass::uppercase ? cp + 0x20 : cp; }

std::u32string folded(std::u32string_view code_points) {
  std::u32string out(code_points);
  std::transform(out.begin(), out.end(), out.begin(), fold_case);
  return out;
}

std::optional<std::string> folded_utf8(std::string_view text) {
  const auto code_points = decode_utf8(text);
  if (!code_points) return std::nullopt;
  return encode_utf8(folded(*code_points));
}

// The pieces of a name that a password may not contain, case-folded: the whole name and
// each part between ASCII spaces and punctuation, where at least three characters long.
std::vector<std::u32string> name_fragments(std::string_view name) {
  constexpr std::size_t shortest = 3;
  std::vector<std::u32string> fragments;
  const auto code_points = decode_utf8(name);
  if (!code_points) return fragments;
  const auto name_folded = folded(*code_points);
  if (name_folded.size() >= shortest) fragments.push_back(name_folded);
  const auto is_separator = [](char32_t cp) { return cp < 0x80 && classify(cp) == CharacterClass::symbol; };
  auto start = name_folded.begin();
  while (start != name_folded.end()) {
    const auto end = std::find_if(start, name_folded.end(), is_separator);
    if (static_cast<std::size_t>(end - start) >= shortest) fragments.emplace_back(start, end);
    start = end == name_folded.end() ? end : end + 1;
  }
  return fragments;
}

std::string_view email_local_part(std::string_view email) { return email.substr(0, email.rfind('@')); }

Error broken_rule(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

std::string class_list(const CharacterClasses& classes) {
  std::string list;
  const auto add = [&list](bool counted, const char* name) {
    if (counted) list += (list.empty() ? "" : ", ") + std::string(name);
  };
  add(classes.lowercase, "lowercase letters");
  add(classes.uppercase, "uppercase letters");
  add(classes.digits, "digits");
  add(classes.symbols, "symbols");
  return list;
}

std::size_t classes_present(const CharacterClasses& counted, std::u32string_view code_points) {
  bool lowercase = false, uppercase = false, digit = false, symbol = false;
  for (const char32_t cp : code_points) {
    switch (classify(cp)) {
      case CharacterClass::lowercase: lowercase = true; break;
      case CharacterClass::uppercase: uppercase = true; break;
      case CharacterClass::digit: digit = true; break;
      case CharacterClass::symbol: symbol = true; break;
    }
  }
  return std::size_t{counted.lowercase && lowercase} + std::size_t{counted.uppercase && uppercase} +
         std::size_t{counted.digits && digit} + std::size_t{counted.symbols && symbol};
}

}  // namespace

CommonPasswords::CommonPasswords(std::string_view lines) {
  constexpr std::string_view comment_prefix = "#!comment:";
  while (!lines.empty()) {
    const auto end = lines.find('\n');
    auto line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view{} : lines.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.starts_with(comment_prefix)) continue;
    if (auto entry = folded_utf8(line)) folded_.insert(std::move(*entry));
  }
}

bool CommonPasswords::contains(std::string_view password) const {
  const auto key = folded_utf8(password);
  return key && folded_.contains(*key);
}

Status check_password(const PasswordPolicy& policy, std::string_view password, const PasswordContext& context) {
  const auto code_points = decode_utf8(password);
  if (!code_points) return broken_rule("the password contains bytes that are not valid UTF-8 text");
  const auto length = code_points->size();
  if (length < policy.min_length)
    return broken_rule("the password must be at least " + std::to_string(policy.min_length) +
                       " characters long (it has " + std::to_string(length) + ")");
  if (length > policy.max_length)
    return broken_rule("the password must be at most " + std::to_string(policy.max_length) +
                       " characters long (it has " + std::to_string(length) + ")");

  if (!code_points->empty() && code_points->find_first_not_of(code_points->front()) == std::u32string::npos)
    return broken_rule("the password must not be a single character repeated");

  const auto present = classes_present(policy.counted_classes, *code_points);
  if (present < policy.min_classes_present)
    return broken_rule("the password must contain at least " + std::to_string(policy.min_classes_present) +
                       " of these kinds of characters: " + class_list(policy.counted_classes) + " (it has " +
                       std::to_string(present) + ")");

  const auto password_folded = folded(*code_points);
  const auto contains_part_of = [&](std::string_view name) {
    const auto fragments = name_fragments(name);
    return std::any_of(fragments.begin(), fragments.end(), [&](const std::u32string& fragment) {
      return password_folded.find(fragment) != std::u32string::npos;
    });
  };
  if (contains_part_of(context.username))
    return broken_rule("the password must not contain your user name or a part of it");
  if (contains_part_of(email_local_part(context.email)))
    return broken_rule("the password must not contain your e-mail address or a part of it");
  if (contains_part_of(context.display_name))
    return broken_rule("the password must not contain your name or a part of it");

  if (const auto* common = context.common_passwords) {
    if (common->contains(password)) return broken_rule("the password is on the list of commonly used passwords");
    auto stem = *code_points;
    while (!stem.empty() && classify(stem.back()) != CharacterClass::lowercase &&
           classify(stem.back()) != CharacterClass::uppercase)
      stem.pop_back();
    if (!stem.empty() && stem.size() < length && common->contains(encode_utf8(stem)))
      return broken_rule("the password is a commonly used password with only digits or symbols added at the end");
  }
  return {};
}

bool password_expired(const PasswordPolicy& policy, Timestamp changed_at, Timestamp now) {
  return policy.max_age > std::chrono::days::zero() && now >= changed_at + policy.max_age;
}

}  // namespace tillit
