// FUZZ_CHECK: an invariant of the code under test. Unlike assert() it is active in every build
// type (the fuzz build uses -DNDEBUG), and on failure it prints what broke, then aborts so that
// libFuzzer records the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tillit::fuzz {

[[noreturn]] inline void check_failed(const char* expr, const char* file, int line, const std::string& detail) {
  std::fprintf(stderr, "\n==FUZZ_CHECK failed: %s\n  at %s:%d\n", expr, file, line);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Fuzz-derived text made safe for a one-line failure message: quoted, non-printable bytes as
// \xNN, cut at 200 bytes.
inline std::string show(std::string_view text) {
  std::string out = "\"";
  for (const unsigned char c : text.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + (text.size() > 200 ? "\"..." : "\"");
}

}  // namespace tillit::fuzz

#define FUZZ_CHECK(expr) FUZZ_CHECK_MSG(expr, std::string())
#define FUZZ_CHECK_MSG(expr, detail) \
  ((expr) ? static_cast<void>(0) : ::tillit::fuzz::check_failed(#expr, __FILE__, __LINE__, (detail)))
