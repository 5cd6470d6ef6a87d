// Page flow of the PDF writer: long tables, header repetition, page numbers, wrapping
// inside the margins, rows taller than a page, and the time a 10,000-row table takes.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <regex>

#include "pdf_tools.h"
#include "sample_reports.h"
#include "tillit/render/pdf.h"

using namespace tillit;
using namespace tillit::render;
using namespace tillit::render::testing;

namespace {

std::string rendered(const Document& document) {
  auto pdf = render_pdf(document);
  if (!pdf) ADD_FAILURE() << pdf.error().message;
  return pdf ? *pdf : std::string();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct WordBox {
  double x_min, y_min, x_max, y_max;
  std::string text;
};

// Every word with its box (points, origin top left) from pdftotext -bbox.
std::vector<WordBox> word_boxes(const std::string& pdf) {
  const ToolOutput result = run_on_pdf("pdftotext", {"-bbox", "-enc", "UTF-8"}, pdf, {"-"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  static const std::regex word(
      R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
  std::vector<WordBox> boxes;
  for (std::sregex_iterator it(result.out.begin(), result.out.end(), word), end; it != end; ++it)
    boxes.push_back({std::stod((*it)[1]), std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]), (*it)[5]});
  return boxes;
}

// The document of access_review with one more block at the end.
Document with_block(Block block) {
  Document document = access_review(2);
  document.blocks.push_back(std::move(block));
  return document;
}

}  // namespace

TEST(PdfLayoutTest, TenThousandRowTableRepeatsItsHeaderAndNumbersItsPages) {
  constexpr std::size_t rows = 10000;
  const Document document = access_review(rows);
  const auto start = std::chrono::steady_clock::now();
  auto pdf = render_pdf(document);
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  std::cout << "[ measure  ] " << rows << "-row table: " << pdf->size() << " bytes in " << elapsed << " s\n";
  RecordProperty("pdf_bytes", std::to_string(pdf->size()));
  RecordProperty("render_ms", std::to_string(static_cast<long>(elapsed * 1000)));
  EXPECT_LT(elapsed, 60.0) << "rendering a long table got pathologically slow";

  TILLIT_REQUIRE_PDF_TOOL("pdfinfo");
  TILLIT_REQUIRE_PDF_TOOL("pdftotext");
  const int page_count = std::stoi(pdf_info(*pdf, "Pages"));
  EXPECT_GT(page_count, 100);
  const std::vector<std::string> pages = pdf_pages(*pdf);
  ASSERT_EQ(pages.size(), static_cast<std::size_t>(page_count));
  std::size_t accounts = 0;
  for (int i = 0; i < page_count; ++i) {
    const std::string& page = pages[i];
    const std::string number = "Sida " + std::to_string(i + 1) + " av " + std::to_string(page_count);
    EXPECT_TRUE(contains(page, number)) << "page " << i + 1 << " lacks \"" << number << "\"";
    if (i > 0) {  // the table starts on the first page, under the title
      EXPECT_TRUE(contains(page, "Användare") && contains(page, "Granskad av")) << "no header on page " << i + 1;
    }
    accounts += count_of(page, "anv-");
  }
  EXPECT_EQ(accounts, rows) << "every row printed exactly once";
  EXPECT_TRUE(contains(pages.back(), "anv-10000"));
}

TEST(PdfLayoutTest, TextStaysInsideTheMargins) {
  TILLIT_REQUIRE_PDF_TOOL("pdftotext");
  Table table;
  table.columns = {{"Id", 0, Align::right}, {"Beskrivning"}, {"Länk"}};
  table.rows = {{"1", std::string(60, 'w') + " slut", "https://exempel.se/" + std::string(120, 'a')},
                {"12345", "kort", "–"}};
  std::string paragraph;
  for (int i = 0; i < 300; ++i) paragraph += "åtkomstgranskning ";
  Document document = with_block(Paragraph{paragraph});
  document.blocks.push_back(std::move(table));

  const auto boxes = word_boxes(rendered(document));
  ASSERT_FALSE(boxes.empty());
  for (const auto& box : boxes) {
    EXPECT_GE(box.x_min, 49.0) << box.text;
    EXPECT_LE(box.x_max, 595.276 - 49.0) << box.text;
    EXPECT_GE(box.y_min, 40.0) << box.text;
    EXPECT_LE(box.y_max, 841.89 - 10.0) << box.text;
  }
}

TEST(PdfLayoutTest, ParagraphsWrapWithoutLosingWords) {
  TILLIT_REQUIRE_PDF_TOOL("pdftotext");
  std::string paragraph;
  for (int i = 1; i <= 2000; ++i) paragraph += "ord" + std::to_string(i) + " ";
  const std::string text = pdf_text(rendered(with_block(Paragraph{paragraph})));
  std::size_t at = 0;
  for (int i = 1; i <= 2000; ++i) {
    at = text.find("ord" + std::to_string(i), at);
    ASSERT_NE(at, std::string::npos) << "ord" << i << " missing or out of order";
  }
}

TEST(PdfLayoutTest, RowTallerThanAPageContinuesUnderARepeatedHeader) {
  TILLIT_REQUIRE_PDF_TOOL("pdftotext");
  std::string long_cell;
  for (int i = 1; i <= 150; ++i) long_cell += "rad " + std::to_string(i) + "\n";
  Table table;
  table.columns = {{"Kolumn A"}, {"Kolumn B"}};
  table.rows = {{"före", "x"}, {"lång", long_cell}, {"efter", "y"}};
  const std::vector<std::string> pages = pdf_pages(rendered(with_block(std::move(table))));
  ASSERT_GE(pages.size(), 3u);
  for (std::size_t i = 1; i < pages.size(); ++i) EXPECT_TRUE(contains(pages[i], "Kolumn B")) << "page " << i + 1;
  std::string all;
  for (const auto& page : pages) all += page;
  for (int i = 1; i <= 150; ++i) EXPECT_EQ(count_of(all, "rad " + std::to_string(i) + "\n"), 1u) << "rad " << i;
  EXPECT_TRUE(contains(pages.back(), "efter"));
}

TEST(PdfLayoutTest, TableHeaderIsNeverAloneAtTheFootOfAPage) {
  TILLIT_REQUIRE_PDF_TOOL("pdftotext");
  // Tables of growing length after the title block: whichever one ends near the foot of the
  // first page, the next table's header must start on a page that also holds its first row.
  for (std::size_t first_rows = 30; first_rows <= 50; first_rows += 2) {
    Document document = access_review(first_rows);
    Table second;
    second.columns = {{"Andra tabellen"}, {"Värde"}};
    second.rows = {{"första raden", "1"}, {"andra raden", "2"}};
    document.blocks.push_back(std::move(second));
    for (const auto& page : pdf_pages(rendered(document))) {
      if (contains(page, "Andra tabellen")) {
        EXPECT_TRUE(contains(page, "första raden")) << first_rows << " rows";
      }
    }
  }
}
