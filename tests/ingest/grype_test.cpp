// Grype JSON on fixtures and real reports. Grype writes $.source after $.matches: the parser
// reads a rewindable input twice (first for the asset), and asks for the asset otherwise.
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

namespace {

// A source that, like a pipe, can be read only once.
class OnceSource final : public ByteSource {
 public:
  explicit OnceSource(std::string text) : text_(std::move(text)), inner_(text_) {}
  tillit::Result<std::size_t> read(char* buffer, std::size_t capacity) override { return inner_.read(buffer, capacity); }

 private:
  std::string text_;
  MemorySource inner_;
};

}  // namespace

TEST(GrypeFixture, MatchesWithTheirSourceAsAsset) {
  const Parsed p = parse_file(fixture("grype/small.json"));
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 3u);
  EXPECT_EQ(p.summary->header.tool_name, "grype");
  EXPECT_EQ(p.summary->header.tool_version, "0.74.0");
  EXPECT_EQ(p.summary->header.scan_time, "2026-03-02T09:20:11.5Z");
  EXPECT_EQ(p.summary->header.asset, "registry.example.se/tillit/web:1.4.2");

  const Finding& express = p.findings[0];
  EXPECT_EQ(express.asset, "registry.example.se/tillit/web:1.4.2");
  EXPECT_EQ(express.vulnerability_id, "GHSA-rv95-896h-c2vc");
  EXPECT_EQ(express.aliases, std::vector<std::string>{"CVE-2024-29041"});
  EXPECT_EQ(express.component, "express");
  EXPECT_EQ(express.component_version, "4.18.2");
  EXPECT_EQ(express.package_type, "npm");
  EXPECT_EQ(express.purl, "pkg:npm/express@4.18.2");
  EXPECT_EQ(express.location.path, "/app/package-lock.json");
  EXPECT_EQ(express.fixed_versions, std::vector<std::string>{"4.19.2"});
  EXPECT_EQ(express.status, "fixed");
  EXPECT_EQ(express.severity, SeverityBand::medium);
  EXPECT_EQ(express.description, "Express.js Open Redirect in malformed URLs");
  // The same vector from the advisory (namespace as source) and from NVD: both kept.
  EXPECT_TRUE(has_vector(express, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", "github:language:javascript"));
  EXPECT_TRUE(has_vector(express, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", "nvd@nist.gov"));

  EXPECT_TRUE(p.findings[1].aliases.empty()) << "a related record with the same id is no alias";
  EXPECT_EQ(p.findings[2].severity, SeverityBand::low);  // Negligible
  EXPECT_EQ(p.findings[2].status, "not-fixed");
}

TEST(GrypeFixture, StreamThatCannotRewindNeedsAnAsset) {
  const std::string text = read_file(fixture("grype/small.json"));
  OnceSource once(text);
  std::size_t seen = 0;
  const auto result = parse_report(once, {}, [&](const Finding&) {
    ++seen;
    return tillit::Status();
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(seen, 0u);
  EXPECT_NE(result.error().message.find("line 3, column 5 ($.matches[0])"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("--asset NAME"), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find("not a valid"), std::string::npos) << "not a malformed report";

  OnceSource again(text);
  ParseOptions options;
  options.asset_override = "web-prod";
  const auto named = parse_report(again, options, [&](const Finding& f) {
    EXPECT_EQ(f.asset, "web-prod");
    return tillit::Status();
  });
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_EQ(named->findings, 3u);
}

TEST(GrypeFixture, MalformedNamesThePlace) {
  const Parsed p = parse_file(fixture("grype/malformed.json"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 14, column 24 ($.matches[1].vulnerability): id is missing. The file is not a valid "
                            "Grype JSON report",
                            0),
            0u)
      << p.error();
}

TEST(GrypeSample, CheckAllFields) {
  const auto path = sample("grype/check_all_fields.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 6u);
  EXPECT_EQ(p.summary->header.tool_version, "0.28.0");
  const Finding& krb = p.findings[0];
  EXPECT_EQ(krb.asset, "vulnerable-image:latest");
  EXPECT_EQ(krb.vulnerability_id, "CVE-2004-0971");
  EXPECT_EQ(krb.component, "libgssapi-krb5-2");
  EXPECT_EQ(krb.component_version, "1.17-3+deb10u3");
  EXPECT_EQ(krb.package_type, "deb");
  EXPECT_EQ(krb.tool_severity, "Negligible");
  EXPECT_EQ(krb.status, "not-fixed");
  EXPECT_TRUE(has_vector(krb, "AV:L/AC:L/Au:N/C:N/I:P/A:N", "nvd"));
  const Finding& redis = p.findings[1];
  EXPECT_EQ(redis.fixed_versions, (std::vector<std::string>{"fix_1", "fix_2"}));
  EXPECT_EQ(redis.status, "wont-fix");
  EXPECT_EQ(redis.cvss.size(), 2u);
  const Finding& django = p.findings[4];
  EXPECT_EQ(django.vulnerability_id, "GHSA-v6rh-hp5x-86rv");
  EXPECT_EQ(django.aliases, std::vector<std::string>{"CVE-2021-44420"});
  EXPECT_EQ(django.severity, SeverityBand::high);
}

TEST(GrypeSample, ManyVulnsEarlyFormat) {
  const auto path = sample("grype/many_vulns.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 1509u);  // jq '.matches | length'
  EXPECT_EQ(p.summary->header.tool_version, "0.7.0");
  const Finding& first = p.findings[0];
  EXPECT_EQ(first.asset, "python:3.6");
  EXPECT_EQ(first.vulnerability_id, "CVE-2011-3389");
  EXPECT_EQ(first.component, "libgnutls-openssl27");
  EXPECT_EQ(first.component_version, "3.6.7-4+deb10u5");
  EXPECT_TRUE(has_vector(first, "AV:N/AC:M/Au:N/C:P/I:N/A:N", ""));  // Grype 0.7's cvssV2 object
  int negligible = 0, unknown = 0, high = 0;
  for (const auto& f : p.findings) {
    negligible += f.tool_severity == "Negligible";
    unknown += f.severity == SeverityBand::unknown;
    high += f.severity == SeverityBand::high;
  }
  EXPECT_EQ(negligible, 681);
  EXPECT_EQ(unknown, 76);
  EXPECT_EQ(high, 32);
}

TEST(GrypeSample, CurrentFormatWithCvssSources) {
  const auto path = sample("grype/many_vulns_with_epss_values.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 15u);
  EXPECT_EQ(p.summary->header.tool_version, "0.94.0");
  EXPECT_EQ(p.summary->header.scan_time, "2025-06-19T11:43:35.523947199Z");
  const Finding& busybox = p.findings[0];
  EXPECT_EQ(busybox.asset, "busybox:1.32.1");
  EXPECT_EQ(busybox.vulnerability_id, "CVE-2022-28391");
  EXPECT_EQ(busybox.location.path, "/bin/[");
  EXPECT_TRUE(has_vector(busybox, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", "nvd@nist.gov"));
  EXPECT_TRUE(has_vector(busybox, "AV:N/AC:M/Au:N/C:P/I:P/A:P", "nvd@nist.gov"));
  EXPECT_EQ(busybox.references.size(), 4u) << "URLs repeated in the report are kept once";
}
