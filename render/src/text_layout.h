// Measuring and wrapping text for the PDF layout, independent of libharu: a FontMetrics is
// built from any function that gives a character's advance width, so the wrapping rules
// are tested without a PDF.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tillit::render::detail {

// Advance widths of one font in thousandths of an em, cached per character: a 10,000-row
// table asks for the same few dozen characters a million times. Not thread-safe; one per
// rendering.
class FontMetrics {
 public:
  using Measure = std::function<int(char32_t)>;
  explicit FontMetrics(Measure measure);

  int advance(char32_t c);
  // Width in points of `text` set at `font_size` points (no kerning: libharu sets none).
  double width(std::u32string_view text, double font_size);

 private:
  Measure measure_;
  std::vector<int> cache_;  // by BMP code point; -1 until measured
};

// Breaks `text` into lines no wider than `max_width` points: at spaces where possible,
// inside a word only when the word alone is too wide. '\n' always breaks (an empty line
// stays an empty line). Spaces at a break are dropped; leading spaces of a paragraph line
// are kept as indentation. Every line holds at least one character, so the result is finite
// even when a single character is wider than `max_width`.
std::vector<std::u32string> wrap_text(std::u32string_view text, FontMetrics& metrics, double font_size,
                                      double max_width);

// What a table column needs: the widest line if nothing wrapped, and the widest word (the
// narrowest the column can be without breaking words), both in points.
struct TextExtent {
  double widest_line = 0;
  double widest_word = 0;
};
TextExtent measure_extent(std::u32string_view text, FontMetrics& metrics, double font_size);

}  // namespace tillit::render::detail
