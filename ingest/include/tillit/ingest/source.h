// Where report bytes come from. Parsers pull the report in chunks from a ByteSource and never
// hold it whole, so an upload, a file or a pipe of any size is read in flat memory.
#pragma once

#include <cstddef>
#include <istream>
#include <string_view>

#include "tillit/core/result.h"

namespace tillit::ingest {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Copies up to `capacity` bytes into `buffer` and returns how many; 0 means the end.
  // A failure to read (I/O error) is `unavailable`.
  virtual Result<std::size_t> read(char* buffer, std::size_t capacity) = 0;

  // Starts again from the first byte, if this source can. Files and memory can, pipes cannot.
  // A few formats put the report's subject after its findings (Grype writes `source` last)
  // and read such a report twice rather than hold its findings.
  virtual bool rewind() { return false; }
};

// A std::istream (ifstream, istringstream, std::cin). Rewinds when the stream can seek.
class StreamSource final : public ByteSource {
 public:
  explicit StreamSource(std::istream& in);
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;
  bool rewind() override;

 private:
  std::istream& in_;
  std::streampos start_;
  bool seekable_;
};

// Bytes already in memory (tests, fuzzing, small uploads). The bytes must outlive the source.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;
  bool rewind() override {
    offset_ = 0;
    return true;
  }

 private:
  std::string_view bytes_;
  std::size_t offset_ = 0;
};

}  // namespace tillit::ingest
