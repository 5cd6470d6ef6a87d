// CycloneDX JSON and XML with vulnerabilities and VEX analysis, on fixtures and real BOMs
// (including BOM 1.2 with the earlier vulnerability extension).
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

TEST(CycloneDxJsonFixture, VexAnalysisAndAffectedComponents) {
  const Parsed p = parse_file(fixture("cyclonedx/vex.cdx.json"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "cyclonedx-json");
  EXPECT_EQ(p.summary->header.tool_name, "trivy");
  EXPECT_EQ(p.summary->header.tool_version, "0.50.1");
  EXPECT_EQ(p.summary->header.scan_time, "2026-03-02T10:00:00Z");
  EXPECT_EQ(p.summary->header.asset, "registry.example.se/tillit/web:1.4.2");
  ASSERT_EQ(p.findings.size(), 3u) << "one finding per affected component";

  const Finding& databind = p.findings[0];
  EXPECT_EQ(databind.vulnerability_id, "CVE-2018-7489");
  EXPECT_EQ(databind.asset, "registry.example.se/tillit/web:1.4.2");
  EXPECT_EQ(databind.component, "jackson-databind");
  EXPECT_EQ(databind.component_version, "2.9.4");
  EXPECT_EQ(databind.purl, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4");
  EXPECT_EQ(databind.package_type, "maven");
  EXPECT_EQ(databind.aliases, std::vector<std::string>{"GHSA-cggj-fvv3-cqwv"});
  // CVSSv31 without its prefix gets it; the OWASP rating is no CVSS vector.
  ASSERT_EQ(databind.cvss.size(), 1u);
  EXPECT_TRUE(has_vector(databind, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "NVD"));
  EXPECT_TRUE(databind.rejected_cvss.empty());
  EXPECT_EQ(databind.tool_severity, "critical");
  EXPECT_EQ(databind.severity, SeverityBand::critical);
  EXPECT_EQ(databind.cwes, (std::vector<std::string>{"CWE-184", "CWE-502"}));
  EXPECT_EQ(databind.solution, "Upgrade jackson-databind to 2.9.5 or later.");
  EXPECT_EQ(databind.references, (std::vector<std::string>{"https://nvd.nist.gov/vuln/detail/CVE-2018-7489",
                                                           "https://github.com/advisories/GHSA-cggj-fvv3-cqwv",
                                                           "https://github.com/FasterXML/jackson-databind/issues/1931"}));
  EXPECT_EQ(databind.analysis.state, "not_affected");
  EXPECT_EQ(databind.analysis.justification, "code_not_reachable");
  EXPECT_EQ(databind.analysis.responses, (std::vector<std::string>{"will_not_fix", "update"}));
  EXPECT_EQ(databind.analysis.detail, "Polymorphic typing is never enabled in this service.");

  const Finding& annotations = p.findings[1];  // a nested component, by its bom-ref
  EXPECT_EQ(annotations.component, "jackson-annotations");
  EXPECT_EQ(annotations.component_version, "2.9.0");
  EXPECT_EQ(annotations.analysis.state, "not_affected");
  EXPECT_NE(annotations.fingerprint, databind.fingerprint);

  const Finding& ssl = p.findings[2];
  EXPECT_EQ(ssl.component, "libssl3");
  EXPECT_EQ(ssl.package_type, "deb");
  EXPECT_EQ(ssl.tool_severity, "medium") << "the rating from the vulnerability's own source (debian)";
  EXPECT_EQ(ssl.analysis.state, "in_triage");
  EXPECT_TRUE(ssl.analysis.justification.empty());
}

TEST(CycloneDxJsonFixture, MalformedNamesThePlace) {
  const Parsed p = parse_file(fixture("cyclonedx/malformed.cdx.json"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 14, column 18 ($.vulnerabilities[0].ratings): expected an array, found an object. "
                            "The file is not a valid CycloneDX JSON",
                            0),
            0u)
      << p.error();
}

TEST(CycloneDxJsonFixture, UnknownRefReadAsPurl) {
  const Parsed p = parse_text(R"({"bomFormat": "CycloneDX", "specVersion": "1.4",
    "metadata": {"component": {"name": "svc"}},
    "vulnerabilities": [{"id": "CVE-2024-1", "affects": [{"ref": "pkg:npm/%40babel/core@7.0.0"}]}]})");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.findings[0].component, "core");
  EXPECT_EQ(p.findings[0].component_version, "7.0.0");
  EXPECT_EQ(p.findings[0].package_type, "npm");
  EXPECT_EQ(p.findings[0].purl, "pkg:npm/%40babel/core@7.0.0");
}

TEST(CycloneDxXmlFixture, VexAnalysisAndNestedComponents) {
  const Parsed p = parse_file(fixture("cyclonedx/vex.cdx.xml"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "cyclonedx-xml");
  EXPECT_EQ(p.summary->header.tool_name, "grype");
  EXPECT_EQ(p.summary->header.tool_version, "0.74.0");
  EXPECT_EQ(p.summary->header.asset, "registry.example.se/tillit/web:1.4.2");
  ASSERT_EQ(p.findings.size(), 2u);

  const Finding& express = p.findings[0];
  EXPECT_EQ(express.vulnerability_id, "CVE-2024-29041");
  EXPECT_EQ(express.component, "express");
  EXPECT_EQ(express.component_version, "4.18.2");
  EXPECT_EQ(express.package_type, "npm");
  EXPECT_EQ(express.aliases, std::vector<std::string>{"GHSA-rv95-896h-c2vc"});
  EXPECT_TRUE(has_vector(express, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", "NVD"));
  EXPECT_TRUE(has_vector(express, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N", "GitHub"));
  EXPECT_EQ(express.tool_severity, "medium");
  EXPECT_EQ(express.cwes, std::vector<std::string>{"CWE-601"});
  EXPECT_EQ(express.analysis.state, "exploitable");
  EXPECT_EQ(express.analysis.responses, std::vector<std::string>{"update"});
  EXPECT_EQ(express.analysis.detail, "Reachable from the public login redirect.");
  EXPECT_EQ(express.solution, "Upgrade express to 4.19.2.");

  const Finding& qs = p.findings[1];
  EXPECT_EQ(qs.component, "qs");
  EXPECT_EQ(qs.component_version, "6.11.0");
  EXPECT_TRUE(has_vector(qs, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", ""));
  EXPECT_EQ(qs.severity, SeverityBand::high);
  EXPECT_EQ(qs.analysis.state, "not_affected");
  EXPECT_EQ(qs.analysis.justification, "requires_configuration");
}

TEST(CycloneDxXmlFixture, VulnerabilityExtension) {
  const Parsed p = parse_file(fixture("cyclonedx/extension.cdx.xml"));
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 1u);
  const Finding& django = p.findings[0];
  EXPECT_EQ(django.asset, "registry.example.se/tillit/worker:2.0.1");
  EXPECT_EQ(django.vulnerability_id, "CVE-2021-33203");
  EXPECT_EQ(django.component, "Django");
  EXPECT_EQ(django.component_version, "2.2.20");
  EXPECT_TRUE(has_vector(django, "CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N", "vulnerabilities:github:python"));
  EXPECT_EQ(django.severity, SeverityBand::medium);
  EXPECT_EQ(django.references.size(), 2u);
  EXPECT_EQ(p.summary->header.tool_version, "0.11.0");
}

TEST(CycloneDxXmlFixture, MalformedNamesTheElement) {
  const Parsed p = parse_file(fixture("cyclonedx/malformed.cdx.xml"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 4, column 5 (/bom/vulnerabilities/vulnerability): <id> is missing. The file is not "
                            "a valid CycloneDX XML",
                            0),
            0u)
      << p.error();
}

TEST(CycloneDxSample, Log4jJson) {
  const auto path = sample("cyclonedx/log4j.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 8u);
  const Finding& log4shell = p.findings[0];
  EXPECT_EQ(log4shell.vulnerability_id, "CVE-2021-44228");
  EXPECT_EQ(log4shell.component, "log4j-core");
  EXPECT_EQ(log4shell.component_version, "2.13.2");
  EXPECT_EQ(log4shell.purl, "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2");
  EXPECT_EQ(log4shell.severity, SeverityBand::critical);
  EXPECT_EQ(log4shell.analysis.state, "in_triage");
  EXPECT_TRUE(has_vector(log4shell, "AV:N/AC:M/Au:N/C:C/I:C/A:C", ""));
  EXPECT_TRUE(has_vector(log4shell, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", ""));
  EXPECT_EQ(p.summary->header.tool_name, "grype");
  EXPECT_EQ(p.summary->header.tool_version, "0.41.0");
}

TEST(CycloneDxSample, TrivyJson) {
  const auto path = sample("cyclonedx/issue_9277.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 14u);  // the affects refs of 10 vulnerabilities
  EXPECT_EQ(p.summary->header.tool_version, "0.48.1");
  const Finding& coreutils = p.findings[0];
  EXPECT_EQ(coreutils.asset, "ubuntu:latest");
  EXPECT_EQ(coreutils.vulnerability_id, "CVE-2016-2781");
  EXPECT_EQ(coreutils.component, "coreutils");
  EXPECT_EQ(coreutils.component_version, "8.32-4.1ubuntu1");
  EXPECT_EQ(coreutils.tool_severity, "low");  // ubuntu's rating: the vulnerability's source
  EXPECT_EQ(coreutils.cwes, std::vector<std::string>{"CWE-20"});
  EXPECT_EQ(coreutils.cvss.size(), 4u);  // two v2, two v3.0 (nvd, redhat)
  EXPECT_EQ(p.findings[3].component, "libc-bin");
  EXPECT_EQ(p.findings[4].component, "libc6");
  EXPECT_EQ(p.findings[3].vulnerability_id, p.findings[4].vulnerability_id);
}

TEST(CycloneDxSample, Bom12WithVulnerabilityExtension) {
  const auto path = sample("cyclonedx/dd_1_15_0.xml");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 381u);  // v:vulnerability elements
  EXPECT_EQ(p.summary->header.asset, "defectdojo/defectdojo-django:1.15.0");
  const Finding& apt = p.findings[0];
  EXPECT_EQ(apt.component, "apt");
  EXPECT_EQ(apt.component_version, "1.8.2.1");
  EXPECT_EQ(apt.vulnerability_id, "CVE-2011-3374");
  EXPECT_TRUE(has_vector(apt, "AV:N/AC:M/Au:N/C:N/I:P/A:N", "vulnerabilities:debian:10"));
  int medium = 0, unknown = 0, critical = 0;
  for (const auto& f : p.findings) {
    medium += f.severity == SeverityBand::medium;
    unknown += f.severity == SeverityBand::unknown;
    critical += f.severity == SeverityBand::critical;
  }
  EXPECT_EQ(medium, 175);
  EXPECT_EQ(unknown, 33);
  EXPECT_EQ(critical, 4);
}
