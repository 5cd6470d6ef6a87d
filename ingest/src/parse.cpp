#include "tillit/ingest/parse.h"

#include <cstring>
#include <memory>

#include "emitter.h"
#include "format.h"
#include "identifiers.h"
#include "registry.h"

namespace tillit::ingest {
namespace {

constexpr std::size_t kHeadSize = 64 * 1024;

// Serves the head that detection already read, then the rest of the input; so detection
// reads the first bytes once and the parser still sees every byte.
class ReplaySource final : public ByteSource {
 public:
  ReplaySource(std::string_view head, ByteSource& rest) : head_(head), rest_(rest) {}

  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    if (offset_ < head_.size()) {
      const std::size_t n = std::min(capacity, head_.size() - offset_);
      std::memcpy(buffer, head_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    return rest_.read(buffer, capacity);
  }

  // After a rewind the underlying source starts from its first byte: the head is not replayed.
  bool rewind() override {
    if (!rest_.rewind()) return false;
    offset_ = head_.size();
    return true;
  }

 private:
  std::string_view head_;
  ByteSource& rest_;
  std::size_t offset_ = 0;
};

std::string format_list() {
  std::string out;
  for (const Format* format : registered_formats()) {
    if (!out.empty()) out += ", ";
    out += format->name();
    out += " (";
    out += format->description();
    out += ')';
  }
  return out;
}

std::string what_it_looks_like(const Head& head) {
  switch (head.syntax) {
    case Head::Syntax::json_object: {
      std::string keys;
      int shown = 0;
      for (const auto& key : head.json_keys) {
        if (key.find('.') != std::string::npos || key.find('[') != std::string::npos) continue;
        if (shown++ == 6) {
          keys += ", ...";
          break;
        }
        if (!keys.empty()) keys += ", ";
        keys += '"' + key + '"';
      }
      return keys.empty() ? "a JSON object" : "a JSON object with the members " + keys;
    }
    case Head::Syntax::json_array: return "a JSON array";
    case Head::Syntax::xml:
      return head.xml_root.empty() ? "XML without a root element" : "XML with the root element <" + head.xml_root + ">";
    case Head::Syntax::unknown: return "neither JSON nor XML";
  }
  return "unknown";
}

Result<const Format*> choose(const Head& head) {
  const Format* best = nullptr;
  int best_confidence = 0;
  for (const Format* format : registered_formats()) {
    const int confidence = format->detect(head);
    if (confidence > best_confidence) {
      best = format;
      best_confidence = confidence;
    }
  }
  if (best == nullptr) {
    return make_error(ErrorCode::invalid_argument,
                      "could not tell which scanner wrote this report: it is " + what_it_looks_like(head) +
                          ". Tillit reads " + format_list() +
                          ". If the report is one of these, name its format with --format NAME; otherwise export "
                          "it from the scanner in one of them");
  }
  return best;
}

Result<std::string> read_head_bytes(ByteSource& input) {
  std::string head(kHeadSize, '\0');
  std::size_t filled = 0;
  while (filled < head.size()) {
    auto n = input.read(head.data() + filled, head.size() - filled);
    if (!n) return n.error();
    if (*n == 0) break;
    filled += *n;
  }
  head.resize(filled);
  return head;
}

}  // namespace

std::vector<FormatInfo> supported_formats() {
  std::vector<FormatInfo> out;
  for (const Format* format : registered_formats()) out.push_back({format->name(), format->description()});
  return out;
}

Result<std::string> detect_format(std::string_view head_bytes) {
  const Head head = read_head(head_bytes.substr(0, kHeadSize));
  auto format = choose(head);
  if (!format) return format.error();
  return std::string((*format)->name());
}

Result<ParseSummary> parse_report(ByteSource& input, const ParseOptions& options, const FindingCallback& on_finding) {
  auto head_bytes = read_head_bytes(input);
  if (!head_bytes) return head_bytes.error();
  if (trim(*head_bytes).empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "the report is empty; export it from the scanner again and import the new file");
  }

  const Format* format = nullptr;
  if (!options.format.empty()) {
    format = find_format(options.format);
    if (format == nullptr) {
      return make_error(ErrorCode::invalid_argument,
                        "unknown report format '" + options.format + "'; use one of " + format_list() +
                            ", or leave the format out to detect it");
    }
  } else {
    auto chosen = choose(read_head(*head_bytes));
    if (!chosen) return chosen.error();
    format = *chosen;
  }

  ReplaySource replay(*head_bytes, input);
  ParseSummary summary;
  summary.header.format = std::string(format->name());
  Emitter emitter(options, on_finding);
  ParseContext context{replay, options, summary.header, emitter};
  Status status = format->parse(context);
  if (!status) {
    if (emitter.callback_failed() || emitter.asked_for_asset() || status.error().code != ErrorCode::invalid_argument) {
      return status.error();
    }
    std::string message = status.error().message;
    message += ". The file is not a valid ";
    message += format->description();
    message += " report; ";
    message += format->how_to_export();
    if (options.format.empty()) message += ", or name the right format with --format NAME";
    return make_error(ErrorCode::invalid_argument, std::move(message));
  }
  summary.findings = emitter.findings();
  summary.rejected_vectors = emitter.rejected_vectors();
  return summary;
}

}  // namespace tillit::ingest
