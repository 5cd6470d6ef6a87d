// The layout helpers on their own: UTF-8 handling, wrapping with made-up metrics, column
// widths and the PDFDocEncoding of document information.
#include <gtest/gtest.h>

#include "column_widths.h"
#include "pdf_doc_encoding.h"
#include "text_layout.h"
#include "utf8.h"

using namespace tillit::render::detail;

namespace {

// Every character 500 thousandths of an em wide, a space 250: at 10 points a letter is 5
// points and a space 2.5.
FontMetrics fixed_metrics() {
  return FontMetrics([](char32_t c) { return c == U' ' ? 250 : 500; });
}

std::vector<std::string> wrapped(std::string_view text, double width) {
  FontMetrics metrics = fixed_metrics();
  std::vector<std::string> lines;
  for (const auto& line : wrap_text(printable_code_points(text), metrics, 10, width)) lines.push_back(to_utf8(line));
  return lines;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST(Utf8Test, FindsTheFirstIllFormedSequence) {
  EXPECT_FALSE(first_invalid_utf8("åäö ÅÄÖ é ≥ – 😀"));
  EXPECT_EQ(first_invalid_utf8("ab\x80"), 2u);          // stray continuation byte
  EXPECT_EQ(first_invalid_utf8("a\xE2\x89"), 1u);       // truncated
  EXPECT_EQ(first_invalid_utf8("\xE0\x80\x80"), 0u);    // overlong NUL
  EXPECT_EQ(first_invalid_utf8("x\xED\xB0\x80"), 1u);   // lone surrogate
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // beyond U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\xFE"), 0u);
}

TEST(Utf8Test, PrintableCodePointsNormaliseLinesAndDropControls) {
  EXPECT_EQ(printable_code_points("a\r\nb\rc\nd"), U"a\nb\nc\nd");
  EXPECT_EQ(printable_code_points("a\tb"), U"a b");
  EXPECT_EQ(printable_code_points(std::string_view("a\x00\x07\x1b" "b", 5)), U"ab");
  EXPECT_EQ(printable_code_points("\xC2\x85x"), U"x");  // C1 control NEL
  EXPECT_EQ(printable_code_points("ok 😀"), U"ok \uFFFD");
  EXPECT_EQ(printable_code_points("åäö≥–"), U"åäö≥–");
}

TEST(WrapTest, ShortTextIsOneLine) {
  EXPECT_EQ(wrapped("abc def", 100), (Lines{"abc def"}));
  EXPECT_EQ(wrapped("", 100), (Lines{""}));
}

TEST(WrapTest, BreaksAtSpacesAndDropsThem) {
  // "abc def" is 15 + 2.5 + 15 = 32.5 points.
  EXPECT_EQ(wrapped("abc def", 32.5), (Lines{"abc def"}));
  EXPECT_EQ(wrapped("abc def", 32), (Lines{"abc", "def"}));
  EXPECT_EQ(wrapped("abc    def ghi", 35), (Lines{"abc", "def ghi"}));
}

TEST(WrapTest, BreaksAWordTooLongForAnyLine) {
  EXPECT_EQ(wrapped("abcdefghij", 20), (Lines{"abcd", "efgh", "ij"}));
  EXPECT_EQ(wrapped("xy abcdefghij", 20), (Lines{"xy", "abcd", "efgh", "ij"}));
}

TEST(WrapTest, EveryLineHoldsACharacterEvenWhenNoneFits) {
  EXPECT_EQ(wrapped("abc", 1), (Lines{"a", "b", "c"}));
}

TEST(WrapTest, NewlinesAlwaysBreakAndEmptyLinesStay) {
  EXPECT_EQ(wrapped("a\n\nb", 100), (Lines{"a", "", "b"}));
  EXPECT_EQ(wrapped("a\n", 100), (Lines{"a", ""}));
}

TEST(WrapTest, LeadingSpacesIndentOnlyTheFirstLineOfAParagraphLine) {
  EXPECT_EQ(wrapped("  abc def", 30), (Lines{"  abc", "def"}));
}

TEST(WrapTest, SwedishLettersCountAsOneCharacterEach) {
  EXPECT_EQ(wrapped("åäö ÅÄÖ", 15), (Lines{"åäö", "ÅÄÖ"}));
}

TEST(ExtentTest, WidestLineAndWord) {
  FontMetrics metrics = fixed_metrics();
  const TextExtent extent = measure_extent(U"ab abcd\nabcdef", metrics, 10);
  EXPECT_DOUBLE_EQ(extent.widest_line, 32.5);
  EXPECT_DOUBLE_EQ(extent.widest_word, 30);
}

TEST(ColumnWidthsTest, HintsShareTheWidth) {
  const auto widths = column_widths({{.hint = 1}, {.hint = 3}}, 400, 8);
  EXPECT_DOUBLE_EQ(widths[0], 100);
  EXPECT_DOUBLE_EQ(widths[1], 300);
}

TEST(ColumnWidthsTest, ColumnsWithoutHintGetTheAverageHint) {
  const auto widths = column_widths({{.hint = 1}, {.hint = 3}, {}}, 600, 8);
  EXPECT_DOUBLE_EQ(widths[2], 200);
}

TEST(ColumnWidthsTest, ContentThatFitsGrowsInProportion) {
  const auto widths = column_widths({{.widest_line = 92, .widest_word = 40}, {.widest_line = 192, .widest_word = 40}},
                                    600, 8);
  EXPECT_DOUBLE_EQ(widths[0], 200);
  EXPECT_DOUBLE_EQ(widths[1], 400);
}

TEST(ColumnWidthsTest, LongWordsGetTheirRoomFirst) {
  // Natural 1000 + 100 does not fit 500; minimums 100 + 100 do; the spare 300 goes to the
  // column that wants more.
  const auto widths =
      column_widths({{.widest_line = 992, .widest_word = 92}, {.widest_line = 92, .widest_word = 92}}, 500, 8);
  EXPECT_DOUBLE_EQ(widths[0], 400);
  EXPECT_DOUBLE_EQ(widths[1], 100);
}

TEST(ColumnWidthsTest, WhenLongWordsCannotFitOnlyTheirColumnsNarrow) {
  // Minimums 40 (an id), 600 (capped at the table's 400) and 300: the id keeps its 40 and
  // the other two share the remaining 360.
  const auto widths = column_widths({{.widest_line = 32, .widest_word = 32},
                                     {.widest_line = 592, .widest_word = 592},
                                     {.widest_line = 292, .widest_word = 292}},
                                    400, 8);
  EXPECT_DOUBLE_EQ(widths[0], 40);
  EXPECT_DOUBLE_EQ(widths[1], 180);
  EXPECT_DOUBLE_EQ(widths[2], 180);
}

TEST(PdfDocEncodingTest, LatinLettersAndTypographicMarks) {
  EXPECT_EQ(to_pdf_doc_encoding("Åtkomst åäö é"), "\xC5tkomst \xE5\xE4\xF6 \xE9");
  EXPECT_EQ(to_pdf_doc_encoding("a – b — “c” €"), "a \x85 b \x84 \x8D" "c\x8E \xA0");
  EXPECT_EQ(to_pdf_doc_encoding("x ≥ 1"), "x ? 1");
  EXPECT_EQ(to_pdf_doc_encoding("rad\nny"), "rad ny");
}
