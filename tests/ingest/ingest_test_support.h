// Helpers for the ingest tests: parse a fixture or a sample and keep copies of its findings.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/ingest/parse.h"

namespace tillit::ingest::testing {

struct Parsed {
  Result<ParseSummary> summary = make_error(ErrorCode::internal, "not parsed");
  std::vector<Finding> findings;

  bool ok() const { return summary.ok(); }
  std::string error() const { return summary ? std::string() : summary.error().message; }
  // The first finding with this vulnerability id (or rule id), or nullptr.
  const Finding* by_id(std::string_view id) const;
  const Finding* by_rule(std::string_view rule) const;
};

Parsed parse_text(std::string_view text, const ParseOptions& options = {});
Parsed parse_file(const std::filesystem::path& path, const ParseOptions& options = {});
std::string read_file(const std::filesystem::path& path);

std::filesystem::path fixture(std::string_view relative);  // tests/fixtures/scanners/...
std::filesystem::path sample(std::string_view relative);   // ../shared/samples/scanners/...

bool has_vector(const Finding& finding, std::string_view vector, std::string_view source);

}  // namespace tillit::ingest::testing

// Skips the test with a clear message when the shared samples are not beside the repository.
#define REQUIRE_SAMPLE(path)                                                                            \
  do {                                                                                                  \
    if (!std::filesystem::exists(path)) {                                                               \
      GTEST_SKIP() << "scanner sample " << (path) << " not found (../shared is absent); skipping the " \
                   << "test on real reports";                                                          \
    }                                                                                                   \
  } while (false)
