// How wide each table column is drawn: from the caller's hints when there are any,
// otherwise from the content, much like an HTML table's automatic layout.
#pragma once

#include <vector>

namespace tillit::render::detail {

struct ColumnNeed {
  double widest_line = 0;  // points, the cell text if nothing wrapped (header included)
  double widest_word = 0;  // points, the longest unbreakable run
  double hint = 0;         // Column::width_hint
};

// Widths in points summing to `total_width`. `padding` is the horizontal space a cell adds
// around its text. With hints, each column gets its share (columns without a hint count as
// the average hint). Without, every column first gets room for its longest word, then the
// rest is shared in proportion to how much more each needs to avoid wrapping; when nothing
// needs to wrap, the columns grow in proportion to fill the width. When not even the longest
// words fit, the columns with the longest words are narrowed to one common width.
std::vector<double> column_widths(const std::vector<ColumnNeed>& needs, double total_width, double padding);

}  // namespace tillit::render::detail
