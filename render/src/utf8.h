// UTF-8 decoding for the writers: strict validation (the PDF writer rejects bad input),
// replacement (the CSV writer cannot fail), and conversion to the code points the PDF
// layout measures and wraps.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tillit::render::detail {

// Byte offset of the first ill-formed sequence (stray continuation byte, truncated or
// overlong sequence, surrogate, beyond U+10FFFF), or nullopt when `text` is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// `text` with each ill-formed sequence replaced by U+FFFD; valid text is returned unchanged.
std::string replace_invalid_utf8(std::string_view text);

void append_utf8(std::string& out, char32_t code_point);
std::string to_utf8(std::u32string_view text);

// Valid UTF-8 as the code points a page can show: CRLF and CR become '\n', TAB a space,
// other control characters are dropped, and code points beyond U+FFFF become U+FFFD
// (libharu's UTF-8 font encoding is 16-bit).
std::u32string printable_code_points(std::string_view valid_utf8);

}  // namespace tillit::render::detail
