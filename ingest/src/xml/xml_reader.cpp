#include "xml/xml_reader.h"

#include <expat.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace tillit::ingest::xml {
namespace {

constexpr int kChunk = 64 * 1024;

using ParserPtr = std::unique_ptr<std::remove_pointer_t<XML_Parser>, void (*)(XML_Parser)>;

ParserPtr make_parser() {
  const char separator[2] = {kNamespaceSeparator, '\0'};
  return ParserPtr(XML_ParserCreateNS(nullptr, separator[0]), XML_ParserFree);
}

const char* const kDoctypeRefused =
    "the file declares a document type (<!DOCTYPE>); scanner reports never need one, and Tillit refuses "
    "them because a DTD can define entities that read local files or URLs (XXE) or expand without bound "
    "(billion laughs). Export the report again from the scanner, or remove the declaration";

}  // namespace

std::string_view Attributes::get(std::string_view local) const {
  for (const char** a = raw_; a != nullptr && a[0] != nullptr; a += 2) {
    if (split_name(a[0]).local == local) return a[1];
  }
  return {};
}

class Reader {
 public:
  Reader(ByteSource& input, Handler& handler) : input_(input), handler_(handler) {}
  Status run();

 private:
  enum class Mode { normal, capture, skip };

  static void on_start(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<Reader*>(self)->start(name, attributes);
  }
  static void on_end(void* self, const XML_Char*) { static_cast<Reader*>(self)->end(); }
  static void on_text(void* self, const XML_Char* text, int length) {
    auto& reader = *static_cast<Reader*>(self);
    if (reader.mode_ == Mode::capture && !reader.error_) reader.text(std::string_view(text, static_cast<std::size_t>(length)));
  }
  static void on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<Reader*>(self)->stop(malformed(static_cast<Reader*>(self)->here(), "", kDoctypeRefused));
  }
  static void on_entity(void* self, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                        const XML_Char*, const XML_Char*) {
    static_cast<Reader*>(self)->stop(malformed(static_cast<Reader*>(self)->here(), "", kDoctypeRefused));
  }

  void start(const char* name, const char** attributes);
  void end();
  void text(std::string_view text);
  void stop(Error error) {
    if (!error_) error_ = std::move(error);
    XML_StopParser(parser_, XML_FALSE);
  }
  Position here() const {
    Position p;
    p.line = XML_GetCurrentLineNumber(parser_);
    p.column = XML_GetCurrentColumnNumber(parser_) + 1;
    const XML_Index index = XML_GetCurrentByteIndex(parser_);
    p.offset = index < 0 ? 0 : static_cast<std::uint64_t>(index);
    return p;
  }
  std::string where() const { return mode_ == Mode::capture ? tree_.open_path() : path_.to_string(); }

  ByteSource& input_;
  Handler& handler_;
  XML_Parser parser_ = nullptr;
  Path path_;
  Mode mode_ = Mode::normal;
  std::size_t capture_depth_ = 0;
  std::size_t skip_depth_ = 0;
  ElementTree tree_;
  std::optional<Error> error_;
};

void Reader::start(const char* name, const char** attributes) {
  if (error_) return;
  const Position at = here();
  if (path_.size_ + capture_depth_ + skip_depth_ >= kMaxDepth) {
    stop(malformed(at, where(),
                   "the XML nests deeper than 256 levels; no scanner report does, so the file is damaged or "
                   "not a scanner report"));
    return;
  }
  switch (mode_) {
    case Mode::skip: ++skip_depth_; return;
    case Mode::capture:
      ++capture_depth_;
      tree_.open(name, attributes, at);
      if (tree_.memory() > kMaxCapture) {
        stop(malformed(at, where(),
                       "a single entry of the report is larger than 64 MiB; no scanner writes findings this "
                       "large, so the file is damaged or not a scanner report"));
      }
      return;
    case Mode::normal: break;
  }
  const auto qualified = split_name(name);
  ++path_.size_;
  if (path_.steps_.size() < path_.size_) path_.steps_.emplace_back();
  auto& step = path_.steps_[path_.size_ - 1];
  step.local.assign(qualified.local);
  step.namespace_uri.assign(qualified.namespace_uri);

  const auto action = handler_.on_element(path_, Attributes(attributes), at);
  if (!action) {
    stop(action.error());
    return;
  }
  switch (*action) {
    case Action::descend: return;
    case Action::capture:
      tree_.reset(&path_);
      tree_.open(name, attributes, at);
      mode_ = Mode::capture;
      capture_depth_ = 1;
      return;
    case Action::skip:
      mode_ = Mode::skip;
      skip_depth_ = 1;
      return;
  }
}

