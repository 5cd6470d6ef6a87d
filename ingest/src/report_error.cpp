#include "report_error.h"

namespace tillit::ingest {

std::string describe(const Position& at, std::string_view path) {
  std::string out;
  if (at.line > 0) {
    out = "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
  } else {
    out = "byte " + std::to_string(at.offset);
  }
  if (!path.empty()) {
    out += " (";
    out += path;
    out += ')';
  }
  return out;
}

Error malformed(const Position& at, std::string_view path, std::string_view problem) {
  std::string message = describe(at, path);
  message += ": ";
  message += problem;
  return make_error(ErrorCode::invalid_argument, std::move(message));
}

}  // namespace tillit::ingest
