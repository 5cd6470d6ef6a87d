// A repair for libharu 2.3.0's UTF-8 TrueType fonts. libharu writes their text as 16-bit
// Unicode code points (Identity-H), but gives the font a /ToUnicode stream that is a copy
// of its encoding CMap (a "cidrange" CMap), which is not a valid ToUnicode map. Readers then
// guess, or fail, when extracting or searching text, and screen readers rely on that map:
// poppler warns "Invalid 'begincidrange' operator in ToUnicode CMap". This replaces the
// stream's content with a valid map from each code to the same Unicode code point.
#pragma once

#include <hpdf.h>

#include "tillit/core/result.h"

namespace tillit::render::detail {

// Reaches into libharu's object model (hpdf_objects.h, installed with libhpdf-dev): the
// font is a dictionary whose "ToUnicode" entry is a stream dictionary. Does nothing when the
// entry is missing, so a libharu that stops writing the broken map needs no change here.
Status repair_to_unicode_cmap(HPDF_Font font);

}  // namespace tillit::render::detail
