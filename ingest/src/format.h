// The one interface every report format implements (one folder per format under
// ingest/formats/, listed once in registry.cpp): its name, whether it recognises a report
// from the report's first bytes, and a streaming parse that hands findings to the Emitter.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emitter.h"
#include "tillit/core/result.h"
#include "tillit/ingest/finding.h"
#include "tillit/ingest/parse.h"
#include "tillit/ingest/source.h"

namespace tillit::ingest {

// What detection sees of a report: its first bytes and what a tolerant look at them found.
struct Head {
  enum class Syntax { unknown, json_object, json_array, xml };

  std::string_view bytes;  // up to 64 KiB, byte order mark removed
  Syntax syntax = Syntax::unknown;

  // JSON: member names seen in the head, as paths of up to three names with "[]" for array
  // levels: "matches", "matches[].vulnerability", "[].Target" (root array).
  std::vector<std::string> json_keys;
  // JSON: string members of the root object ("bomFormat" -> "CycloneDX").
  std::vector<std::pair<std::string, std::string>> json_root_strings;
  // XML: the root element.
  std::string xml_root;
  std::string xml_namespace;

  bool has_key(std::string_view key_path) const;
  std::string_view root_string(std::string_view key) const;  // "" when absent
};

Head read_head(std::string_view bytes);

// What a format's parse works with.
struct ParseContext {
  ByteSource& input;
  const ParseOptions& options;
  ReportHeader& header;
  Emitter& emitter;
};

class Format {
 public:
  virtual ~Format() = default;
  virtual std::string_view name() const = 0;         // "trivy": what --format takes
  virtual std::string_view description() const = 0;  // "Trivy JSON (schema 2, pre-0.20 list, Kubernetes)"
  // How to get a good report of this format, added to "malformed report" errors.
  virtual std::string_view how_to_export() const = 0;
  // 0: not this format; otherwise how sure (the highest wins; 100 is certain).
  virtual int detect(const Head& head) const = 0;
  // Streams the report, emitting each finding as soon as it is complete. Fills what it
  // learns of the report into context.header.
  virtual Status parse(ParseContext& context) const = 0;
};

}  // namespace tillit::ingest
