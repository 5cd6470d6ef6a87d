#include "ingest_test_support.h"

#include <fstream>
#include <sstream>

namespace tillit::ingest::testing {

const Finding* Parsed::by_id(std::string_view id) const {
  for (const auto& f : findings) {
    if (f.vulnerability_id == id) return &f;
  }
  return nullptr;
}

const Finding* Parsed::by_rule(std::string_view rule) const {
  for (const auto& f : findings) {
    if (f.rule_id == rule) return &f;
  }
  return nullptr;
}

Parsed parse_text(std::string_view text, const ParseOptions& options) {
  Parsed parsed;
  MemorySource source(text);
  parsed.summary = parse_report(source, options, [&](const Finding& f) {
    parsed.findings.push_back(f);
    return Status();
  });
  return parsed;
}

Parsed parse_file(const std::filesystem::path& path, const ParseOptions& options) {
  Parsed parsed;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  StreamSource source(in);
  parsed.summary = parse_report(source, options, [&](const Finding& f) {
    parsed.findings.push_back(f);
    return Status();
  });
  return parsed;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::filesystem::path fixture(std::string_view relative) {
  return std::filesystem::path(TILLIT_FIXTURES_DIR) / relative;
}

std::filesystem::path sample(std::string_view relative) {
  return std::filesystem::path(TILLIT_SHARED_DIR) / "samples" / "scanners" / relative;
}

bool has_vector(const Finding& finding, std::string_view vector, std::string_view source) {
  for (const auto& v : finding.cvss) {
    if (v.vector == vector && v.source == source) return true;
  }
  return false;
}

}  // namespace tillit::ingest::testing
