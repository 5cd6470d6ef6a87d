// Where the streaming JSON reader is: one step per open container, a member name or an
// array index ("$.Results[0].Vulnerabilities[3]"). Formats match it to decide what to read.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tillit::ingest::json {

struct AnyIndex {};
inline constexpr AnyIndex any_index{};

// Appends `key` to a JSON path: ".Target", or ["problem.severity"] when it is not a plain name.
void append_path_key(std::string& path, std::string_view key);

class Path {
 public:
  // One step of a pattern for is(): a member name, or any_index for any array element.
  struct Step {
    Step(const char* key) : key(key) {}
    Step(std::string_view key) : key(key) {}
    Step(AnyIndex) : any(true) {}
    std::string_view key;
    bool any = false;
  };

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool is_index(std::size_t i) const { return segments_[i].is_index; }
  std::string_view key(std::size_t i) const { return segments_[i].is_index ? std::string_view() : segments_[i].key; }
  std::size_t index(std::size_t i) const { return segments_[i].index; }
  std::string_view last_key() const { return empty() ? std::string_view() : key(size_ - 1); }

  // True when the path is exactly `steps` long and each step matches.
  bool is(std::initializer_list<Step> steps) const;
  // True when the path starts with `steps`.
  bool starts_with(std::initializer_list<Step> steps) const;

  std::string to_string() const;  // "$", "$.Results[0].Target"

 private:
  friend class Reader;
  struct Segment {
    bool is_index = false;
    bool started = false;  // false until the container's first member or element
    std::size_t index = 0;
    std::string key;
  };
  bool matches(std::size_t i, const Step& step) const {
    return step.any ? segments_[i].is_index : (!segments_[i].is_index && segments_[i].key == step.key);
  }
  // Segments beyond size_ are kept for their string capacity.
  std::vector<Segment> segments_;
  std::size_t size_ = 0;
};

}  // namespace tillit::ingest::json
