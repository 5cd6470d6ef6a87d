// The page flow of the PDF writer: a cursor moving down A4 pages, starting a new page when
// the next line does not fit, and the drawing of text lines, rules and tables (grids) on
// libharu pages. Knows nothing about reports; pdf_writer.cpp maps blocks onto it.
#pragma once

#include <hpdf.h>

#include <string>
#include <vector>

#include "haru_document.h"
#include "text_layout.h"
#include "tillit/render/document.h"

namespace tillit::render::detail {

// A loaded font and its cached metrics.
struct Face {
  HPDF_Font font = nullptr;
  FontMetrics* metrics = nullptr;
};

struct GridColumn {
  double width = 0;  // points, padding included
  Align align = Align::left;
  bool bold = false;
};

struct GridStyle {
  double font_size = 9;
  double padding_x = 4;
  double padding_y = 2;
  bool rules = false;  // a thin line under the header and every row
};

// Page geometry in points (A4 portrait).
struct PageGeometry {
  static constexpr double width = 595.276;
  static constexpr double height = 841.89;
  static constexpr double margin_x = 50;
  static constexpr double margin_top = 56;
  static constexpr double line_spacing = 1.3;  // line height as a multiple of the font size
};

class PageLayout {
 public:
  // `footer_note_lines` at `footer_size` points: the footer's height decides how low body
  // text may reach. Starts on a first page.
  PageLayout(HaruDocument& document, Face regular, Face bold, std::size_t footer_note_lines, double footer_size);

  const Face& regular() const { return regular_; }
  const Face& bold() const { return bold_; }
  double content_width() const { return PageGeometry::width - 2 * PageGeometry::margin_x; }

  // Wraps UTF-8 text to `width` points in `face` at `size`.
  std::vector<std::u32string> wrap(std::string_view utf8, const Face& face, double size, double width) const;

  // Vertical space; none at the top of a page.
  void space(double points);
  // Lines one below the other in one style, breaking pages between lines. The first line
  // moves to a new page unless `keep_with_next` points fit below it too (headings).
  void lines(const std::vector<std::u32string>& lines, const Face& face, double size, double grey,
             double keep_with_next = 0);
  // A horizontal line across the content width.
  void rule(double grey, double line_width);
  // A table: the header (when given) on a grey band, repeated on every page the table runs
  // onto; rows kept whole on one page when they fit on a page at all, otherwise split
  // between lines.
  void grid(const std::vector<GridColumn>& columns, const std::vector<std::string>* header,
            const std::vector<std::vector<std::string>>& rows, const GridStyle& style);

  // Draws every page's footer once the page count is known: the note lines at the left,
  // `page_text(n, total)` at the right.
  template <typename PageText>
  void footers(const std::vector<std::u32string>& note_lines, double size, PageText page_text) {
    for (std::size_t i = 0; i < pages_.size() && !stopped(); ++i)
      footer(pages_[i], note_lines, size, page_text(static_cast<int>(i + 1), static_cast<int>(pages_.size())));
  }

  int page_count() const { return static_cast<int>(pages_.size()); }
  // Ok, or why layout stopped: a libharu error, or a report too long to print.
  Status status() const;

  // No report may run longer than this: a longer one is a mistake or belongs in a CSV file.
  static constexpr std::size_t max_pages = 10000;

 private:
  struct WrappedRow {
    std::vector<std::vector<std::u32string>> cells;
    std::size_t line_count = 1;
  };

  bool stopped() const { return page_limit_reached_ || document_.failed(); }
  void new_page();
  double line_height(double size) const { return size * PageGeometry::line_spacing; }
  WrappedRow wrap_row(const std::vector<GridColumn>& columns, const std::vector<std::string>& cells,
                      const GridStyle& style, bool header) const;
  void draw_row_lines(const std::vector<GridColumn>& columns, const WrappedRow& row, std::size_t first,
                      std::size_t count, const GridStyle& style, bool header);
  void footer(HPDF_Page page, const std::vector<std::u32string>& note_lines, double size, const std::string& page_text);
  static double footer_top_baseline(std::size_t note_lines, double size);

  HaruDocument& document_;
  Face regular_;
  Face bold_;
  double content_bottom_;
  std::vector<HPDF_Page> pages_;
  HPDF_Page page_ = nullptr;
  double y_ = 0;              // the cursor: top of the next thing to draw
  bool page_is_fresh_ = true; // nothing but a repeated header drawn on this page yet
  bool page_limit_reached_ = false;
};

}  // namespace tillit::render::detail
