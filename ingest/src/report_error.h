// Where in a report something is, and the one shape every "malformed report" error takes:
// "line 12, column 5 ($.Results[0].Vulnerabilities[3].Severity): expected a string". The
// format's hint (what the file should be and how to get it) is added by parse_report.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tillit/core/result.h"

namespace tillit::ingest {

struct Position {
  std::uint64_t line = 0;    // 1-based; 0 when unknown
  std::uint64_t column = 0;  // 1-based, in bytes
  std::uint64_t offset = 0;  // bytes from the start of the report
};

// "line L, column C (PATH)" or "byte N (PATH)" when the line is unknown; PATH left out when empty.
std::string describe(const Position& at, std::string_view path);

// invalid_argument: "<describe(at, path)>: <problem>".
Error malformed(const Position& at, std::string_view path, std::string_view problem);

}  // namespace tillit::ingest
