#include "page_layout.h"

#include <algorithm>
#include <cmath>

#include "utf8.h"

namespace tillit::render::detail {
namespace {

// Where the baseline sits below the top of a line box, as a fraction of the font size:
// DejaVu Sans rises 0.93 em above its baseline and descends 0.24 em, centred in a 1.3 em line.
constexpr double baseline_drop = 0.965;
constexpr double text_grey = 0.1;
constexpr double header_fill_grey = 0.9;
constexpr double rule_grey = 0.75;

// One BT ... ET text object on a page; sets the font only when it changes, which keeps the
// content of long tables small.
class TextObject {
 public:
  explicit TextObject(HPDF_Page page, double grey) : page_(page) {
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetGrayFill(page_, grey);
  }
  ~TextObject() { HPDF_Page_EndText(page_); }
  TextObject(const TextObject&) = delete;
  TextObject& operator=(const TextObject&) = delete;

  void show(double x, double baseline, const Face& face, double size, std::u32string_view line) {
    if (line.empty()) return;
    if (face.font != font_ || size != size_) {
      HPDF_Page_SetFontAndSize(page_, face.font, static_cast<HPDF_REAL>(size));
      font_ = face.font;
      size_ = size;
    }
    const std::string text = to_utf8(line);
    HPDF_Page_TextOut(page_, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(baseline), text.c_str());
  }

 private:
  HPDF_Page page_;
  HPDF_Font font_ = nullptr;
  double size_ = 0;
};

void horizontal_line(HPDF_Page page, double x0, double x1, double y, double grey, double width) {
  HPDF_Page_SetGrayStroke(page, static_cast<HPDF_REAL>(grey));
  HPDF_Page_SetLineWidth(page, static_cast<HPDF_REAL>(width));
  HPDF_Page_MoveTo(page, static_cast<HPDF_REAL>(x0), static_cast<HPDF_REAL>(y));
  HPDF_Page_LineTo(page, static_cast<HPDF_REAL>(x1), static_cast<HPDF_REAL>(y));
  HPDF_Page_Stroke(page);
}

// The footer: its last line's baseline 28 points above the paper's edge, lines stacked
// upward from there, a rule above them and a gap before the body text.
constexpr double footer_last_baseline = 28;
constexpr double footer_rule_gap = 4;
constexpr double footer_body_gap = 12;

}  // namespace

double PageLayout::footer_top_baseline(std::size_t note_lines, double size) {
  return footer_last_baseline + static_cast<double>(std::max<std::size_t>(note_lines, 1) - 1) * size * PageGeometry::line_spacing;
}

PageLayout::PageLayout(HaruDocument& document, Face regular, Face bold, std::size_t footer_note_lines,
                       double footer_size)
    : document_(document),
      regular_(regular),
      bold_(bold),
      content_bottom_(footer_top_baseline(footer_note_lines, footer_size) + footer_size + footer_rule_gap +
                      footer_body_gap) {
  new_page();
}

Status PageLayout::status() const {
  if (page_limit_reached_)
    return make_error(ErrorCode::invalid_argument,
                      "the report would run over " + std::to_string(max_pages) +
                          " pages; narrow its period or filter, or export the data as CSV instead");
  return document_.status("laying out the pages");
}

std::vector<std::u32string> PageLayout::wrap(std::string_view utf8, const Face& face, double size, double width) const {
  return wrap_text(printable_code_points(utf8), *face.metrics, size, width);
}

void PageLayout::new_page() {
  if (stopped()) return;
  if (pages_.size() >= max_pages) {
    page_limit_reached_ = true;
    return;
  }
  HPDF_Page page = HPDF_AddPage(document_.handle());
  if (page == nullptr) return;  // the document recorded the error
  HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
  pages_.push_back(page);
  page_ = page;
  y_ = PageGeometry::height - PageGeometry::margin_top;
  page_is_fresh_ = true;
}

void PageLayout::space(double points) {
  if (stopped() || page_is_fresh_) return;
  y_ -= points;
}

void PageLayout::lines(const std::vector<std::u32string>& lines, const Face& face, double size, double grey,
                       double keep_with_next) {
  const double height = line_height(size);
  for (std::size_t i = 0; i < lines.size() && !stopped(); ++i) {
    const double needed = height + (i == 0 ? keep_with_next : 0);
    if (y_ - needed < content_bottom_ && !page_is_fresh_) new_page();
    if (stopped()) return;
    TextObject text(page_, grey);
    text.show(PageGeometry::margin_x, y_ - size * baseline_drop, face, size, lines[i]);
    y_ -= height;
    page_is_fresh_ = false;
  }
}

void PageLayout::rule(double grey, double line_width) {
  if (stopped()) return;
  horizontal_line(page_, PageGeometry::margin_x, PageGeometry::width - PageGeometry::margin_x, y_, grey, line_width);
}

PageLayout::WrappedRow PageLayout::wrap_row(const std::vector<GridColumn>& columns,
                                            const std::vector<std::string>& cells, const GridStyle& style,
                                            bool header) const {
  WrappedRow row;
  row.cells.reserve(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const Face& face = header || columns[c].bold ? bold_ : regular_;
    const std::string_view text = c < cells.size() ? std::string_view(cells[c]) : std::string_view();
    row.cells.push_back(wrap(text, face, style.font_size, columns[c].width - 2 * style.padding_x));
    row.line_count = std::max(row.line_count, row.cells.back().size());
  }
  return row;
}

void PageLayout::draw_row_lines(const std::vector<GridColumn>& columns, const WrappedRow& row, std::size_t first,
                                std::size_t count, const GridStyle& style, bool header) {
  const double height = count * line_height(style.font_size) + 2 * style.padding_y;
  const double left = PageGeometry::margin_x;
  double table_width = 0;
  for (const auto& column : columns) table_width += column.width;
  if (header) {
    HPDF_Page_SetGrayFill(page_, header_fill_grey);
    HPDF_Page_Rectangle(page_, static_cast<HPDF_REAL>(left), static_cast<HPDF_REAL>(y_ - height),
                        static_cast<HPDF_REAL>(table_width), static_cast<HPDF_REAL>(height));
    HPDF_Page_Fill(page_);
  }
  {
    TextObject text(page_, text_grey);
    double x = left;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const Face& face = header || columns[c].bold ? bold_ : regular_;
      const auto& cell = row.cells[c];
      for (std::size_t i = first; i < first + count && i < cell.size(); ++i) {
        const double baseline =
            y_ - style.padding_y - (i - first) * line_height(style.font_size) - style.font_size * baseline_drop;
        double line_x = x + style.padding_x;
        if (columns[c].align == Align::right)
          line_x = x + columns[c].width - style.padding_x - face.metrics->width(cell[i], style.font_size);
        text.show(line_x, baseline, face, style.font_size, cell[i]);
      }
      x += columns[c].width;
    }
  }
  y_ -= height;
  if (style.rules) horizontal_line(page_, left, left + table_width, y_, header ? 0.4 : rule_grey, header ? 0.6 : 0.3);
}

