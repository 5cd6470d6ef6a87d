// fuzz_multipart: web::multipart_boundary and web::MultipartReader, which read a browser's
// upload form (multipart/form-data) as it streams in. The input is the body (with a fixed
// boundary, so the fuzzer can find it in the dictionary) and, whole, a Content-Type header.
// Invariants: the reader always finishes; refusals are invalid_argument with a message; the
// parts' content never adds up to more than the body; at most 64 parts; a text read never
// returns more than its limit; an accepted boundary is 1-70 printable characters.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "tillit/web/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = tillit::fuzz::as_text(data, size);
  if (auto b = tillit::web::multipart_boundary(text)) {
    FUZZ_CHECK(!b->empty() && b->size() <= 70);
    for (unsigned char c : *b) FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
  }

  tillit::web::MemoryBodyStream body(text);
  tillit::web::MultipartReader reader(body, "b0undary");
  std::size_t parts = 0, content = 0;
  char buffer[37];  // small and odd, so reads cut the body everywhere
  for (;;) {
    auto part = reader.next_part();
    if (!part) {
      FUZZ_CHECK(part.error().code == tillit::ErrorCode::invalid_argument);
      FUZZ_CHECK(!part.error().message.empty());
      break;
    }
    if (!*part) break;
    FUZZ_CHECK(++parts <= 64);
    if (parts % 2 == 0) {
      auto value = reader.read_text(100);
      if (value) {
        FUZZ_CHECK(value->size() <= 100);
        content += value->size();
      }
      continue;  // a refused text is skipped by the next next_part()
    }
    for (;;) {
      auto n = reader.read(buffer, sizeof buffer);
      if (!n) {
        FUZZ_CHECK(n.error().code == tillit::ErrorCode::invalid_argument);
        break;
      }
      if (*n == 0) break;
      FUZZ_CHECK(*n <= sizeof buffer);
      content += *n;
    }
    FUZZ_CHECK(content <= size);
  }
  return 0;
}
