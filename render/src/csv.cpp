#include "tillit/render/csv.h"

#include <sstream>

#include "utf8.h"

namespace tillit::render {
namespace {

// "-3", "+7", "-2.5", "-2,5": a number, which a spreadsheet reads as a number, never as a
// formula, so protecting it would only turn it into text.
bool is_plain_number(std::string_view cell) {
  std::size_t i = 0;
  if (i < cell.size() && (cell[i] == '-' || cell[i] == '+')) ++i;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < cell.size() && cell[i] >= '0' && cell[i] <= '9') ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < cell.size() && (cell[i] == '.' || cell[i] == ',')) {
    ++i;
    if (!digits()) return false;
  }
  return i == cell.size();
}

// The characters OWASP lists as starting a formula (= + - @) or hiding one (TAB, CR).
bool starts_like_formula(std::string_view cell) {
  if (cell.empty()) return false;
  switch (cell.front()) {
    case '=': case '+': case '-': case '@': case '\t': case '\r':
      return !is_plain_number(cell);
    default:
      return false;
  }
}

void append_field(std::string& record, std::string_view raw, const CsvOptions& options) {
  std::string repaired;  // only allocated for the rare invalid cell
  std::string_view cell = raw;
  if (detail::first_invalid_utf8(raw)) cell = repaired = detail::replace_invalid_utf8(raw);
  const char* needs_quotes = options.semicolon_separator ? ";\"\r\n" : ",\"\r\n";
  const bool protect = options.protect_formulas && starts_like_formula(cell);
  const bool quote = cell.find_first_of(needs_quotes) != std::string_view::npos;
  if (quote) record.push_back('"');
  if (protect) record.push_back('\'');
  for (char c : cell) {
    if (c == '"') record.push_back('"');
    record.push_back(c);
  }
  if (quote) record.push_back('"');
}

}  // namespace

CsvWriter::CsvWriter(std::ostream& out, CsvOptions options) : out_(out), options_(options) {
  if (options_.byte_order_mark) out_ << "\xEF\xBB\xBF";
}

Status CsvWriter::write_row(std::span<const std::string> cells) {
  record_.clear();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) record_.push_back(options_.semicolon_separator ? ';' : ',');
    append_field(record_, cells[i], options_);
  }
  record_ += "\r\n";
  out_.write(record_.data(), static_cast<std::streamsize>(record_.size()));
  if (!out_)
    return make_error(ErrorCode::unavailable,
                      "writing the CSV export failed (disk full, or the receiver went away); free space and export again");
  return {};
}

Status write_csv(std::ostream& out, const Table& table, const CsvOptions& options) {
  CsvWriter writer(out, options);
  std::vector<std::string> header;
  header.reserve(table.columns.size());
  for (const auto& column : table.columns) header.push_back(column.header);
  if (auto s = writer.write_row(header); !s) return s;
  for (const auto& row : table.rows)
    if (auto s = writer.write_row(row); !s) return s;
  return {};
}

std::string render_csv(const Table& table, const CsvOptions& options) {
  std::ostringstream out;
  (void)write_csv(out, table, options);  // a string stream does not fail short of running out of memory
  return std::move(out).str();
}

}  // namespace tillit::render
