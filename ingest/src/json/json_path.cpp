#include "json/json_path.h"

namespace tillit::ingest::json {

void append_path_key(std::string& path, std::string_view key) {
  bool plain = !key.empty();
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '$' || c == '@';
    if (!ok) {
      plain = false;
      break;
    }
  }
  if (plain) {
    path += '.';
    path += key;
    return;
  }
  path += "[\"";
  for (const char c : key) {
    if (static_cast<unsigned char>(c) < 0x20) {
      path += '?';  // a control character in a key: shown, not reproduced
      continue;
    }
    if (c == '"' || c == '\\') path += '\\';
    path += c;
  }
  path += "\"]";
}

bool Path::is(std::initializer_list<Step> steps) const {
  if (steps.size() != size_) return false;
  return starts_with(steps);
}

bool Path::starts_with(std::initializer_list<Step> steps) const {
  if (steps.size() > size_) return false;
  std::size_t i = 0;
  for (const Step& step : steps) {
    if (!matches(i++, step)) return false;
  }
  return true;
}

std::string Path::to_string() const {
  std::string out = "$";
  for (std::size_t i = 0; i < size_; ++i) {
    if (!segments_[i].started) break;  // an empty container: the path is the container's own
    if (segments_[i].is_index) {
      out += '[' + std::to_string(segments_[i].index) + ']';
    } else {
      append_path_key(out, segments_[i].key);
    }
  }
  return out;
}

}  // namespace tillit::ingest::json