void PageLayout::grid(const std::vector<GridColumn>& columns, const std::vector<std::string>* header,
                      const std::vector<std::vector<std::string>>& rows, const GridStyle& style) {
  if (stopped()) return;
  const double line = line_height(style.font_size);
  WrappedRow header_row;
  double header_height = 0;
  if (header != nullptr) {
    header_row = wrap_row(columns, *header, style, true);
    header_height = header_row.line_count * line + 2 * style.padding_y;
  }
  const auto start_page = [&] {
    new_page();
    if (stopped() || header == nullptr) return;
    draw_row_lines(columns, header_row, 0, header_row.line_count, style, true);
  };
  // Lines of one row that fit on a page holding only the header: a row with more is split.
  const auto fresh_page_lines = static_cast<std::size_t>(std::max(
      1.0, std::floor((PageGeometry::height - PageGeometry::margin_top - content_bottom_ - header_height -
                       2 * style.padding_y) / line)));

  // The header never stands alone at the foot of a page.
  if (y_ - header_height - line - 2 * style.padding_y < content_bottom_ && !page_is_fresh_) {
    new_page();
  }
  if (stopped()) return;
  if (header != nullptr) draw_row_lines(columns, header_row, 0, header_row.line_count, style, true);
  page_is_fresh_ = false;

  for (const auto& cells : rows) {
    if (stopped()) return;
    const WrappedRow row = wrap_row(columns, cells, style, false);
    std::size_t drawn = 0;
    bool page_holds_only_header = false;
    while (drawn < row.line_count && !stopped()) {
      const std::size_t remaining = row.line_count - drawn;
      const double room = (y_ - content_bottom_ - 2 * style.padding_y) / line;
      std::size_t fit = room > 0 ? static_cast<std::size_t>(std::floor(room + 1e-9)) : 0;
      const bool keep_whole = drawn == 0 && remaining <= fresh_page_lines;
      if (!page_holds_only_header && (fit == 0 || (keep_whole && fit < remaining))) {
        start_page();
        page_holds_only_header = true;
        continue;
      }
      const std::size_t count = std::clamp<std::size_t>(fit, 1, remaining);
      draw_row_lines(columns, row, drawn, count, style, false);
      drawn += count;
      page_holds_only_header = false;
      if (drawn < row.line_count) {
        start_page();
        page_holds_only_header = true;
      }
    }
  }
  page_is_fresh_ = false;
}

void PageLayout::footer(HPDF_Page page, const std::vector<std::u32string>& note_lines, double size,
                        const std::string& page_text) {
  const double height = line_height(size);
  const double right = PageGeometry::width - PageGeometry::margin_x;
  const std::u32string page_label = printable_code_points(page_text);
  const double top_baseline = footer_top_baseline(note_lines.size(), size);
  horizontal_line(page, PageGeometry::margin_x, right, top_baseline + size + footer_rule_gap, rule_grey, 0.4);
  TextObject text(page, 0.35);
  for (std::size_t i = 0; i < note_lines.size(); ++i)
    text.show(PageGeometry::margin_x, top_baseline - i * height, regular_, size, note_lines[i]);
  text.show(right - regular_.metrics->width(page_label, size), top_baseline, regular_, size, page_label);
}

}  // namespace tillit::render::detail
