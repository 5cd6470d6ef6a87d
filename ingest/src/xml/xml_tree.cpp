#include "xml/xml_tree.h"

#include "identifiers.h"

namespace tillit::ingest::xml {

std::string describe(const Element& element) { return ingest::describe(element.position(), element.path()); }

// --- Element ----------------------------------------------------------------------------

std::string_view Element::local_name() const { return exists() ? tree_->view(tree_->entries_[id_].local) : ""; }

std::string_view Element::namespace_uri() const {
  return exists() ? tree_->view(tree_->entries_[id_].namespace_uri) : "";
}

std::string_view Element::text() const { return exists() ? tree_->view(tree_->entries_[id_].text) : ""; }

std::string_view Element::trimmed_text() const { return trim(text()); }

bool Element::has_attribute(std::string_view local) const {
  if (!exists()) return false;
  const auto& e = tree_->entries_[id_];
  for (std::uint32_t i = 0; i < e.attribute_count; ++i) {
    if (tree_->view(tree_->attributes_[e.first_attribute + i].local) == local) return true;
  }
  return false;
}

std::string_view Element::attribute(std::string_view local) const {
  if (!exists()) return {};
  const auto& e = tree_->entries_[id_];
  for (std::uint32_t i = 0; i < e.attribute_count; ++i) {
    const auto& a = tree_->attributes_[e.first_attribute + i];
    if (tree_->view(a.local) == local) return tree_->view(a.value);
  }
  return {};
}

Element Element::child(std::string_view local) const {
  for (const Element c : *this) {
    if (c.local_name() == local) return c;
  }
  return {};
}

Position Element::position() const { return exists() ? tree_->entries_[id_].position : Position{}; }

std::string Element::path() const { return exists() ? tree_->path_of(id_) : std::string(); }

Element::Iterator& Element::Iterator::operator++() {
  id_ = tree_->entries_[id_].next;
  return *this;
}

Element::Iterator Element::begin() const {
  if (!exists()) return Iterator(nullptr, ElementTree::kNone);
  return Iterator(tree_, tree_->entries_[id_].first_child);
}

Element::Iterator Element::end() const { return Iterator(tree_, ElementTree::kNone); }

// --- ElementTree ------------------------------------------------------------------------

void ElementTree::reset(const Path* base) {
  entries_.clear();
  attributes_.clear();
  open_.clear();
  text_.clear();
  base_ = base;
}

ElementTree::Span ElementTree::store(std::string_view text) {
  Span span{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(text.size())};
  text_.append(text);
  return span;
}

void ElementTree::open(std::string_view expat_name, const char** attributes, const Position& at) {
  const auto name = split_name(expat_name);
  Entry e{};
  e.local = store(name.local);
  e.namespace_uri = store(name.namespace_uri);
  e.first_attribute = static_cast<std::uint32_t>(attributes_.size());
  for (const char** a = attributes; a != nullptr && a[0] != nullptr; a += 2) {
    attributes_.push_back(Attribute{store(split_name(a[0]).local), store(a[1])});
  }
  e.attribute_count = static_cast<std::uint32_t>(attributes_.size()) - e.first_attribute;
  e.parent = open_.empty() ? kNone : open_.back();
  e.first_child = e.last_child = e.next = kNone;
  e.position = at;
  const auto id = static_cast<std::uint32_t>(entries_.size());
  if (e.parent != kNone) {
    Entry& parent = entries_[e.parent];
    if (parent.last_child == kNone) {
      parent.first_child = id;
    } else {
      entries_[parent.last_child].next = id;
    }
    parent.last_child = id;
  }
  entries_.push_back(e);
  open_.push_back(id);
  if (pending_text_.size() < open_.size()) pending_text_.emplace_back();
  pending_text_[open_.size() - 1].clear();
}

void ElementTree::add_text(std::string_view text) {
  if (!open_.empty()) pending_text_[open_.size() - 1].append(text);
}

void ElementTree::close() {
  if (open_.empty()) return;
  entries_[open_.back()].text = store(pending_text_[open_.size() - 1]);
  open_.pop_back();
}

std::size_t ElementTree::memory() const {
  std::size_t pending = 0;
  for (std::size_t i = 0; i < open_.size(); ++i) pending += pending_text_[i].size();
  return text_.size() + pending + entries_.size() * sizeof(Entry) + attributes_.size() * sizeof(Attribute);
}

std::string ElementTree::path_of(std::uint32_t id) const {
  std::vector<std::uint32_t> chain;
  for (std::uint32_t at = id; at != kNone && at != 0; at = entries_[at].parent) chain.push_back(at);
  std::string out = base_ ? base_->to_string() : std::string();
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    out += '/';
    out += view(entries_[*it].local);
  }
  return out;
}

std::string ElementTree::open_path() const {
  if (open_.empty()) return base_ ? base_->to_string() : std::string("/");
  return path_of(open_.back());
}

// --- Problems ---------------------------------------------------------------------------

void Problems::fail(Element at, std::string_view problem) {
  if (problem_) return;
  problem_ = malformed(at.position(), at.path(), problem);
}

std::string_view Problems::required_text(Element parent, std::string_view child) {
  const Element element = parent.child(child);
  const std::string_view text = element.trimmed_text();
  if (text.empty()) fail(element.exists() ? element : parent, std::string("<") + std::string(child) + (element.exists() ? "> is empty" : "> is missing"));
  return text;
}

std::string_view Problems::required_attribute(Element element, std::string_view name) {
  const std::string_view value = trim(element.attribute(name));
  if (value.empty()) {
    fail(element, std::string("attribute ") + std::string(name) +
                      (element.has_attribute(name) ? " is empty" : " is missing"));
  }
  return value;
}

Status Problems::status() const {
  if (problem_) return *problem_;
  return {};
}

}  // namespace tillit::ingest::xml
