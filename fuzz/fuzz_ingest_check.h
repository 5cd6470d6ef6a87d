// What fuzz_ingest_json and fuzz_ingest_xml check on every input: the first byte picks the
// parser (0: detect the format as users do; otherwise one format of the family, forced), the
// second whether the importer names a default asset; the rest is the report.
//
// Invariants: a refusal is invalid_argument and its message starts by saying where the
// problem is ("line L, column C", "byte N") or why nothing could be read; every finding has an
// asset, an id or a rule, a 32-hex fingerprint equal to fingerprint() of the finding, vectors
// that core parses (and rejected ones it does not); and reading the same bytes in 7-byte
// chunks gives the same outcome and the same findings.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tillit/core/cvss.h"
#include "tillit/ingest/fingerprint.h"
#include "tillit/ingest/parse.h"

namespace tillit::fuzz {

// Hands the bytes out a few at a time so that every token boundary meets a chunk boundary.
class TrickleSource final : public ingest::ByteSource {
 public:
  TrickleSource(std::string_view text, std::size_t step) : text_(text), step_(step) {}
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::min({capacity, step_, text_.size() - offset_});
    std::memcpy(buffer, text_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  bool rewind() override {
    offset_ = 0;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t step_;
  std::size_t offset_ = 0;
};

inline bool is_hex32(std::string_view text) {
  return text.size() == 32 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

inline void check_finding(const ingest::Finding& f, std::string_view input) {
  const std::string detail = "input " + show(input);
  FUZZ_CHECK_MSG(!f.asset.empty(), "a finding without asset: " + detail);
  FUZZ_CHECK_MSG(!f.vulnerability_id.empty() || !f.rule_id.empty(), "a finding without id or rule: " + detail);
  FUZZ_CHECK_MSG(is_hex32(f.fingerprint), "fingerprint " + show(f.fingerprint) + ": " + detail);
  FUZZ_CHECK_MSG(f.fingerprint == ingest::fingerprint(f), "fingerprint not reproducible: " + detail);
  for (const auto& v : f.cvss) {
    const auto scored = score_cvss(v.vector);
    FUZZ_CHECK_MSG(scored.ok() && scored->version == v.version, "kept vector " + show(v.vector) + ": " + detail);
  }
  for (const auto& v : f.rejected_cvss) {
    FUZZ_CHECK_MSG(!score_cvss(v.vector).ok(), "rejected vector " + show(v.vector) + " parses: " + detail);
    FUZZ_CHECK_MSG(!v.problem.empty(), "rejected vector without reason: " + detail);
  }
  for (const auto& alias : f.aliases) FUZZ_CHECK_MSG(alias != f.vulnerability_id, "alias repeats the id: " + detail);
}

struct Outcome {
  bool ok = false;
  std::string error;
  std::vector<std::string> fingerprints;
};

inline Outcome run(ingest::ByteSource& source, const ingest::ParseOptions& options, std::string_view input) {
  Outcome out;
  const auto result = ingest::parse_report(source, options, [&](const ingest::Finding& f) {
    check_finding(f, input);
    out.fingerprints.push_back(f.fingerprint);
    return Status();
  });
  out.ok = result.ok();
  if (result) {
    FUZZ_CHECK_MSG(result->findings == out.fingerprints.size(), "summary count differs: " + show(input));
    FUZZ_CHECK(result->header.format == options.format || options.format.empty());
  } else {
    out.error = result.error().message;
    FUZZ_CHECK_MSG(result.error().code == ErrorCode::invalid_argument,
                   std::string("error code ") + to_string(result.error().code) + ": " + show(out.error));
    const std::string_view m = out.error;
    FUZZ_CHECK_MSG(m.starts_with("line ") || m.starts_with("byte ") || m.starts_with("the report is empty") ||
                       m.starts_with("could not tell which scanner"),
                   "the error does not say where: " + show(m) + " for " + show(input));
  }
  return out;
}

// `formats`: the family's registry names, picked by the first byte (0 = detection).
inline void fuzz_family(const std::uint8_t* data, std::size_t size, const std::vector<std::string>& formats) {
  if (size < 2) return;
  ingest::ParseOptions options;
  const std::size_t pick = data[0] % (formats.size() + 1);
  if (pick > 0) options.format = formats[pick - 1];
  if (data[1] & 1) options.default_asset = "fuzz-asset";
  const std::string_view input = as_text(data + 2, size - 2);

  ingest::MemorySource whole(input);
  const Outcome first = run(whole, options, input);
  TrickleSource trickle(input, 7);
  const Outcome second = run(trickle, options, input);
  FUZZ_CHECK_MSG(first.ok == second.ok, "chunking changed the outcome: " + show(first.error) + " vs " +
                                            show(second.error) + " for " + show(input));
  FUZZ_CHECK_MSG(first.fingerprints == second.fingerprints, "chunking changed the findings for " + show(input));
}

}  // namespace tillit::fuzz
