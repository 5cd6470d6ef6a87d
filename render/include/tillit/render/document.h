// The document model of Tillit's formal reports (access-review evidence, privileged roles,
// compliance status, incidents, vulnerabilities). A report builds one Document; the PDF
// writer lays it out and the CSV writer exports its tables, so both formats always show the
// same data. The model holds text only (UTF-8), no layout: where lines wrap and pages break
// is the writer's business, which keeps report code free of coordinates.
//
// Plain aggregates with no behaviour, safe to build on one thread and hand to another.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "tillit/core/time.h"

namespace tillit::render {

// The language of the fixed strings the writers add themselves (metadata labels,
// "Page 1 of 3" / "Sida 1 av 3"). The caller's own text is used as given.
enum class Language { sv, en };

struct KeyValue {
  std::string key;
  std::string value;
};

// Who and what a report is about, and where its data came from. Shown under the title
// with labels in the document's language; empty fields are left out.
struct Metadata {
  std::string organisation;
  std::string period;         // e.g. "2026-01-01 – 2026-03-31"
  Timestamp generated_at{};   // also the PDF's creation date: the caller's clock, never the writer's
  std::string generated_by;   // the user (or job) that produced the report
  std::string report_id;
  std::string data_sha256;    // hex SHA-256 of the data the report was built from
  std::vector<KeyValue> extra;  // further lines, labelled by the caller
};

// A section heading; level 1 for sections, 2 for subsections.
struct Heading {
  int level = 1;
  std::string text;
};

// Running text. A '\n' starts a new line; lines wrap at the page width.
struct Paragraph {
  std::string text;
};

// Label/value lines, e.g. the facts of one incident.
struct KeyValueList {
  std::vector<KeyValue> items;
};

enum class Align { left, right };

struct Column {
  std::string header;
  // Relative share of the table width (a column with 2 gets twice the width of one with 1).
  // 0 lets the writer size the column from its content; when some columns have hints,
  // those without one get the average hinted share.
  double width_hint = 0;
  Align align = Align::left;  // right for counts and scores
};

// A table; every row has exactly one cell per column. The PDF writer repeats the header on
// each page the table runs onto; the CSV writer writes it as the first record.
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
};

using Block = std::variant<Heading, Paragraph, KeyValueList, Table>;

struct Document {
  Language language = Language::sv;
  std::string title;
  std::string subtitle;
  Metadata metadata;
  std::vector<Block> blocks;  // in reading order
  std::string footer_note;    // printed at the foot of every page, e.g. a classification
};

}  // namespace tillit::render
