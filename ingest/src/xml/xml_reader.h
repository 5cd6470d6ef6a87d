// Streaming XML: expat reads the report in 64 KiB chunks and this reader tells a format's
// Handler where it is. At each element the handler decides: skip it (nothing kept), descend
// into it (child elements arrive one by one) or capture it (the element with everything
// inside is built in a reused ElementTree and handed over when it ends).
//
// Safety: a report never needs a document type declaration, and a DTD is what XML attacks
// are made of (external entities that read local files or URLs, XXE; entities that expand
// exponentially, "billion laughs"). Any <!DOCTYPE> stops the read with an error that says
// so; parameter entities are never parsed and no external entity is ever loaded.
#pragma once

#include "report_error.h"
#include "tillit/core/result.h"
#include "tillit/ingest/source.h"
#include "xml/xml_path.h"
#include "xml/xml_tree.h"

namespace tillit::ingest::xml {

enum class Action { skip, descend, capture };

// Attributes of a start tag as expat gives them (name, value, ..., nullptr).
class Attributes {
 public:
  explicit Attributes(const char** raw) : raw_(raw) {}
  std::string_view get(std::string_view local) const;  // "" when absent

 private:
  const char** raw_;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // An element starts; `path` ends with it. An error stops the read.
  virtual Result<Action> on_element(const Path& path, const Attributes& attributes, const Position& at) = 0;
  // A captured element ended; `element` is valid during the call only.
  virtual Status on_captured(const Path& path, Element element) = 0;
  // A descended element ended; `path` still ends with it.
  virtual Status on_element_end(const Path& path) {
    (void)path;
    return {};
  }
};

// Reads `input` to its end through `handler`.
Status read(ByteSource& input, Handler& handler);

// The root element of an XML head, for format detection: never fails, reads no DTD.
struct Root {
  std::string local;
  std::string namespace_uri;
};
Root sniff_root(std::string_view head);

inline constexpr std::size_t kMaxDepth = 256;
inline constexpr std::size_t kMaxCapture = 64u << 20;

}  // namespace tillit::ingest::xml
