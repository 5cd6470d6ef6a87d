#include "validate.h"

#include <chrono>
#include <cmath>
#include <string>
#include <type_traits>

#include "utf8.h"

namespace tillit::render::detail {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

Status check_utf8(std::string_view text, const std::string& where) {
  if (const auto offset = first_invalid_utf8(text))
    return invalid(where + " is not valid UTF-8 (bad byte at offset " + std::to_string(*offset) +
                   "); the report prints stored data exactly, so fix the stored text or the code that "
                   "reads it rather than the report");
  return {};
}

std::string block_name(std::size_t index, const char* kind) {
  return "block " + std::to_string(index + 1) + " (" + kind + ")";
}

Status check_heading(const Heading& heading, const std::string& where) {
  if (heading.level != 1 && heading.level != 2)
    return invalid(where + " has level " + std::to_string(heading.level) + "; use 1 for a section or 2 for a subsection");
  return check_utf8(heading.text, where);
}

Status check_key_values(const std::vector<KeyValue>& items, const std::string& where) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item = where + " item " + std::to_string(i + 1);
    if (auto s = check_utf8(items[i].key, item + " key"); !s) return s;
    if (auto s = check_utf8(items[i].value, item + " value"); !s) return s;
  }
  return {};
}

Status check_table(const Table& table, const std::string& where) {
  if (table.columns.empty()) return invalid(where + " has no columns; give it at least one Column");
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const Column& column = table.columns[c];
    const std::string name = where + " column " + std::to_string(c + 1);
    if (!std::isfinite(column.width_hint) || column.width_hint < 0)
      return invalid(name + " has width hint " + std::to_string(column.width_hint) +
                     "; use a positive share of the width, or 0 to size the column from its content");
    if (auto s = check_utf8(column.header, name + " header"); !s) return s;
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const std::string name = where + " row " + std::to_string(r + 1);
    if (row.size() != table.columns.size())
      return invalid(name + " has " + std::to_string(row.size()) + " cells but the table has " +
                     std::to_string(table.columns.size()) + " columns; give every row one cell per column");
    for (std::size_t c = 0; c < row.size(); ++c)
      if (auto s = check_utf8(row[c], name + " column " + std::to_string(c + 1)); !s) return s;
  }
  return {};
}

Status check_metadata(const Metadata& m) {
  if (m.generated_at == Timestamp{})
    return invalid("metadata.generated_at is not set; pass the time the report was generated (it is printed and "
                   "becomes the PDF's creation date)");
  const int year = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(m.generated_at)}.year());
  if (year < 1 || year > 9999)  // a PDF date has four digits for the year
    return invalid("metadata.generated_at is in the year " + std::to_string(year) +
                   ", outside the years 1-9999 a PDF date can hold; pass the real time");
  const std::pair<const std::string*, const char*> fields[] = {
      {&m.organisation, "metadata.organisation"}, {&m.period, "metadata.period"},
      {&m.generated_by, "metadata.generated_by"}, {&m.report_id, "metadata.report_id"},
      {&m.data_sha256, "metadata.data_sha256"}};
  for (const auto& [value, name] : fields)
    if (auto s = check_utf8(*value, name); !s) return s;
  return check_key_values(m.extra, "metadata.extra");
}

}  // namespace

Status validate_document(const Document& document) {
  if (document.title.empty()) return invalid("the report has no title; set Document::title");
  if (auto s = check_utf8(document.title, "the title"); !s) return s;
  if (auto s = check_utf8(document.subtitle, "the subtitle"); !s) return s;
  if (auto s = check_utf8(document.footer_note, "the footer note"); !s) return s;
  if (auto s = check_metadata(document.metadata); !s) return s;
  for (std::size_t i = 0; i < document.blocks.size(); ++i) {
    Status s = std::visit(
        [&](const auto& block) -> Status {
          using T = std::decay_t<decltype(block)>;
          if constexpr (std::is_same_v<T, Heading>) return check_heading(block, block_name(i, "heading"));
          if constexpr (std::is_same_v<T, Paragraph>) return check_utf8(block.text, block_name(i, "paragraph"));
          if constexpr (std::is_same_v<T, KeyValueList>) return check_key_values(block.items, block_name(i, "key/value list"));
          if constexpr (std::is_same_v<T, Table>) return check_table(block, block_name(i, "table"));
        },
        document.blocks[i]);
    if (!s) return s;
  }
  return {};
}

}  // namespace tillit::render::detail
