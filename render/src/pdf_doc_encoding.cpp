#include "pdf_doc_encoding.h"

#include <utility>

#include "utf8.h"

namespace tillit::render::detail {
namespace {

// The code points PDFDocEncoding places at bytes 0x80-0xA0, where it differs from Latin-1.
constexpr std::pair<char32_t, unsigned char> typographic_marks[] = {
    {0x2022, 0x80}, {0x2020, 0x81}, {0x2021, 0x82}, {0x2026, 0x83}, {0x2014, 0x84}, {0x2013, 0x85},
    {0x0192, 0x86}, {0x2044, 0x87}, {0x2039, 0x88}, {0x203A, 0x89}, {0x2212, 0x8A}, {0x2030, 0x8B},
    {0x201E, 0x8C}, {0x201C, 0x8D}, {0x201D, 0x8E}, {0x2018, 0x8F}, {0x2019, 0x90}, {0x201A, 0x91},
    {0x2122, 0x92}, {0xFB01, 0x93}, {0xFB02, 0x94}, {0x0141, 0x95}, {0x0152, 0x96}, {0x0160, 0x97},
    {0x0178, 0x98}, {0x017D, 0x99}, {0x0131, 0x9A}, {0x0142, 0x9B}, {0x0153, 0x9C}, {0x0161, 0x9D},
    {0x017E, 0x9E}, {0x20AC, 0xA0},
};

}  // namespace

std::string to_pdf_doc_encoding(std::string_view valid_utf8) {
  std::string out;
  for (char32_t c : printable_code_points(valid_utf8)) {
    if (c == U'\n') {
      out.push_back(' ');
    } else if (c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else if (c == 0xA0) {
      out.push_back(' ');  // byte 0xA0 is the euro sign in PDFDocEncoding, not a no-break space
    } else if (c > 0xA0 && c <= 0xFF && c != 0xAD) {
      out.push_back(static_cast<char>(c));
    } else if (c == 0xAD) {
      // A soft hyphen is invisible unless a line breaks there, and titles are not broken.
    } else {
      char replacement = '?';
      for (const auto& [code_point, byte] : typographic_marks)
        if (code_point == c) replacement = static_cast<char>(byte);
      out.push_back(replacement);
    }
  }
  return out;
}

}  // namespace tillit::render::detail
