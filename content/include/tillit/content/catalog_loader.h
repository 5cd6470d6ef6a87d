// Reads catalogue files (format tillit-catalog/1, see content/README.md) into the core
// model, strictly: unknown keys, wrong types and broken rules are rejected with the line
// they are on. Used for the built-in catalogues and for files a user imports, so the
// built-in ones are held to the same rules as any other.
#pragma once

#include <string_view>
#include <vector>

#include "tillit/core/catalog.h"

namespace tillit::content {

// Parses one catalogue. The error message starts with "line N: " where the fault is.
Result<Catalog> parse_catalog(std::string_view yaml_text);

// The catalogues compiled into the binary: the annex, ISO/IEC 27001:2022 Annex A, GDPR.
// Parsed and cross-checked once; a broken built-in catalogue is a build defect (throws).
const std::vector<Catalog>& builtin_catalogs();
// The raw text of a built-in catalogue file, by catalogue id.
std::string_view builtin_catalog_source(std::string_view catalog_id);

}  // namespace tillit::content
