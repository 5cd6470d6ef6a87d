#include "text_layout.h"

#include <algorithm>

namespace tillit::render::detail {

FontMetrics::FontMetrics(Measure measure) : measure_(std::move(measure)), cache_(0x10000, -1) {}

int FontMetrics::advance(char32_t c) {
  if (c >= cache_.size()) return measure_(c);
  int& cached = cache_[c];
  if (cached < 0) cached = std::max(0, measure_(c));
  return cached;
}

double FontMetrics::width(std::u32string_view text, double font_size) {
  long units = 0;
  for (char32_t c : text) units += advance(c);
  return static_cast<double>(units) * font_size / 1000.0;
}

namespace {

// Greedy line filling over one line of text that holds no '\n'. Works in font units so the
// running sums stay exact integers.
class LineFiller {
 public:
  LineFiller(FontMetrics& metrics, long max_units, std::vector<std::u32string>& out)
      : metrics_(metrics), max_units_(max_units), out_(out) {}

  void fill(std::u32string_view line) {
    std::size_t i = 0;
    bool line_start = true;  // leading spaces of the source line are indentation
    std::u32string_view spaces;
    while (i < line.size()) {
      std::size_t j = i;
      if (line[i] == U' ') {
        while (j < line.size() && line[j] == U' ') ++j;
        spaces = line.substr(i, j - i);
      } else {
        while (j < line.size() && line[j] != U' ') ++j;
        place_word(line_start ? spaces : (current_.empty() ? std::u32string_view{} : spaces), line.substr(i, j - i));
        spaces = {};
        line_start = false;
      }
      i = j;
    }
    if (line_start) current_.append(spaces);  // a line of nothing but spaces
    flush();
  }

 private:
  long units(std::u32string_view text) {
    long sum = 0;
    for (char32_t c : text) sum += metrics_.advance(c);
    return sum;
  }

  void place_word(std::u32string_view before, std::u32string_view word) {
    const long word_units = units(word);
    const long before_units = units(before);
    if (current_units_ + before_units + word_units <= max_units_) {
      append(before, before_units);
      append(word, word_units);
      return;
    }
    if (!current_.empty()) flush();
    if (word_units <= max_units_) {
      append(word, word_units);
      return;
    }
    for (char32_t c : word) {  // too wide for any line: break between characters
      const long c_units = metrics_.advance(c);
      if (!current_.empty() && current_units_ + c_units > max_units_) flush();
      current_.push_back(c);
      current_units_ += c_units;
    }
  }

  void append(std::u32string_view text, long text_units) {
    current_.append(text);
    current_units_ += text_units;
  }

  void flush() {
    out_.push_back(std::move(current_));
    current_.clear();
    current_units_ = 0;
  }

  FontMetrics& metrics_;
  const long max_units_;
  std::vector<std::u32string>& out_;
  std::u32string current_;
  long current_units_ = 0;
};

}  // namespace

std::vector<std::u32string> wrap_text(std::u32string_view text, FontMetrics& metrics, double font_size,
                                      double max_width) {
  std::vector<std::u32string> lines;
  const long max_units = font_size > 0 ? static_cast<long>(max_width * 1000.0 / font_size) : 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(U'\n', start);
    LineFiller(metrics, max_units, lines).fill(text.substr(start, end == std::u32string_view::npos ? end : end - start));
    if (end == std::u32string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

TextExtent measure_extent(std::u32string_view text, FontMetrics& metrics, double font_size) {
  long widest_line = 0, widest_word = 0, line = 0, word = 0;
  for (char32_t c : text) {
    if (c == U'\n') {
      widest_line = std::max(widest_line, line);
      widest_word = std::max(widest_word, word);
      line = word = 0;
      continue;
    }
    const int advance = metrics.advance(c);
    line += advance;
    if (c == U' ') {
      widest_word = std::max(widest_word, word);
      word = 0;
    } else {
      word += advance;
    }
  }
  widest_line = std::max(widest_line, line);
  widest_word = std::max(widest_word, word);
  return {static_cast<double>(widest_line) * font_size / 1000.0, static_cast<double>(widest_word) * font_size / 1000.0};
}

}  // namespace tillit::render::detail
