// Streaming: the same findings whatever size of chunks the input arrives in, the callback can
// stop a parse, memory stays flat over a large report, and hostile shapes (deep nesting,
// bad UTF-8, trailing data) are refused.
#include <sys/resource.h>
#include <gtest/gtest.h>

#include <cstring>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

namespace {

// Hands out the text `step` bytes at a time, so tokens and elements straddle chunks.
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string_view text, std::size_t step) : text_(text), step_(step) {}
  tillit::Result<std::size_t> read(char* buffer, std::size_t capacity) override {
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

// A Trivy report of `count` findings over 100 targets, made up while it is read: the test
// never holds the report, so memory measures the parser alone.
class GeneratedTrivy final : public ByteSource {
 public:
  explicit GeneratedTrivy(std::size_t count) : count_(count) {}
  tillit::Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    while (pending_.size() - offset_ < capacity && !done_) refill();
    const std::size_t n = std::min(capacity, pending_.size() - offset_);
    std::memcpy(buffer, pending_.data() + offset_, n);
    offset_ += n;
    if (offset_ == pending_.size()) {
      pending_.clear();
      offset_ = 0;
    }
    return n;
  }

 private:
  void refill() {
    if (offset_ > 0) {
      pending_.erase(0, offset_);
      offset_ = 0;
    }
    if (next_ == 0) pending_ += R"({"SchemaVersion": 2, "ArtifactName": "", "Results": [)";
    if (next_ == count_) {
      pending_ += "]}]}";
      done_ = true;
      return;
    }
    const bool new_target = next_ % (count_ / 100) == 0;
    if (new_target) {
      if (next_ > 0) pending_ += "]},";
      pending_ += R"({"Target": "host-)" + std::to_string(next_ / (count_ / 100)) + R"(", "Type": "debian", "Vulnerabilities": [)";
    } else {
      pending_ += ',';
    }
    pending_ += R"({"VulnerabilityID": "CVE-2024-)" + std::to_string(10000 + next_ % 5000) +
                R"(", "PkgName": "libexample)" + std::to_string(next_ % 37) +
                R"(", "InstalledVersion": "1.0.)" + std::to_string(next_ % 11) +
                R"(", "Severity": "HIGH", "Title": "A title long enough to be realistic for a finding",
                "Description": "A description of the vulnerability that takes a few hundred bytes, as real ones do: )"
                R"(an attacker can send a crafted request that is not validated and so corrupt memory of the process.",
                "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}},
                "References": ["https://nvd.nist.gov/vuln/detail/CVE-2024-)" +
                std::to_string(10000 + next_ % 5000) + R"("]})";
    ++next_;
  }

  std::size_t count_;
  std::size_t next_ = 0;
  bool done_ = false;
  std::string pending_;
  std::size_t offset_ = 0;
};

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

TEST(Streaming, ChunkSizeDoesNotChangeTheFindings) {
  for (const char* file : {"trivy/schema2.json", "trivy/legacy.json", "grype/small.json", "sarif/small.sarif",
                           "openvas/small.xml", "nessus/small.nessus", "osv/small.json", "cyclonedx/vex.cdx.json",
                           "cyclonedx/vex.cdx.xml", "cyclonedx/extension.cdx.xml"}) {
    const std::string text = read_file(fixture(file));
    ParseOptions options;
    options.default_asset = "asset";
    const Parsed whole = parse_text(text, options);
    ASSERT_TRUE(whole.ok()) << file << ": " << whole.error();
    for (const std::size_t step : {1u, 7u, 4096u}) {
      TrickleSource source(text, step);
      std::vector<std::string> fingerprints;
      const auto result = parse_report(source, options, [&](const Finding& f) {
        fingerprints.push_back(f.fingerprint + f.title + f.description + f.evidence);
        return tillit::Status();
      });
      ASSERT_TRUE(result.ok()) << file << " in chunks of " << step << ": " << result.error().message;
      ASSERT_EQ(fingerprints.size(), whole.findings.size()) << file;
      for (std::size_t i = 0; i < fingerprints.size(); ++i) {
        const Finding& f = whole.findings[i];
        EXPECT_EQ(fingerprints[i], f.fingerprint + f.title + f.description + f.evidence) << file << " #" << i;
      }
    }
  }
}

