// Report documents the render tests build: an access review in Swedish with as many rows
// as a test asks for.
#pragma once

#include <cstddef>
#include <string>

#include "tillit/render/document.h"

namespace tillit::render::testing {

// 2026-01-15T10:30:00Z, the fixed "now" of every test report.
Timestamp report_time();

// An access review ("Åtkomstgranskning") with a heading, a paragraph, a key/value list and
// a table of `rows` accounts, columns Användare, Namn, Roll, Beslut, Granskad av.
Document access_review(std::size_t rows, Language language = Language::sv);

// The table of access_review.
Table account_table(std::size_t rows);

}  // namespace tillit::render::testing
