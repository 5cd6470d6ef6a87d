// One libharu document, owned, with libharu's errors turned into values. libharu reports an
// error by calling a handler and returning a status; the handler here records the first
// error (it must not throw through C code), and callers ask status() at each stage.
#pragma once

#include <hpdf.h>

#include <string>
#include <string_view>

#include "tillit/core/result.h"
#include "tillit/core/time.h"

namespace tillit::render::detail {

class HaruDocument {
 public:
  // A document with UTF-8 encodings enabled and every stream compressed.
  HaruDocument();
  ~HaruDocument();
  HaruDocument(const HaruDocument&) = delete;
  HaruDocument& operator=(const HaruDocument&) = delete;

  HPDF_Doc handle() const { return doc_; }
  bool failed() const { return doc_ == nullptr || error_ != HPDF_OK; }
  // Ok, or the first libharu error, described as having happened while doing `stage`.
  Status status(std::string_view stage) const;

  // Loads a TrueType font from memory for embedding, with UTF-8 text encoding.
  Result<HPDF_Font> load_font(std::string_view truetype_bytes, std::string_view font_name);

  // Document information: Title and Subject (PDFDocEncoding), Author and Creator "Tillit",
  // and the creation and modification dates set to `created`.
  Status set_info(std::string_view title, std::string_view subject, Timestamp created);

  // The finished PDF file.
  Result<std::string> save();

 private:
  static void HPDF_STDCALL on_error(HPDF_STATUS error, HPDF_STATUS detail, void* self);

  HPDF_Doc doc_ = nullptr;
  HPDF_STATUS error_ = HPDF_OK;
  HPDF_STATUS detail_ = 0;
};

}  // namespace tillit::render::detail
