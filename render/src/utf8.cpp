#include "utf8.h"

namespace tillit::render::detail {
namespace {

constexpr char32_t replacement_character = 0xFFFD;

// Decodes one well-formed sequence at `pos` (RFC 3629), advancing `pos` past it, or returns
// nullopt and leaves `pos` alone.
std::optional<char32_t> decode_one(std::string_view text, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length;
  char32_t code_point;
  char32_t minimum;  // smaller values would be overlong encodings
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (text.size() - pos < length) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
    return std::nullopt;
  pos += length;
  return code_point;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!decode_one(text, pos)) return pos;
  }
  return std::nullopt;
}

std::string replace_invalid_utf8(std::string_view text) {
  if (!first_invalid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    if (decode_one(text, pos)) {
      out.append(text.substr(start, pos - start));
    } else {
      append_utf8(out, replacement_character);
      ++pos;  // one U+FFFD per bad byte: simple, and never swallows a valid character
    }
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string to_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) append_utf8(out, c);
  return out;
}

std::u32string printable_code_points(std::string_view valid_utf8) {
  std::u32string out;
  out.reserve(valid_utf8.size());
  std::size_t pos = 0;
  while (pos < valid_utf8.size()) {
    const std::size_t start = pos;
    const std::optional<char32_t> decoded = decode_one(valid_utf8, pos);
    if (!decoded) {  // callers validate first; stay safe if one did not
      out.push_back(replacement_character);
      pos = start + 1;
      continue;
    }
    const char32_t c = *decoded;
    if (c == U'\r') {
      out.push_back(U'\n');
      if (pos < valid_utf8.size() && valid_utf8[pos] == '\n') ++pos;
    } else if (c == U'\n' || c == 0x2028 || c == 0x2029) {  // LF, line and paragraph separators
      out.push_back(U'\n');
    } else if (c == U'\t') {
      out.push_back(U' ');
    } else if (c < 0x20 || (c >= 0x7F && c < 0xA0)) {
      // C0 and C1 controls have no glyph; printing them would show boxes.
    } else if (c > 0xFFFF) {
      out.push_back(replacement_character);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace tillit::render::detail
