#include "json/json_reader.h"

#include <yajl/yajl_parse.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

namespace tillit::ingest::json {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

}  // namespace

Error problem_at(const Path& path, const Position& at, std::string_view problem) {
  return malformed(at, path.to_string(), problem);
}

// Friend of Path: it owns the path and moves it as the document unfolds.
class Reader {
 public:
  Reader(ByteSource& input, Handler& handler) : input_(input), handler_(handler) {}
  Status run();

 private:
  enum class Mode { normal, capture, skip };

  // yajl callbacks: `ctx` is the Reader.
  static int on_null(void* ctx) { return self(ctx).scalar(Type::null, "null"); }
  static int on_boolean(void* ctx, int value) {
    return self(ctx).scalar(Type::boolean, value ? "true" : "false");
  }
  static int on_number(void* ctx, const char* text, std::size_t length) {
    return self(ctx).scalar(Type::number, std::string_view(text, length));
  }
  static int on_string(void* ctx, const unsigned char* text, std::size_t length) {
    return self(ctx).scalar(Type::string, std::string_view(reinterpret_cast<const char*>(text), length));
  }
  static int on_start_map(void* ctx) { return self(ctx).start(Type::object); }
  static int on_map_key(void* ctx, const unsigned char* text, std::size_t length) {
    return self(ctx).key(std::string_view(reinterpret_cast<const char*>(text), length));
  }
  static int on_end_map(void* ctx) { return self(ctx).end(); }
  static int on_start_array(void* ctx) { return self(ctx).start(Type::array); }
  static int on_end_array(void* ctx) { return self(ctx).end(); }
  static Reader& self(void* ctx) { return *static_cast<Reader*>(ctx); }

  int scalar(Type type, std::string_view text);
  int start(Type type);
  int key(std::string_view text);
  int end();
  Error too_large(const Position& at) const {
    return malformed(at, where(),
                     "a single entry of the report is larger than 64 MiB; no scanner writes findings this large, "
                     "so the file is damaged or not a scanner report");
  }
  int fail(Error error) {
    error_ = std::move(error);
    return 0;
  }

  void begin_value();
  void push_frame(bool is_array);
  std::size_t depth() const { return path_.size_ + capture_depth_ + skip_depth_; }
  std::string where() const;  // path for errors met at the current token

  // Positions. yajl reports how far into the current chunk it is; newlines of the chunk are
  // indexed once so that turning an offset into line and column is a binary search.
  void begin_chunk(const char* data, std::size_t size);
  void end_chunk();
  Position position_at(std::size_t offset_in_chunk) const;
  std::size_t consumed() const { return yajl_get_bytes_consumed(handle_); }
  Position token_start(Type type, std::string_view text) const;

  ByteSource& input_;
  Handler& handler_;
  yajl_handle handle_ = nullptr;

  Path path_;
  Mode mode_ = Mode::normal;
  std::size_t capture_depth_ = 0;
  std::size_t skip_depth_ = 0;
  Tree tree_;

  const char* chunk_ = nullptr;
  std::size_t chunk_size_ = 0;
  std::uint64_t chunk_base_ = 0;
  std::uint64_t lines_before_chunk_ = 0;
  std::uint64_t column_at_chunk_start_ = 0;
  std::vector<std::uint32_t> newlines_;
  std::uint64_t previous_token_end_ = 0;  // absolute offset, for values that began in an earlier chunk

  std::optional<Error> error_;
};

void Reader::begin_chunk(const char* data, std::size_t size) {
  chunk_ = data;
  chunk_size_ = size;
  newlines_.clear();
  if (data == nullptr) return;
  for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', size - (p - data)))) != nullptr; ++p) {
    newlines_.push_back(static_cast<std::uint32_t>(p - data));
  }
}

void Reader::end_chunk() {
  lines_before_chunk_ += newlines_.size();
  column_at_chunk_start_ = newlines_.empty() ? column_at_chunk_start_ + chunk_size_ : chunk_size_ - newlines_.back() - 1;
  chunk_base_ += chunk_size_;
}

