// Streaming JSON: yajl reads the report in 64 KiB chunks and this reader tells a format's
// Handler where it is. At each container the handler decides: skip it (cheap, nothing kept),
// descend into it (members arrive one by one) or capture it (the whole subtree is built in a
// reused Tree and handed over when complete). Findings are captured one at a time, so memory
// is bounded by the largest finding, never by the report.
//
// Every problem, the report's or the handler's, stops the read with a position: line and
// column (in bytes) of the offending value's start and its JSON path.
#pragma once

#include "json/json_path.h"
#include "json/json_tree.h"
#include "report_error.h"
#include "tillit/core/result.h"
#include "tillit/ingest/source.h"

namespace tillit::ingest::json {

struct Scalar {
  Type type;
  std::string_view text;  // string contents, raw number, "true", "false" or "null"
  Position position;
};

enum class Action { skip, descend, capture };

class Handler {
 public:
  virtual ~Handler() = default;
  // A container starts at `path` (the root has an empty path). An error stops the read.
  virtual Result<Action> on_container(const Path& path, Type type, const Position& at) = 0;
  // A scalar inside a descended container (or the root itself).
  virtual Status on_scalar(const Path& path, const Scalar& value) = 0;
  // A captured container is complete; `root` is valid during the call only.
  virtual Status on_captured(const Path& path, Node root) = 0;
  // A descended container ended.
  virtual Status on_container_end(const Path& path) {
    (void)path;
    return {};
  }
};

// Reads `input` to its end through `handler`.
Status read(ByteSource& input, Handler& handler);

// What "problem at this place" looks like for a handler that has a path and a position.
Error problem_at(const Path& path, const Position& at, std::string_view problem);

// No scanner report nests deeper; a deeper file is refused before it costs memory.
inline constexpr std::size_t kMaxDepth = 256;
// A single captured entry (one finding, one rule table) larger than this is refused.
inline constexpr std::size_t kMaxCapture = 64u << 20;

}  // namespace tillit::ingest::json
