// Where the streaming XML reader is: the open elements from the root down, by local name
// (namespace kept apart), e.g. /NessusClientData_v2/Report/ReportHost/ReportItem.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tillit::ingest::xml {

// Expat reports a namespaced name as "URI<kNamespaceSeparator>local".
inline constexpr char kNamespaceSeparator = '\x01';

struct QualifiedName {
  std::string_view namespace_uri;
  std::string_view local;
};
QualifiedName split_name(std::string_view expat_name);

class Path {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view local(std::size_t i) const { return steps_[i].local; }
  std::string_view namespace_uri(std::size_t i) const { return steps_[i].namespace_uri; }
  std::string_view last() const { return empty() ? std::string_view() : local(size_ - 1); }
  // The local name `back` steps above the last element (0 = last), or "" above the root.
  std::string_view ancestor(std::size_t back) const { return back < size_ ? local(size_ - 1 - back) : std::string_view(); }

  // True when the local names are exactly `names`.
  bool is(std::initializer_list<std::string_view> names) const;
  // True when the last local names are `names`.
  bool ends_with(std::initializer_list<std::string_view> names) const;

  std::string to_string() const;  // "/report/report/results/result"

 private:
  friend class Reader;
  struct Step {
    std::string local;
    std::string namespace_uri;
  };
  std::vector<Step> steps_;  // beyond size_: kept for capacity
  std::size_t size_ = 0;
};

}  // namespace tillit::ingest::xml
