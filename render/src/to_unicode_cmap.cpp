#include "to_unicode_cmap.h"

#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include <cstdio>
#include <string>

namespace tillit::render::detail {
namespace {

// A ToUnicode CMap (Adobe technical note 5411) mapping every 16-bit code to the same
// code point. A bfrange may only vary in its last byte, so the map is one range per high
// byte; the surrogate high bytes D8-DF never occur (libharu writes BMP code points only).
// At most 100 ranges per block, as the note requires.
std::string identity_to_unicode_cmap() {
  std::string ranges;
  int in_block = 0;
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n"
      "12 dict begin\n"
      "begincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n"
      "/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  const auto flush = [&] {
    if (in_block == 0) return;
    cmap += std::to_string(in_block) + " beginbfrange\n" + ranges + "endbfrange\n";
    ranges.clear();
    in_block = 0;
  };
  for (int high = 0; high <= 0xFF; ++high) {
    if (high >= 0xD8 && high <= 0xDF) continue;
    char line[32];
    std::snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", high, high, high);
    ranges += line;
    if (++in_block == 100) flush();
  }
  flush();
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return cmap;
}

}  // namespace

Status repair_to_unicode_cmap(HPDF_Font font) {
  auto* map = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT));
  if (map == nullptr || map->stream == nullptr) return {};
  static const std::string cmap = identity_to_unicode_cmap();
  HPDF_MemStream_FreeData(map->stream);
  if (HPDF_Stream_Write(map->stream, reinterpret_cast<const HPDF_BYTE*>(cmap.data()),
                        static_cast<HPDF_UINT>(cmap.size())) != HPDF_OK)
    return make_error(ErrorCode::unavailable, "could not write the font's ToUnicode map (out of memory); retry later");
  return {};
}

}  // namespace tillit::render::detail
