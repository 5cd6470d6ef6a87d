// Fingerprints: the same vulnerability on the same asset and component gets the same
// fingerprint from different tools and across versions and line shifts, and a different one
// wherever it is really another finding.
#include <gtest/gtest.h>

#include "ingest_test_support.h"
#include "tillit/ingest/fingerprint.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

namespace {

const Finding* with_component(const Parsed& p, std::string_view component) {
  for (const auto& f : p.findings) {
    if (f.component == component) return &f;
  }
  return nullptr;
}

Finding package(std::string id, std::string component, std::string version, std::string asset) {
  Finding f;
  f.kind = FindingKind::package;
  f.vulnerability_id = std::move(id);
  f.component = std::move(component);
  f.component_version = std::move(version);
  f.asset = std::move(asset);
  return f;
}

}  // namespace

TEST(Fingerprint, TrivyAndGrypeAgreeOnTheSameVulnerability) {
  const Parsed trivy = parse_file(fixture("trivy/schema2.json"));
  const Parsed grype = parse_file(fixture("grype/small.json"));
  const Parsed cyclonedx = parse_file(fixture("cyclonedx/vex.cdx.xml"));
  ASSERT_TRUE(trivy.ok() && grype.ok() && cyclonedx.ok());

  // Trivy says CVE-2024-29041 (GHSA as vendor id); Grype says GHSA-rv95-896h-c2vc (CVE as related).
  const Finding* trivy_express = with_component(trivy, "express");
  const Finding* grype_express = with_component(grype, "express");
  const Finding* cyclonedx_express = with_component(cyclonedx, "express");
  ASSERT_TRUE(trivy_express && grype_express && cyclonedx_express);
  EXPECT_NE(trivy_express->vulnerability_id, grype_express->vulnerability_id);
  EXPECT_EQ(trivy_express->fingerprint, grype_express->fingerprint);
  EXPECT_EQ(trivy_express->fingerprint, cyclonedx_express->fingerprint);
  EXPECT_EQ(vulnerability_key(*grype_express), "CVE-2024-29041");

  // Different purl qualifiers (distro-12.5 vs debian-12) and locations: the same package.
  const Finding* trivy_ssl = with_component(trivy, "libssl3");
  const Finding* grype_ssl = with_component(grype, "libssl3");
  ASSERT_TRUE(trivy_ssl && grype_ssl);
  EXPECT_NE(trivy_ssl->location.path, grype_ssl->location.path);
  EXPECT_EQ(trivy_ssl->fingerprint, grype_ssl->fingerprint);

  EXPECT_NE(trivy_ssl->fingerprint, trivy_express->fingerprint);
}

TEST(Fingerprint, PackageIgnoresVersionAndSpelling) {
  const Finding a = package("CVE-2025-66614", "org.apache.tomcat:tomcat-catalina", "9.0.109", "lib/catalina.jar");
  const Finding b = package("cve-2025-66614", "tomcat-catalina", "9.0.112", "  LIB/catalina.jar ");
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  EXPECT_EQ(fingerprint(a).size(), 32u);
  EXPECT_EQ(fingerprint(a), fingerprint(a)) << "pure";

  EXPECT_NE(fingerprint(a), fingerprint(package("CVE-2025-66614", "tomcat-catalina", "9.0.109", "other-app")));
  EXPECT_NE(fingerprint(a), fingerprint(package("CVE-2025-61795", "tomcat-catalina", "9.0.109", "lib/catalina.jar")));
  EXPECT_NE(fingerprint(a), fingerprint(package("CVE-2025-66614", "tomcat-coyote", "9.0.109", "lib/catalina.jar")));

  EXPECT_EQ(fingerprint_key(a),
            "tillit-finding/1\n7:package\n14:CVE-2025-66614\n15:tomcat-catalina\n16:lib/catalina.jar\n");
}

TEST(Fingerprint, ComponentKeys) {
  EXPECT_EQ(component_key("org.apache.tomcat:tomcat-catalina", ""), "tomcat-catalina");
  EXPECT_EQ(component_key("github.com/gin-gonic/gin", ""), "gin");
  EXPECT_EQ(component_key("github.com/go-redis/redis/v8", ""), "redis/v8");
  EXPECT_EQ(component_key("@babel/core", ""), "core");
  EXPECT_EQ(component_key("Django", ""), "django");
  EXPECT_EQ(component_key("zope.interface", ""), component_key("zope_interface", ""));
  EXPECT_EQ(component_key("", "pkg:npm/%40babel/core@7.0.0"), "core");
  EXPECT_EQ(component_key("", ""), "");
}

TEST(Fingerprint, VulnerabilityKeyPrefersTheCve) {
  Finding f = package("GHSA-q7rv-6hp3-vh96", "guzzlehttp/psr7", "1.6.1", "app");
  f.aliases = {"GHSA-wxmh-65f7-jcvw", "CVE-2023-29197", "CVE-2022-24775"};
  EXPECT_EQ(vulnerability_key(f), "CVE-2022-24775") << "the smallest CVE, whatever the tool's order";
  f.aliases = {"PYSEC-2023-74"};
  EXPECT_EQ(vulnerability_key(f), "GHSA-Q7RV-6HP3-VH96");
}

TEST(Fingerprint, CodeFindingsSurviveLineShifts) {
  Finding f;
  f.kind = FindingKind::code;
  f.rule_id = "py/sql-injection";
  f.asset = "https://git.example.se/tillit/web";
  f.location.path = "app/views/report.py";
  f.location.line = 42;
  Finding moved = f;
  moved.location.line = 57;
  moved.location.path = "./app/views/report.py";
  EXPECT_EQ(fingerprint(f), fingerprint(moved));
  Finding other_file = f;
  other_file.location.path = "app/views/admin.py";
  EXPECT_NE(fingerprint(f), fingerprint(other_file));
  // The tool's own occurrence id tells two matches of one rule in one file apart.
  Finding first = f, second = f;
  first.tool_fingerprint = "primaryLocationLineHash=5e2c0f8f1a9d3b71:1";
  second.tool_fingerprint = "primaryLocationLineHash=0b71d2e3a9f81c44:1";
  EXPECT_NE(fingerprint(first), fingerprint(second));
}

TEST(Fingerprint, NetworkFindingsByCheckHostAndPort) {
  const Parsed p = parse_file(fixture("nessus/small.nessus"));
  ASSERT_TRUE(p.ok());
  Finding f = p.findings[1];
  const std::string original = fingerprint(f);
  f.aliases.clear();
  f.cvss.clear();
  f.title = "renamed by a plugin update";
  EXPECT_EQ(fingerprint(f), original);
  f.location.port = "5433";
  EXPECT_NE(fingerprint(f), original);
  f.location.port = "5432";
  f.asset = "db02.example.se";
  EXPECT_NE(fingerprint(f), original);
}

TEST(Fingerprint, SameReportTwiceSameFingerprints) {
  for (const char* file : {"trivy/schema2.json", "sarif/small.sarif", "openvas/small.xml", "cyclonedx/vex.cdx.json"}) {
    const Parsed a = parse_file(fixture(file));
    const Parsed b = parse_file(fixture(file));
    ASSERT_TRUE(a.ok() && b.ok()) << file;
    ASSERT_EQ(a.findings.size(), b.findings.size());
    for (std::size_t i = 0; i < a.findings.size(); ++i) EXPECT_EQ(a.findings[i].fingerprint, b.findings[i].fingerprint);
  }
}
