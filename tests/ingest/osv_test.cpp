// OSV-Scanner JSON on fixtures and a real report.
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

namespace {

ParseOptions with_asset(std::string asset) {
  ParseOptions options;
  options.default_asset = std::move(asset);
  return options;
}

}  // namespace

TEST(OsvFixture, OneFindingPerGroup) {
  const Parsed p = parse_file(fixture("osv/small.json"), with_asset("tillit-tools"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "osv");
  ASSERT_EQ(p.findings.size(), 2u) << "the GHSA and PYSEC records of one group are one finding";

  const Finding& requests = p.findings[0];
  EXPECT_EQ(requests.asset, "tillit-tools");
  EXPECT_EQ(requests.tool, "OSV-Scanner");
  EXPECT_EQ(requests.vulnerability_id, "GHSA-j8r2-6x86-q33q");
  EXPECT_EQ(requests.aliases, (std::vector<std::string>{"CVE-2023-32681", "PYSEC-2023-74"}));
  EXPECT_EQ(requests.component, "requests");
  EXPECT_EQ(requests.component_version, "2.29.0");
  EXPECT_EQ(requests.package_type, "PyPI");
  EXPECT_EQ(requests.purl, "pkg:pypi/requests@2.29.0");
  EXPECT_EQ(requests.location.path, "/src/tillit-tools/requirements.txt");
  EXPECT_EQ(requests.title, "Unintended leak of Proxy-Authorization header in requests");
  EXPECT_EQ(requests.fixed_versions, std::vector<std::string>{"2.31.0"}) << "commit ids are no versions of a PyPI package";
  EXPECT_EQ(requests.tool_severity, "MODERATE");
  EXPECT_EQ(requests.severity, SeverityBand::medium);
  EXPECT_EQ(requests.cwes, std::vector<std::string>{"CWE-200"});
  EXPECT_TRUE(has_vector(requests, "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", "osv"));
  EXPECT_EQ(requests.references, std::vector<std::string>{"https://nvd.nist.gov/vuln/detail/CVE-2023-32681"});

  const Finding& jinja = p.findings[1];
  EXPECT_EQ(jinja.vulnerability_id, "GHSA-h5c8-rqwp-cp95");
  EXPECT_EQ(jinja.aliases, std::vector<std::string>{"CVE-2024-22195"});
  EXPECT_EQ(jinja.fixed_versions, std::vector<std::string>{"3.1.3"});
}

TEST(OsvFixture, TheImporterNamesTheAsset) {
  const Parsed p = parse_file(fixture("osv/small.json"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("($.results[0].packages[0].groups[0]): the report does not name the asset"),
            std::string::npos)
      << p.error();
}

TEST(OsvFixture, MalformedNamesThePlace) {
  const Parsed p = parse_file(fixture("osv/malformed.json"), with_asset("x"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 8, column 19 ($.results[0].packages): expected an array, found an object. The "
                            "file is not a valid OSV-Scanner JSON report",
                            0),
            0u)
      << p.error();
}

TEST(OsvSample, ManyFindings) {
  const auto path = sample("osv/many_findings.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path, with_asset("cardmarket"));
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 37u);  // groups per package (records where there are none)
  const Finding& guzzle = p.findings[0];
  EXPECT_EQ(guzzle.vulnerability_id, "GHSA-25mq-v84q-4j7r");
  EXPECT_EQ(guzzle.aliases, std::vector<std::string>{"CVE-2022-31090"});
  EXPECT_EQ(guzzle.component, "guzzlehttp/guzzle");
  EXPECT_EQ(guzzle.component_version, "6.3.3");
  EXPECT_EQ(guzzle.location.path, "/tmpcardmarket-api/composer.lock");
  EXPECT_EQ(guzzle.fixed_versions, (std::vector<std::string>{"6.5.8", "7.4.5"}));
  EXPECT_EQ(guzzle.severity, SeverityBand::high);
  // One group of two advisories with their CVEs.
  const Finding& psr7 = p.findings[5];
  EXPECT_EQ(psr7.component, "guzzlehttp/psr7");
  EXPECT_EQ(psr7.vulnerability_id, "GHSA-q7rv-6hp3-vh96");
  EXPECT_NE(std::find(psr7.aliases.begin(), psr7.aliases.end(), "GHSA-wxmh-65f7-jcvw"), psr7.aliases.end());
  EXPECT_NE(std::find(psr7.aliases.begin(), psr7.aliases.end(), "CVE-2023-29197"), psr7.aliases.end());
  // A package found by commit in a git checkout: the repository is the component.
  const Finding* git = p.by_id("CVE-2023-50094");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->component, "https://github.com/yogeshojha/rengine");
  EXPECT_EQ(git->component_version, "f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6");
  EXPECT_EQ(git->package_type, "git");
}
