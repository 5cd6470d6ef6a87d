// The list of formats. Adding a format: a folder under ingest/formats/ with a Format, one
// line here in registry.cpp, its sources in ingest/CMakeLists.txt.
#pragma once

#include <string_view>
#include <vector>

#include "format.h"

namespace tillit::ingest {

// In detection order (on equal confidence the earlier wins).
const std::vector<const Format*>& registered_formats();
const Format* find_format(std::string_view name);

}  // namespace tillit::ingest