Position Reader::position_at(std::size_t offset) const {
  const auto before = static_cast<std::size_t>(
      std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<std::uint32_t>(offset)) - newlines_.begin());
  Position p;
  p.offset = chunk_base_ + offset;
  p.line = lines_before_chunk_ + before + 1;
  p.column = (before == 0 ? column_at_chunk_start_ + offset : offset - newlines_[before - 1] - 1) + 1;
  return p;
}

// yajl calls back just after a token; this finds where the token began. Strings are found
// by looking back for their opening quote; one that began in an earlier chunk is given by
// byte offset (just after the token before it), which is all that is left of that chunk.
Position Reader::token_start(Type type, std::string_view text) const {
  const std::size_t end = std::min(consumed(), chunk_size_);
  std::size_t length = 1;  // '{' or '['
  switch (type) {
    case Type::object:
    case Type::array: break;
    case Type::null:
    case Type::boolean:
    case Type::number: length = text.size(); break;
    case Type::string: {
      std::size_t start = kNotFound;
      std::size_t search_end = end >= 1 ? end - 1 : 0;  // before the closing quote
      while (search_end > 0) {
        const void* quote = memrchr(chunk_, '"', search_end);
        if (quote == nullptr) break;
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(quote) - chunk_);
        std::size_t backslashes = 0;
        while (at > backslashes && chunk_[at - 1 - backslashes] == '\\') ++backslashes;
        if (backslashes % 2 == 0) {
          start = at;
          break;
        }
        search_end = at;
      }
      if (start == kNotFound) {
        Position p;
        p.offset = previous_token_end_;
        return p;
      }
      return position_at(start);
    }
  }
  if (end < length) {  // the token began in an earlier chunk
    Position p;
    p.offset = chunk_base_ + end - length;
    return p;
  }
  return position_at(end - length);
}

std::string Reader::where() const {
  if (mode_ == Mode::capture) return tree_.open_path();
  return path_.to_string();
}

void Reader::push_frame(bool is_array) {
  ++path_.size_;
  if (path_.segments_.size() < path_.size_) path_.segments_.emplace_back();
  auto& segment = path_.segments_[path_.size_ - 1];
  segment.is_index = is_array;
  segment.started = false;
  segment.index = kNotFound;  // the first element makes it 0
  segment.key.clear();
}

void Reader::begin_value() {
  if (path_.size_ == 0) return;
  auto& segment = path_.segments_[path_.size_ - 1];
  if (segment.is_index) {
    segment.index = segment.index == kNotFound ? 0 : segment.index + 1;
    segment.started = true;
  }
}

int Reader::scalar(Type type, std::string_view text) {
  int result = 1;
  switch (mode_) {
    case Mode::skip: break;
    case Mode::capture:
      tree_.add_scalar(type, text, token_start(type, text));
      if (tree_.memory() > kMaxCapture) result = fail(too_large(token_start(type, text)));
      break;
    case Mode::normal: {
      begin_value();
      const Status status = handler_.on_scalar(path_, Scalar{type, text, token_start(type, text)});
      if (!status) result = fail(status.error());
      break;
    }
  }
  previous_token_end_ = chunk_base_ + consumed();
  return result;
}

int Reader::start(Type type) {
  if (depth() >= kMaxDepth) {
    return fail(malformed(token_start(type, {}), where(),
                          "the JSON nests deeper than 256 levels; no scanner report does, so the file is "
                          "damaged or not a scanner report"));
  }
  int result = 1;
  switch (mode_) {
    case Mode::skip: ++skip_depth_; break;
    case Mode::capture:
      ++capture_depth_;
      tree_.open(type, token_start(type, {}));
      // Checked here too: "[{},{},...]" holds no scalar but costs a node per two bytes.
      if (tree_.memory() > kMaxCapture) result = fail(too_large(token_start(type, {})));
      break;
    case Mode::normal: {
      begin_value();
      const Position at = token_start(type, {});
      const auto action = handler_.on_container(path_, type, at);
      if (!action) {
        result = fail(action.error());
        break;
      }
      switch (*action) {
        case Action::descend: push_frame(type == Type::array); break;
        case Action::capture:
          tree_.reset(&path_);
          tree_.open(type, at);
          mode_ = Mode::capture;
          capture_depth_ = 1;
          break;
        case Action::skip:
          mode_ = Mode::skip;
          skip_depth_ = 1;
          break;
      }
      break;
    }
  }
  previous_token_end_ = chunk_base_ + consumed();
  return result;
}