void Reader::text(std::string_view text) {
  tree_.add_text(text);
  if (tree_.memory() > kMaxCapture) {
    stop(malformed(here(), where(),
                   "a single entry of the report is larger than 64 MiB; no scanner writes findings this large, "
                   "so the file is damaged or not a scanner report"));
  }
}

void Reader::end() {
  if (error_) return;
  switch (mode_) {
    case Mode::skip:
      if (--skip_depth_ == 0) {
        mode_ = Mode::normal;
        --path_.size_;
      }
      return;
    case Mode::capture:
      tree_.close();
      if (--capture_depth_ == 0) {
        mode_ = Mode::normal;
        const Status status = handler_.on_captured(path_, tree_.root());
        --path_.size_;
        if (!status) stop(status.error());
      }
      return;
    case Mode::normal: {
      const Status status = handler_.on_element_end(path_);
      --path_.size_;
      if (!status) stop(status.error());
      return;
    }
  }
}

Status Reader::run() {
  const ParserPtr parser = make_parser();
  if (!parser) return make_error(ErrorCode::internal, "could not start the XML parser (out of memory)");
  parser_ = parser.get();
  XML_SetUserData(parser_, this);
  XML_SetElementHandler(parser_, on_start, on_end);
  XML_SetCharacterDataHandler(parser_, on_text);
  XML_SetStartDoctypeDeclHandler(parser_, on_doctype);
  XML_SetEntityDeclHandler(parser_, on_entity);
  XML_SetParamEntityParsing(parser_, XML_PARAM_ENTITY_PARSING_NEVER);

  while (true) {
    void* buffer = XML_GetBuffer(parser_, kChunk);
    if (buffer == nullptr) return make_error(ErrorCode::internal, "the XML parser ran out of memory");
    auto n = input_.read(static_cast<char*>(buffer), kChunk);
    if (!n) return n.error();
    const bool last = *n == 0;
    if (XML_ParseBuffer(parser_, static_cast<int>(*n), last) != XML_STATUS_OK) {
      if (error_) return *error_;
      const XML_Error code = XML_GetErrorCode(parser_);
      std::string problem = XML_ErrorString(code);
      if (code == XML_ERROR_NO_ELEMENTS && path_.size_ > 0) {
        problem = "the XML ends early; the file is probably cut short (check that it was copied completely)";
      } else if (code == XML_ERROR_UNDEFINED_ENTITY) {
        problem += " (a report uses only the five predefined entities and character references)";
      } else {
        problem = "not well-formed XML (" + problem + ")";
      }
      return malformed(here(), where(), problem);
    }
    if (error_) return *error_;
    if (last) break;
  }
  return {};
}

Status read(ByteSource& input, Handler& handler) {
  Reader reader(input, handler);
  return reader.run();
}

Root sniff_root(std::string_view head) {
  struct State {
    Root root;
    XML_Parser parser;
    bool found = false;
  } state;
  const ParserPtr parser = make_parser();
  if (!parser) return {};
  state.parser = parser.get();
  XML_SetUserData(state.parser, &state);
  XML_SetParamEntityParsing(state.parser, XML_PARAM_ENTITY_PARSING_NEVER);
  // A document type declaration names the root: detection stops there, before any DTD content
  // is read (the parser itself refuses the file, with the reason).
  XML_SetStartDoctypeDeclHandler(state.parser, [](void* s, const XML_Char* name, const XML_Char*, const XML_Char*, int) {
    auto& st = *static_cast<State*>(s);
    st.root.local.assign(split_name(name ? name : "").local);
    st.found = true;
    XML_StopParser(st.parser, XML_FALSE);
  });
  XML_SetStartElementHandler(state.parser, [](void* s, const XML_Char* name, const XML_Char**) {
    auto& st = *static_cast<State*>(s);
    const auto qualified = split_name(name);
    st.root.local.assign(qualified.local);
    st.root.namespace_uri.assign(qualified.namespace_uri);
    st.found = true;
    XML_StopParser(st.parser, XML_FALSE);
  });
  const std::size_t size = std::min<std::size_t>(head.size(), 1u << 20);
  XML_Parse(state.parser, head.data(), static_cast<int>(size), XML_FALSE);
  return state.found ? state.root : Root{};
}

}  // namespace tillit::ingest::xml