TEST(Streaming, ErrorsInSmallChunksStillSayWhere) {
  const std::string text = read_file(fixture("trivy/malformed.json"));
  TrickleSource source(text, 3);
  const auto result = parse_report(source, {}, [](const Finding&) { return tillit::Status(); });
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("($.Results[0].Vulnerabilities[1].Severity): expected a string, found a number"),
            std::string::npos)
      << result.error().message;
}

TEST(Streaming, TheCallbackStopsTheParse) {
  const std::string text = read_file(fixture("trivy/schema2.json"));
  MemorySource source(text);
  int seen = 0;
  const auto result = parse_report(source, {}, [&](const Finding&) -> tillit::Status {
    if (++seen == 2) return tillit::make_error(tillit::ErrorCode::conflict, "database said no");
    return {};
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(result.error().code, tillit::ErrorCode::conflict);
  EXPECT_EQ(result.error().message, "database said no") << "the callback's error, unchanged";
}

TEST(Streaming, HostileShapesAreRefused) {
  const std::string deep_json = R"({"SchemaVersion": 2, "Results": [{"Target": "x", "Metadata": )" +
                                std::string(100000, '[') + std::string(100000, ']') + "}]}";
  const Parsed deep = parse_text(deep_json);
  EXPECT_NE(deep.error().find("nests deeper than 256 levels"), std::string::npos) << deep.error();

  std::string deep_xml = "<report format_id=\"x\">";
  for (int i = 0; i < 10000; ++i) deep_xml += "<a>";
  const Parsed deep2 = parse_text(deep_xml);
  EXPECT_NE(deep2.error().find("nests deeper than 256 levels"), std::string::npos) << deep2.error();

  // A single finding that costs more than 64 MiB to hold (a node per two bytes) is refused.
  std::string wide = R"({"SchemaVersion": 2, "ArtifactName": "a", "Results": [{"Vulnerabilities": [{"x": [)";
  for (int i = 0; i < 1200000; ++i) wide += "{},";
  wide += "{}]}]}]}";
  const Parsed too_large = parse_text(wide);
  EXPECT_NE(too_large.error().find("($.Results[0].Vulnerabilities[0].x["), std::string::npos) << too_large.error();
  EXPECT_NE(too_large.error().find("larger than 64 MiB"), std::string::npos) << too_large.error();

  const Parsed utf8 = parse_text("{\"SchemaVersion\": 2, \"ArtifactName\": \"bad \xff\xfe\", \"Results\": []}");
  EXPECT_NE(utf8.error().find("not valid JSON"), std::string::npos) << utf8.error();
  EXPECT_NE(utf8.error().find("UTF8"), std::string::npos) << utf8.error();

  const Parsed trailing = parse_text(R"({"SchemaVersion": 2, "Results": []} {"SchemaVersion": 2})");
  EXPECT_NE(trailing.error().find("line 1, column 37 ($): not valid JSON (parse error: trailing garbage)"), std::string::npos) << trailing.error();

  const Parsed root_scalar = parse_text(R"({"SchemaVersion": 2, "Results": []})" "\n", {"grype", "", ""});
  EXPECT_TRUE(root_scalar.ok()) << "an object without matches is an empty Grype report: " << root_scalar.error();
  EXPECT_EQ(root_scalar.findings.size(), 0u);
}

// AddressSanitizer keeps freed memory in quarantine, so there peak RSS measures the
// quarantine, not the parser: the report is read, its size not judged.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST(Streaming, MemoryStaysFlatOverALargeReport) {
  const std::size_t count = kSanitized ? 20000 : 200000;
  {  // warm up: allocator pools, the CVSS cache, lazy statics
    GeneratedTrivy small(1000);
    ASSERT_TRUE(parse_report(small, {}, [](const Finding&) { return tillit::Status(); }).ok());
  }
  const long before = peak_rss_kib();
  GeneratedTrivy large(count);  // about 150 MB of JSON unsanitized
  std::size_t seen = 0;
  const auto result = parse_report(large, {}, [&](const Finding& f) {
    ++seen;
    EXPECT_EQ(f.cvss.size(), 1u);
    return tillit::Status();
  });
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(seen, count);
  EXPECT_EQ(result->findings, count);
  if (kSanitized) return;
  const long growth_kib = peak_rss_kib() - before;
  EXPECT_LT(growth_kib, 16 * 1024) << "peak RSS grew by " << growth_kib << " KiB while streaming 200,000 findings";
}
