#include "xml/xml_path.h"

namespace tillit::ingest::xml {

QualifiedName split_name(std::string_view expat_name) {
  const auto separator = expat_name.find(kNamespaceSeparator);
  if (separator == std::string_view::npos) return {{}, expat_name};
  return {expat_name.substr(0, separator), expat_name.substr(separator + 1)};
}

bool Path::is(std::initializer_list<std::string_view> names) const {
  return names.size() == size_ && ends_with(names);
}

bool Path::ends_with(std::initializer_list<std::string_view> names) const {
  if (names.size() > size_) return false;
  std::size_t i = size_ - names.size();
  for (const auto name : names) {
    if (steps_[i++].local != name) return false;
  }
  return true;
}

std::string Path::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < size_; ++i) {
    out += '/';
    out += steps_[i].local;
  }
  return out.empty() ? "/" : out;
}

}  // namespace tillit::ingest::xml
