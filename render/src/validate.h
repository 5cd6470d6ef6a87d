// The rules a Document must keep before the PDF writer lays it out, checked up front so a
// broken report fails with a message naming the block, row and column, not with garbage in
// the middle of a PDF.
#pragma once

#include "tillit/core/result.h"
#include "tillit/render/document.h"

namespace tillit::render::detail {

// A title; metadata.generated_at set; headings of level 1 or 2; tables with at least one
// column, one cell per column in every row and finite, non-negative width hints; every
// string valid UTF-8.
Status validate_document(const Document& document);

}  // namespace tillit::render::detail
