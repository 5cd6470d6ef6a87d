// A small JSON subtree held in memory: one finding (a Trivy vulnerability, a Grype match, a
// SARIF result) captured by the streaming reader (json_reader.h) so a format can read its
// fields in any order. One Tree is reused for every capture: nodes and text live in two
// flat buffers that keep their capacity, so a report of a million findings allocates for
// the largest finding, not for each one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/json_path.h"
#include "report_error.h"
#include "tillit/core/result.h"

namespace tillit::ingest::json {

enum class Type : std::uint8_t { null, boolean, number, string, object, array };

// "null", "a boolean", "a number", "a string", "an object", "an array"
const char* type_name(Type type);

class Tree;
class Node;

// "line L, column C (PATH)" for a node, for the emitter's place().
std::string describe(const Node& node);

// A view of one node of a Tree, valid until the tree is reused. A default Node is "missing":
// every accessor on it is safe and yields nothing.
class Node {
 public:
  Node() = default;

  bool exists() const { return tree_ != nullptr; }
  Type type() const;
  bool is(Type type) const { return exists() && this->type() == type; }
  // String contents, the raw number text, "true"/"false"/"null"; empty for containers.
  std::string_view text() const;
  std::string_view key() const;          // the member name, when the parent is an object
  Node get(std::string_view key) const;  // a member; missing when absent or this is no object
  std::size_t size() const;              // number of members or elements
  Position position() const;             // where the value starts in the report
  std::string path() const;              // "$.Results[0].Vulnerabilities[3].Severity"

  class Iterator {
   public:
    Node operator*() const { return Node(tree_, id_); }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return id_ != other.id_; }

   private:
    friend class Node;
    Iterator(const Tree* tree, std::uint32_t id) : tree_(tree), id_(id) {}
    const Tree* tree_;
    std::uint32_t id_;
  };
  // Members of an object or elements of an array, in report order; nothing for scalars.
  Iterator begin() const;
  Iterator end() const;

 private:
  friend class Tree;
  Node(const Tree* tree, std::uint32_t id) : tree_(tree), id_(id) {}
  const Tree* tree_ = nullptr;
  std::uint32_t id_ = 0;
};

class Tree {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // Starts a new capture whose root sits at `base` (kept by pointer: the reader's path, which
  // stays put while the capture is read).
  void reset(const Path* base);
  void set_key(std::string_view key);  // the member name of the next value
  void open(Type type, const Position& at);
  void add_scalar(Type type, std::string_view text, const Position& at);
  void close();

  Node root() const { return entries_.empty() ? Node() : Node(this, 0); }
  std::size_t memory() const { return text_.size() + entries_.size() * sizeof(Entry); }
  // Path of the innermost open node (for errors met while capturing).
  std::string open_path() const;

 private:
  friend class Node;
  struct Entry {
    Type type;
    std::uint32_t parent;
    std::uint32_t first_child;
    std::uint32_t last_child;
    std::uint32_t next;
    std::uint32_t child_count;
    std::uint32_t index;  // position among the parent's children
    std::uint32_t key_offset, key_length;
    std::uint32_t text_offset, text_length;
    Position position;
  };
  std::uint32_t add(Type type, const Position& at);
  std::string path_of(std::uint32_t id) const;

  std::vector<Entry> entries_;
  std::vector<std::uint32_t> open_;
  std::string text_;
  std::uint32_t key_offset_ = 0, key_length_ = 0;
  const Path* base_ = nullptr;
};

// Reads typed members out of captured objects for a format's converter and keeps the first
// problem, so a converter reads every field it wants and checks once at the end. Problems
// read "line 3, column 18 ($.matches[0].vulnerability.id): expected a string, found a number".
class Fields {
 public:
  std::string_view string(Node object, std::string_view key);           // absent or null: ""
  std::string_view required_string(Node object, std::string_view key);  // absent, null or "": problem
  std::string_view scalar(Node object, std::string_view key);           // a string or a number's text
  Node object(Node parent, std::string_view key);  // absent or null: missing node
  Node array(Node parent, std::string_view key);   // absent or null: missing node
  // Appends the array's strings (each once); null elements are skipped.
  void strings(Node parent, std::string_view key, std::vector<std::string>& out);
  // True when `node` is missing, null or of `type`; otherwise records a problem.
  bool expect(Node node, Type type);

  void fail(Node at, std::string_view problem);
  bool ok() const { return !problem_; }
  Status status() const;

 private:
  void wrong_type(Node node, Type expected);
  std::optional<Error> problem_;
};

}  // namespace tillit::ingest::json