int Reader::key(std::string_view text) {
  switch (mode_) {
    case Mode::skip: break;
    case Mode::capture: tree_.set_key(text); break;
    case Mode::normal: {
      auto& segment = path_.segments_[path_.size_ - 1];
      segment.key.assign(text);
      segment.started = true;
      break;
    }
  }
  previous_token_end_ = chunk_base_ + consumed();
  return 1;
}

int Reader::end() {
  int result = 1;
  switch (mode_) {
    case Mode::skip:
      if (--skip_depth_ == 0) mode_ = Mode::normal;
      break;
    case Mode::capture:
      tree_.close();
      if (--capture_depth_ == 0) {
        mode_ = Mode::normal;
        const Status status = handler_.on_captured(path_, tree_.root());
        if (!status) result = fail(status.error());
      }
      break;
    case Mode::normal: {
      --path_.size_;
      const Status status = handler_.on_container_end(path_);
      if (!status) result = fail(status.error());
      break;
    }
  }
  previous_token_end_ = chunk_base_ + consumed();
  return result;
}

Status Reader::run() {
  static const yajl_callbacks kCallbacks = {
      on_null, on_boolean, nullptr, nullptr, on_number, on_string,
      on_start_map, on_map_key, on_end_map, on_start_array, on_end_array,
  };
  const std::unique_ptr<std::remove_pointer_t<yajl_handle>, void (*)(yajl_handle)> handle(
      yajl_alloc(&kCallbacks, nullptr, this), yajl_free);
  if (!handle) return make_error(ErrorCode::internal, "could not start the JSON parser (out of memory)");
  handle_ = handle.get();

  auto buffer = std::make_unique<char[]>(kChunk);
  auto syntax_error = [&](const unsigned char* data, std::size_t size, bool at_end) -> Error {
    unsigned char* text = yajl_get_error(handle_, 0, data, size);
    std::string message = text ? reinterpret_cast<const char*>(text) : "invalid JSON";
    if (text) yajl_free_error(handle_, text);
    while (!message.empty() && (message.back() == '\n' || message.back() == '.' || message.back() == ' ')) {
      message.pop_back();
    }
    if (message.find("premature EOF") != std::string::npos) {
      message = "the JSON ends early; the file is probably cut short (check that it was copied completely)";
    } else {
      message = "not valid JSON (" + message + ")";
    }
    // yajl stops just after the character it refused.
    const std::size_t stop = std::min(consumed(), chunk_size_);
    const Position at = at_end ? position_at(0) : position_at(stop > 0 ? stop - 1 : 0);
    return malformed(at, where(), message);
  };

  while (true) {
    auto n = input_.read(buffer.get(), kChunk);
    if (!n) return n.error();
    if (*n == 0) break;
    begin_chunk(buffer.get(), *n);
    const auto* data = reinterpret_cast<const unsigned char*>(buffer.get());
    const yajl_status status = yajl_parse(handle_, data, *n);
    if (status == yajl_status_client_canceled) return *error_;
    if (status != yajl_status_ok) return syntax_error(data, *n, false);
    end_chunk();
  }
  // Past the last chunk: an empty chunk at the end, so position_at(0) is the end of the input
  // (yajl may still call back while completing, e.g. for a number that ends the file).
  begin_chunk(nullptr, 0);
  const yajl_status status = yajl_complete_parse(handle_);
  if (status == yajl_status_client_canceled) return *error_;
  if (status != yajl_status_ok) return syntax_error(nullptr, 0, true);
  return {};
}

Status read(ByteSource& input, Handler& handler) {
  Reader reader(input, handler);
  return reader.run();
}

}  // namespace tillit::ingest::json
