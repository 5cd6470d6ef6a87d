// PDFDocEncoding, the 8-bit encoding of the PDF's document information strings (Title,
// Subject). libharu 2.3.0 writes those strings as given bytes, and its conversion through
// the UTF-8 encoder pairs up bytes as if they were double-byte codes, so the writer
// converts them itself (PDF 1.7, annex D.2).
#pragma once

#include <string>
#include <string_view>

namespace tillit::render::detail {

// Valid UTF-8 to PDFDocEncoding: Latin-1 letters (å ä ö é ...) and the common typographic
// marks (– — ‘ ’ “ ” • … €) map to their bytes; line breaks and TABs become spaces, other
// control characters are dropped, and anything else becomes '?'.
std::string to_pdf_doc_encoding(std::string_view valid_utf8);

}  // namespace tillit::render::detail
