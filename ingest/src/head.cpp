// Format detection's view of a report's first bytes. The head is parsed tolerantly: it is
// usually cut in the middle of a value, and a report that is broken further on is still
// recognised here and then rejected by its parser with the exact place of the problem.
#include <yajl/yajl_parse.h>

#include <algorithm>
#include <memory>

#include "format.h"
#include "xml/xml_reader.h"

namespace tillit::ingest {
namespace {

constexpr std::size_t kMaxKeys = 512;
constexpr std::size_t kMaxKeyDepth = 3;

// Collects key paths while yajl reads the head; stops quietly at the end of the bytes.
class KeyCollector {
 public:
  explicit KeyCollector(Head& head) : head_(head) {}

  static int on_scalar(void* ctx) { return self(ctx).value(); }
  static int on_boolean(void* ctx, int) { return self(ctx).value(); }
  static int on_number(void* ctx, const char*, std::size_t) { return self(ctx).value(); }
  static int on_string(void* ctx, const unsigned char* text, std::size_t length) {
    auto& c = self(ctx);
    if (c.stack_.size() == 1 && c.stack_.back().is_object && !c.stack_.back().key.empty()) {
      c.head_.json_root_strings.emplace_back(c.stack_.back().key,
                                             std::string(reinterpret_cast<const char*>(text), std::min<std::size_t>(length, 512)));
    }
    return c.value();
  }
  static int on_start_map(void* ctx) { return self(ctx).open(true); }
  static int on_start_array(void* ctx) { return self(ctx).open(false); }
  static int on_end(void* ctx) {
    auto& c = self(ctx);
    if (!c.stack_.empty()) c.stack_.pop_back();
    return c.value();
  }
  static int on_key(void* ctx, const unsigned char* text, std::size_t length) {
    auto& c = self(ctx);
    c.stack_.back().key.assign(reinterpret_cast<const char*>(text), length);
    std::string path;
    std::size_t names = 0;
    for (const auto& frame : c.stack_) {
      if (frame.is_object) {
        if (!path.empty()) path += '.';
        path += frame.key;
        ++names;
      } else {
        path += "[]";
      }
    }
    if (names <= kMaxKeyDepth && c.head_.json_keys.size() < kMaxKeys &&
        std::find(c.head_.json_keys.begin(), c.head_.json_keys.end(), path) == c.head_.json_keys.end()) {
      c.head_.json_keys.push_back(std::move(path));
    }
    return 1;
  }

 private:
  struct Frame {
    bool is_object;
    std::string key;
  };
  static KeyCollector& self(void* ctx) { return *static_cast<KeyCollector*>(ctx); }
  int value() { return 1; }
  int open(bool is_object) {
    if (stack_.size() >= 32) return 0;  // deeper than any detection needs
    stack_.push_back(Frame{is_object, {}});
    return 1;
  }

  Head& head_;
  std::vector<Frame> stack_;
};

void read_json_keys(Head& head) {
  static const yajl_callbacks kCallbacks = {
      KeyCollector::on_scalar, KeyCollector::on_boolean, nullptr,  nullptr,
      KeyCollector::on_number, KeyCollector::on_string,  KeyCollector::on_start_map,
      KeyCollector::on_key,    KeyCollector::on_end,     KeyCollector::on_start_array,
      KeyCollector::on_end,
  };
  KeyCollector collector(head);
  const std::unique_ptr<std::remove_pointer_t<yajl_handle>, void (*)(yajl_handle)> handle(
      yajl_alloc(&kCallbacks, nullptr, &collector), yajl_free);
  if (!handle) return;
  yajl_parse(handle.get(), reinterpret_cast<const unsigned char*>(head.bytes.data()), head.bytes.size());
}

}  // namespace

bool Head::has_key(std::string_view key_path) const {
  return std::find(json_keys.begin(), json_keys.end(), key_path) != json_keys.end();
}

std::string_view Head::root_string(std::string_view key) const {
  for (const auto& [k, v] : json_root_strings) {
    if (k == key) return v;
  }
  return {};
}

Head read_head(std::string_view bytes) {
  Head head;
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  head.bytes = bytes;
  std::size_t i = 0;
  while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) ++i;
  if (i == bytes.size()) return head;
  switch (bytes[i]) {
    case '{':
      head.syntax = Head::Syntax::json_object;
      read_json_keys(head);
      break;
    case '[':
      head.syntax = Head::Syntax::json_array;
      read_json_keys(head);
      break;
    case '<': {
      head.syntax = Head::Syntax::xml;
      const auto root = xml::sniff_root(bytes);
      head.xml_root = root.local;
      head.xml_namespace = root.namespace_uri;
      break;
    }
    default: break;
  }
  return head;
}

}  // namespace tillit::ingest
