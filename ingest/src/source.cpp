#include "tillit/ingest/source.h"

#include <algorithm>
#include <cstring>

namespace tillit::ingest {

StreamSource::StreamSource(std::istream& in) : in_(in), start_(in.tellg()), seekable_(start_ != std::streampos(-1)) {}

Result<std::size_t> StreamSource::read(char* buffer, std::size_t capacity) {
  if (in_.eof()) return std::size_t{0};
  if (!in_) {
    return make_error(ErrorCode::unavailable,
                      "the report could not be read; check that the file exists and is readable, then import it again");
  }
  in_.read(buffer, static_cast<std::streamsize>(capacity));
  const auto n = static_cast<std::size_t>(in_.gcount());
  if (in_.bad()) {
    return make_error(ErrorCode::unavailable,
                      "reading the report failed part way; check the file or the storage it is on, then import it "
                      "again");
  }
  return n;
}

bool StreamSource::rewind() {
  if (!seekable_) return false;
  in_.clear();
  in_.seekg(start_);
  return !in_.fail();
}

Result<std::size_t> MemorySource::read(char* buffer, std::size_t capacity) {
  const std::size_t n = std::min(capacity, bytes_.size() - offset_);
  if (n > 0) std::memcpy(buffer, bytes_.data() + offset_, n);
  offset_ += n;
  return n;
}

}  // namespace tillit::ingest
