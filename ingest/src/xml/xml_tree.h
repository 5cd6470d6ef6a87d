// A small XML subtree held in memory: one finding (a Nessus ReportItem, an OpenVAS result, a
// CycloneDX vulnerability) captured by the streaming reader (xml_reader.h) so a format can
// read it in any order. One ElementTree is reused for every capture: elements, attributes
// and text live in flat buffers that keep their capacity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report_error.h"
#include "tillit/core/result.h"
#include "xml/xml_path.h"

namespace tillit::ingest::xml {

class ElementTree;
class Element;

// "line L, column C (PATH)" for an element, for the emitter's place().
std::string describe(const Element& element);

// A view of one element, valid until the tree is reused. A default Element is "missing":
// every accessor on it is safe and yields nothing.
class Element {
 public:
  Element() = default;

  bool exists() const { return tree_ != nullptr; }
  std::string_view local_name() const;
  std::string_view namespace_uri() const;
  std::string_view text() const;          // the element's own character data, untrimmed
  std::string_view trimmed_text() const;  // the same without surrounding blanks
  std::string_view attribute(std::string_view local) const;  // "" when absent
  bool has_attribute(std::string_view local) const;
  Element child(std::string_view local) const;  // the first child of that local name
  // The trimmed text of the first child of that local name ("" when absent).
  std::string_view child_text(std::string_view local) const { return child(local).trimmed_text(); }
  Position position() const;  // of the start tag
  std::string path() const;   // "/report/report/results/result/nvt"

  class Iterator {
   public:
    Element operator*() const { return Element(tree_, id_); }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return id_ != other.id_; }

   private:
    friend class Element;
    Iterator(const ElementTree* tree, std::uint32_t id) : tree_(tree), id_(id) {}
    const ElementTree* tree_;
    std::uint32_t id_;
  };
  Iterator begin() const;  // child elements in document order
  Iterator end() const;

 private:
  friend class ElementTree;
  Element(const ElementTree* tree, std::uint32_t id) : tree_(tree), id_(id) {}
  const ElementTree* tree_ = nullptr;
  std::uint32_t id_ = 0;
};

class ElementTree {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // Starts a new capture whose root sits at `base` (the reader's path, which stays put while
  // the capture is read; its last step is the root element itself).
  void reset(const Path* base);
  // `attributes` as expat gives them: name, value, name, value, ..., nullptr.
  void open(std::string_view expat_name, const char** attributes, const Position& at);
  void add_text(std::string_view text);
  void close();

  Element root() const { return entries_.empty() ? Element() : Element(this, 0); }
  std::size_t memory() const;
  std::string open_path() const;

 private:
  friend class Element;
  struct Span {
    std::uint32_t offset = 0, length = 0;
  };
  struct Entry {
    Span local, namespace_uri, text;
    std::uint32_t first_attribute, attribute_count;
    std::uint32_t parent, first_child, last_child, next;
    Position position;
  };
  struct Attribute {
    Span local, value;
  };
  Span store(std::string_view text);
  std::string_view view(Span span) const { return std::string_view(text_).substr(span.offset, span.length); }
  std::string path_of(std::uint32_t id) const;

  std::vector<Entry> entries_;
  std::vector<Attribute> attributes_;
  std::vector<std::uint32_t> open_;
  std::vector<std::string> pending_text_;  // character data of each open element, by depth
  std::string text_;
  const Path* base_ = nullptr;
};

// The first problem met while reading captured elements, as "line L, column C (PATH): problem".
class Problems {
 public:
  void fail(Element at, std::string_view problem);
  // The element's trimmed text, or a problem when the element is missing or empty.
  std::string_view required_text(Element parent, std::string_view child);
  std::string_view required_attribute(Element element, std::string_view name);
  bool ok() const { return !problem_; }
  Status status() const;

 private:
  std::optional<Error> problem_;
};

}  // namespace tillit::ingest::xml
