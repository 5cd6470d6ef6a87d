#include "json/json_tree.h"

namespace tillit::ingest::json {

const char* type_name(Type type) {
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "a boolean";
    case Type::number: return "a number";
    case Type::string: return "a string";
    case Type::object: return "an object";
    case Type::array: return "an array";
  }
  return "a value";
}

std::string describe(const Node& node) { return ingest::describe(node.position(), node.path()); }

// --- Node -------------------------------------------------------------------------------

Type Node::type() const { return exists() ? tree_->entries_[id_].type : Type::null; }

std::string_view Node::text() const {
  if (!exists()) return {};
  const auto& e = tree_->entries_[id_];
  return std::string_view(tree_->text_).substr(e.text_offset, e.text_length);
}

std::string_view Node::key() const {
  if (!exists()) return {};
  const auto& e = tree_->entries_[id_];
  return std::string_view(tree_->text_).substr(e.key_offset, e.key_length);
}

Node Node::get(std::string_view key) const {
  if (!is(Type::object)) return {};
  for (std::uint32_t id = tree_->entries_[id_].first_child; id != Tree::kNone; id = tree_->entries_[id].next) {
    const auto& e = tree_->entries_[id];
    if (std::string_view(tree_->text_).substr(e.key_offset, e.key_length) == key) return Node(tree_, id);
  }
  return {};
}

std::size_t Node::size() const { return exists() ? tree_->entries_[id_].child_count : 0; }

Position Node::position() const { return exists() ? tree_->entries_[id_].position : Position{}; }

std::string Node::path() const { return exists() ? tree_->path_of(id_) : std::string(); }

Node::Iterator& Node::Iterator::operator++() {
  id_ = tree_->entries_[id_].next;
  return *this;
}

Node::Iterator Node::begin() const {
  if (!exists()) return Iterator(nullptr, Tree::kNone);
  return Iterator(tree_, tree_->entries_[id_].first_child);
}

Node::Iterator Node::end() const { return Iterator(tree_, Tree::kNone); }

// --- Tree -------------------------------------------------------------------------------

void Tree::reset(const Path* base) {
  entries_.clear();
  open_.clear();
  text_.clear();
  key_offset_ = key_length_ = 0;
  base_ = base;
}

void Tree::set_key(std::string_view key) {
  key_offset_ = static_cast<std::uint32_t>(text_.size());
  key_length_ = static_cast<std::uint32_t>(key.size());
  text_.append(key);
}

std::uint32_t Tree::add(Type type, const Position& at) {
  const auto id = static_cast<std::uint32_t>(entries_.size());
  Entry e{};
  e.type = type;
  e.parent = open_.empty() ? kNone : open_.back();
  e.first_child = e.last_child = e.next = kNone;
  e.key_offset = key_offset_;
  e.key_length = key_length_;
  e.position = at;
  key_offset_ = key_length_ = 0;
  if (e.parent != kNone) {
    Entry& parent = entries_[e.parent];
    e.index = parent.child_count++;
    if (parent.last_child == kNone) {
      parent.first_child = id;
    } else {
      entries_[parent.last_child].next = id;
    }
    parent.last_child = id;
  }
  entries_.push_back(e);
  return id;
}

void Tree::open(Type type, const Position& at) { open_.push_back(add(type, at)); }

void Tree::add_scalar(Type type, std::string_view text, const Position& at) {
  const auto offset = static_cast<std::uint32_t>(text_.size());
  text_.append(text);
  const std::uint32_t id = add(type, at);
  entries_[id].text_offset = offset;
  entries_[id].text_length = static_cast<std::uint32_t>(text.size());
}

void Tree::close() {
  if (!open_.empty()) open_.pop_back();
}

std::string Tree::path_of(std::uint32_t id) const {
  std::vector<std::uint32_t> chain;
  for (std::uint32_t at = id; at != kNone && at != 0; at = entries_[at].parent) chain.push_back(at);
  std::string out = base_ ? base_->to_string() : std::string("$");
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Entry& e = entries_[*it];
    if (entries_[e.parent].type == Type::array) {
      out += '[' + std::to_string(e.index) + ']';
    } else {
      append_path_key(out, std::string_view(text_).substr(e.key_offset, e.key_length));
    }
  }
  return out;
}

std::string Tree::open_path() const {
  if (open_.empty()) return base_ ? base_->to_string() : std::string("$");
  return path_of(open_.back());
}

// --- Fields -----------------------------------------------------------------------------

void Fields::fail(Node at, std::string_view problem) {
  if (problem_) return;
  problem_ = malformed(at.position(), at.path(), problem);
}

void Fields::wrong_type(Node node, Type expected) {
  fail(node, std::string("expected ") + type_name(expected) + ", found " + type_name(node.type()));
}

bool Fields::expect(Node node, Type type) {
  if (!node.exists() || node.type() == Type::null || node.type() == type) return true;
  wrong_type(node, type);
  return false;
}

std::string_view Fields::string(Node object, std::string_view key) {
  const Node value = object.get(key);
  if (!value.exists() || value.type() == Type::null) return {};
  if (value.type() != Type::string) {
    wrong_type(value, Type::string);
    return {};
  }
  return value.text();
}

std::string_view Fields::required_string(Node object, std::string_view key) {
  const Node value = object.get(key);
  if (value.is(Type::string) && !value.text().empty()) return value.text();
  if (value.exists() && value.type() != Type::null && value.type() != Type::string) {
    wrong_type(value, Type::string);
    return {};
  }
  if (object.exists()) {
    std::string problem(key);
    problem += value.exists() ? " is empty" : " is missing";
    fail(object, problem);
  }
  return {};
}

std::string_view Fields::scalar(Node object, std::string_view key) {
  const Node value = object.get(key);
  if (!value.exists() || value.type() == Type::null) return {};
  if (value.type() != Type::string && value.type() != Type::number) {
    fail(value, std::string("expected a string or a number, found ") + type_name(value.type()));
    return {};
  }
  return value.text();
}

Node Fields::object(Node parent, std::string_view key) {
  const Node value = parent.get(key);
  if (!value.exists() || value.type() == Type::null) return {};
  if (value.type() != Type::object) {
    wrong_type(value, Type::object);
    return {};
  }
  return value;
}

Node Fields::array(Node parent, std::string_view key) {
  const Node value = parent.get(key);
  if (!value.exists() || value.type() == Type::null) return {};
  if (value.type() != Type::array) {
    wrong_type(value, Type::array);
    return {};
  }
  return value;
}

void Fields::strings(Node parent, std::string_view key, std::vector<std::string>& out) {
  for (const Node item : array(parent, key)) {
    if (item.type() == Type::null) continue;
    if (item.type() != Type::string) {
      wrong_type(item, Type::string);
      return;
    }
    const std::string_view text = item.text();
    bool seen = false;
    for (const auto& existing : out) {
      if (existing == text) {
        seen = true;
        break;
      }
    }
    if (!seen && !text.empty()) out.emplace_back(text);
  }
}

Status Fields::status() const {
  if (problem_) return *problem_;
  return {};
}

}  // namespace tillit::ingest::json
