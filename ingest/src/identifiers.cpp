#include "identifiers.h"

#include <algorithm>

namespace tillit::ingest {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool is_alnum(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z'); }

std::size_t count_digits(std::string_view text, std::size_t from) {
  std::size_t n = 0;
  while (from + n < text.size() && is_digit(text[from + n])) ++n;
  return n;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool equals_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equals_ci(text.substr(0, prefix.size()), prefix);
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = upper(c);
  return out;
}

bool is_cve(std::string_view id) {
  if (!starts_with_ci(id, "CVE-")) return false;
  if (count_digits(id, 4) != 4 || id.size() < 9 || id[8] != '-') return false;
  const std::size_t serial = count_digits(id, 9);
  return serial >= 4 && 9 + serial == id.size();
}

std::string_view leading_vulnerability_id(std::string_view text) {
  if (starts_with_ci(text, "CVE-") && count_digits(text, 4) == 4 && text.size() > 9 && text[8] == '-') {
    const std::size_t serial = count_digits(text, 9);
    if (serial >= 4) return text.substr(0, 9 + serial);
  }
  // GHSA-xxxx-xxxx-xxxx: three groups of four letters or digits.
  if (starts_with_ci(text, "GHSA-") && text.size() >= 19) {
    for (std::size_t i = 5; i < 19; ++i) {
      const bool dash = i == 9 || i == 14;
      if (dash ? text[i] != '-' : !is_alnum(text[i])) return {};
    }
    if (text.size() == 19 || !is_alnum(text[19])) return text.substr(0, 19);
  }
  return {};
}

std::string normalize_cwe(std::string_view text) {
  text = trim(text);
  // "external/cwe/cwe-079" (CodeQL tags): the id is the last path segment.
  if (const auto slash = text.rfind('/'); slash != std::string_view::npos) text = text.substr(slash + 1);
  if (starts_with_ci(text, "CWE")) {
    text.remove_prefix(3);
    if (!text.empty() && (text.front() == '-' || text.front() == ':' || text.front() == ' ')) text.remove_prefix(1);
  }
  const std::size_t digits = count_digits(text, 0);
  if (digits == 0 || digits > 9) return {};
  // Only digits, or digits followed by a separator and a name ("79: Improper Neutralization").
  if (digits < text.size() && is_alnum(text[digits])) return {};
  std::string_view number = text.substr(0, digits);
  while (number.size() > 1 && number.front() == '0') number.remove_prefix(1);
  return "CWE-" + std::string(number);
}

Purl parse_purl(std::string_view purl) {
  if (!starts_with_ci(purl, "pkg:")) return {};
  std::string_view rest = purl.substr(4);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (const auto query = rest.find('?'); query != std::string_view::npos) rest = rest.substr(0, query);
  Purl out;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    out.version = rest.substr(at + 1);
    rest = rest.substr(0, at);
  }
  const auto first_slash = rest.find('/');
  if (first_slash == std::string_view::npos) return {};
  out.type = rest.substr(0, first_slash);
  rest = rest.substr(first_slash + 1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (const auto last_slash = rest.rfind('/'); last_slash != std::string_view::npos) {
    out.namespace_ = rest.substr(0, last_slash);
    out.name = rest.substr(last_slash + 1);
  } else {
    out.name = rest;
  }
  if (out.name.empty()) return {};
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (is_digit(c)) return c - '0';
    const char l = lower(c);
    return (l >= 'a' && l <= 'f') ? l - 'a' + 10 : -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

void split_into(std::string_view text, char separator, std::vector<std::string>& out) {
  while (true) {
    const auto at = text.find(separator);
    add_unique(out, text.substr(0, at));
    if (at == std::string_view::npos) return;
    text.remove_prefix(at + 1);
  }
}

void split_whitespace_into(std::string_view text, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    if (j > i) add_unique(out, text.substr(i, j - i));
    i = j;
  }
}

void add_unique(std::vector<std::string>& values, std::string_view value) {
  value = trim(value);
  if (value.empty()) return;
  if (std::find(values.begin(), values.end(), value) != values.end()) return;
  values.emplace_back(value);
}

int to_line_number(std::string_view text) {
  text = trim(text);
  long long value = 0;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    value = value * 10 + (text[i] - '0');
    if (value > 1'000'000'000) return 0;
  }
  if (i == 0) return 0;
  if (i < text.size() && text.substr(i) != ".0") return 0;
  return static_cast<int>(value);
}

std::string_view clean_cvss_vector(std::string_view vector) {
  vector = trim(vector);
  if (vector.size() >= 2 && vector.front() == '(' && vector.back() == ')') {
    vector = trim(vector.substr(1, vector.size() - 2));
  }
  if (starts_with_ci(vector, "CVSS2#")) vector.remove_prefix(6);
  return vector;
}

}  // namespace tillit::ingest
