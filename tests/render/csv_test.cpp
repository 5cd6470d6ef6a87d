#include <gtest/gtest.h>

#include <sstream>

#include "sample_reports.h"
#include "tillit/render/csv.h"

using namespace tillit;
using namespace tillit::render;

namespace {

Table one_column(std::vector<std::string> cells) {
  Table table;
  table.columns = {{"Värde"}};
  for (auto& cell : cells) table.rows.push_back({std::move(cell)});
  return table;
}

// The one data record of a one-column table, without its CRLF.
std::string single_cell(const std::string& cell, CsvOptions options = {}) {
  const std::string csv = render_csv(one_column({cell}), options);
  const std::string header = "Värde\r\n";
  EXPECT_EQ(csv.substr(0, header.size()), header);
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
  return csv.substr(header.size(), csv.size() - header.size() - 2);
}

}  // namespace

TEST(CsvTest, WritesHeaderThenRowsWithCrlfAfterEveryRecord) {
  Table table;
  table.columns = {{"Användare"}, {"Roll"}};
  table.rows = {{"åsa", "läsare"}, {"örjan", "ägare"}};
  EXPECT_EQ(render_csv(table), "Användare,Roll\r\nåsa,läsare\r\nörjan,ägare\r\n");
}

TEST(CsvTest, QuotesFieldsHoldingSeparatorQuoteCrOrLf) {
  EXPECT_EQ(single_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(single_cell("säg \"hej\""), "\"säg \"\"hej\"\"\"");
  EXPECT_EQ(single_cell("rad ett\nrad två"), "\"rad ett\nrad två\"");
  EXPECT_EQ(single_cell("a\r\nb"), "\"a\r\nb\"");
  EXPECT_EQ(single_cell("utan specialtecken"), "utan specialtecken");
  EXPECT_EQ(single_cell(""), "");
}

TEST(CsvTest, EmptyTableIsTheHeaderAlone) {
  Table table;
  table.columns = {{"a"}, {"b,c"}};
  EXPECT_EQ(render_csv(table), "a,\"b,c\"\r\n");
}

TEST(CsvTest, CellsStartingLikeAFormulaGetAnApostrophe) {
  EXPECT_EQ(single_cell("=1+1"), "'=1+1");
  EXPECT_EQ(single_cell("+SUM(A1:A9)"), "'+SUM(A1:A9)");
  EXPECT_EQ(single_cell("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
  EXPECT_EQ(single_cell("@SUM(1)"), "'@SUM(1)");
  EXPECT_EQ(single_cell("\t=1+1"), "'\t=1+1");
  EXPECT_EQ(single_cell("\r=1+1"), "\"'\r=1+1\"");  // CR also forces quoting
}

TEST(CsvTest, ProtectionAndQuotingCombine) {
  EXPECT_EQ(single_cell("=HYPERLINK(\"http://evil.example\",\"Klicka\")"),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Klicka\"\")\"");
}

TEST(CsvTest, PlainNumbersAreNotProtected) {
  EXPECT_EQ(single_cell("-3"), "-3");
  EXPECT_EQ(single_cell("+7"), "+7");
  EXPECT_EQ(single_cell("-2.5"), "-2.5");
  EXPECT_EQ(single_cell("-2,5"), "\"-2,5\"");
  EXPECT_EQ(single_cell("-"), "'-");
  EXPECT_EQ(single_cell("-1e5"), "'-1e5");
  EXPECT_EQ(single_cell("-2,"), "\"'-2,\"");
}

TEST(CsvTest, CellsWithAFormulaCharacterLaterAreLeftAlone) {
  EXPECT_EQ(single_cell("a=b"), "a=b");
  EXPECT_EQ(single_cell(" =1+1"), " =1+1");
  EXPECT_EQ(single_cell("user@example.se"), "user@example.se");
}

TEST(CsvTest, ProtectionCanBeTurnedOff) {
  EXPECT_EQ(single_cell("=1+1", {.protect_formulas = false}), "=1+1");
}

TEST(CsvTest, ByteOrderMarkOnlyWhenAsked) {
  const Table table = one_column({"å"});
  EXPECT_EQ(render_csv(table, {.byte_order_mark = true}), "\xEF\xBB\xBFVärde\r\nå\r\n");
  EXPECT_EQ(render_csv(table), "Värde\r\nå\r\n");
}

TEST(CsvTest, SemicolonSeparatorQuotesSemicolonsNotCommas) {
  Table table;
  table.columns = {{"a"}, {"b"}};
  table.rows = {{"1,5", "x;y"}};
  EXPECT_EQ(render_csv(table, {.semicolon_separator = true}), "a;b\r\n1,5;\"x;y\"\r\n");
}

TEST(CsvTest, InvalidUtf8IsReplacedNotPassedOn) {
  EXPECT_EQ(single_cell("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(single_cell("\xC3"), "\xEF\xBF\xBD");               // truncated sequence
  EXPECT_EQ(single_cell("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(single_cell("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(single_cell("≥ – é"), "≥ – é");
}

TEST(CsvTest, StreamingWriterGivesTheSameBytes) {
  const Table table = render::testing::account_table(50);
  std::ostringstream out;
  ASSERT_TRUE(write_csv(out, table, {.byte_order_mark = true}).ok());
  EXPECT_EQ(out.str(), render_csv(table, {.byte_order_mark = true}));
}

TEST(CsvTest, WriterRowByRow) {
  std::ostringstream out;
  CsvWriter writer(out);
  const std::vector<std::string> header{"id", "titel"};
  const std::vector<std::string> row{"1", "=cmd"};
  ASSERT_TRUE(writer.write_row(header).ok());
  ASSERT_TRUE(writer.write_row(row).ok());
  EXPECT_EQ(out.str(), "id,titel\r\n1,'=cmd\r\n");
}

TEST(CsvTest, FailingStreamIsReported) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  const Status status = write_csv(out, render::testing::account_table(3));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::unavailable);
  EXPECT_NE(status.error().message.find("export again"), std::string::npos);
}
