// PDF writer for the report model: A4 pages, DejaVu Sans (embedded in the binary and as a
// subset in each PDF, so å ä ö and symbols such as ≥ and – print on any reader), wrapped
// paragraphs and table cells, the table header repeated on every page a table runs onto,
// and "Page N of M" ("Sida N av M") at the foot of each page.
//
// The output is deterministic: the same Document gives the same bytes. The creation date
// is Metadata::generated_at (the writer never reads the clock) and the PDF carries no file
// ID or other random content, so a report can be regenerated and compared byte for byte.
//
// Text rules: every string must be valid UTF-8 (invalid input is rejected with its
// location, because a formal report must not print something other than the stored data);
// TAB prints as a space, other control characters are dropped, and characters outside the
// Basic Multilingual Plane (emoji) print as U+FFFD, the PDF font encoding being 16-bit.
//
// Thread-safe: each call builds its own libharu document; calls may run in parallel.
#pragma once

#include <string>
#include <string_view>

#include "tillit/core/result.h"
#include "tillit/render/document.h"

namespace tillit::render {

// The PDF file's bytes. Fails with invalid_argument when the document breaks a rule of the
// model (the message names the block, row and column), internal when libharu fails.
Result<std::string> render_pdf(const Document& document);

// The licence of the embedded DejaVu fonts, which must travel with every copy of them:
// for a "licences" page or command.
std::string_view font_licence_text();

}  // namespace tillit::render
