// CSV export of report tables (RFC 4180): fields separated by a comma (or a semicolon, see
// below), records ended by CRLF, a field quoted when it holds the separator, a quote, CR or
// LF, quotes inside doubled. The header row is the first record.
//
// Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
// = + - @ as a formula, and TAB or CR at the start can hide such a cell from a reviewer, so
// an exported scanner title like =HYPERLINK(...) would execute on the customer's machine.
// With protect_formulas (the default) such a cell gets a leading apostrophe, which makes
// Excel and LibreOffice treat it as text. Plain numbers ("-3", "-2,5", "+7") are left as they
// are: they cannot be formulas, and prefixing them would turn them into text and break sums.
//
// Text is written as UTF-8. Invalid UTF-8 in a cell is replaced by U+FFFD rather than
// rejected: the streaming writer may already have sent earlier rows, and the replacement is
// visible to whoever opens the file.
#pragma once

#include <ostream>
#include <span>
#include <string>

#include "tillit/core/result.h"
#include "tillit/render/document.h"

namespace tillit::render {

struct CsvOptions {
  // Start with a UTF-8 byte order mark. Excel needs it to read the file as UTF-8 (without
  // it, å ä ö turn into mojibake in a Swedish Excel); other tools ignore it or show it.
  bool byte_order_mark = false;
  // ';' instead of ','. Excel in a Swedish locale splits a double-clicked file on ';',
  // because ',' is the Swedish decimal separator. Not RFC 4180, hence off by default.
  bool semicolon_separator = false;
  bool protect_formulas = true;
};

// The whole table as one string.
std::string render_csv(const Table& table, const CsvOptions& options = {});

// Writes records one at a time, for exports too large to hold in memory.
class CsvWriter {
 public:
  // Writes the byte order mark at once when the options ask for it.
  explicit CsvWriter(std::ostream& out, CsvOptions options = {});

  // Fails with unavailable when the stream does (disk full, client gone); the caller stops.
  Status write_row(std::span<const std::string> cells);

 private:
  std::ostream& out_;
  CsvOptions options_;
  std::string record_;  // reused buffer, so a long export does not allocate per row
};

// The header and every row of `table` through a CsvWriter.
Status write_csv(std::ostream& out, const Table& table, const CsvOptions& options = {});

}  // namespace tillit::render
