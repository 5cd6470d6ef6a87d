// Trivy JSON: schema 2, the pre-0.20 list form and Kubernetes reports, on fixtures and on
// real reports (../shared/samples/scanners/trivy). Expected values checked by hand with jq.
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

TEST(TrivyFixture, Schema2EveryKindOfFinding) {
  const Parsed p = parse_file(fixture("trivy/schema2.json"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "trivy");
  EXPECT_EQ(p.summary->header.tool_name, "Trivy");
  EXPECT_EQ(p.summary->header.scan_time, "2026-03-02T09:15:00.123456Z");
  EXPECT_EQ(p.summary->header.asset, "registry.example.se/tillit/web:1.4.2");
  // 3 vulnerabilities, 1 failed misconfiguration (the passed one is not a finding), 1 secret.
  ASSERT_EQ(p.findings.size(), 5u);
  EXPECT_EQ(p.summary->findings, 5u);

  const Finding* ssl = p.by_id("CVE-2024-2511");
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(ssl->kind, FindingKind::package);
  EXPECT_EQ(ssl->tool, "Trivy");
  EXPECT_EQ(ssl->asset, "registry.example.se/tillit/web:1.4.2");
  EXPECT_EQ(ssl->component, "libssl3");
  EXPECT_EQ(ssl->component_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(ssl->package_type, "debian");
  EXPECT_EQ(ssl->purl, "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5");
  EXPECT_EQ(ssl->location.path, "registry.example.se/tillit/web:1.4.2 (debian 12.5)");
  EXPECT_EQ(ssl->fixed_versions, std::vector<std::string>{"3.0.13-1~deb12u1"});
  EXPECT_EQ(ssl->status, "fixed");
  EXPECT_EQ(ssl->tool_severity, "MEDIUM");
  EXPECT_EQ(ssl->severity, SeverityBand::medium);
  EXPECT_EQ(ssl->cwes, std::vector<std::string>{"CWE-1325"});
  EXPECT_EQ(ssl->title, "openssl: unbounded memory growth with session handling in TLSv1.3");
  ASSERT_EQ(ssl->cvss.size(), 2u);
  EXPECT_TRUE(has_vector(*ssl, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "nvd"));
  EXPECT_TRUE(has_vector(*ssl, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", "redhat"));
  EXPECT_EQ(ssl->cvss[0].version, "3.1");
  // PrimaryURL first, then References, each once.
  EXPECT_EQ(ssl->references, (std::vector<std::string>{"https://avd.aquasec.com/nvd/cve-2024-2511",
                                                        "https://www.openssl.org/news/secadv/20240408.txt",
                                                        "https://nvd.nist.gov/vuln/detail/CVE-2024-2511"}));
  EXPECT_EQ(ssl->fingerprint.size(), 32u);

  // A vector core cannot parse is kept aside with the reason, the finding still imported.
  const Finding* ncurses = p.by_id("CVE-2023-50495");
  ASSERT_NE(ncurses, nullptr);
  ASSERT_EQ(ncurses->cvss.size(), 1u);
  ASSERT_EQ(ncurses->rejected_cvss.size(), 1u);
  EXPECT_EQ(ncurses->rejected_cvss[0].source, "ghsa");
  EXPECT_EQ(ncurses->rejected_cvss[0].problem, "metric 'A' is missing");
  EXPECT_TRUE(ncurses->fixed_versions.empty());
  EXPECT_EQ(p.summary->rejected_vectors, 1u);

  const Finding* express = p.by_id("CVE-2024-29041");
  ASSERT_NE(express, nullptr);
  EXPECT_EQ(express->aliases, std::vector<std::string>{"GHSA-rv95-896h-c2vc"});
  EXPECT_EQ(express->package_type, "npm");
  EXPECT_EQ(express->location.path, "app/package-lock.json");
  EXPECT_EQ(express->fixed_versions, (std::vector<std::string>{"4.19.2", "5.0.0-beta.3"}));
  EXPECT_EQ(express->cwes, (std::vector<std::string>{"CWE-601", "CWE-1286"}));

  const Finding* root_user = p.by_rule("DS002");
  ASSERT_NE(root_user, nullptr);
  EXPECT_EQ(root_user->kind, FindingKind::configuration);
  EXPECT_EQ(root_user->location.path, "Dockerfile");
  EXPECT_EQ(root_user->location.line, 1);
  EXPECT_EQ(root_user->severity, SeverityBand::high);
  EXPECT_EQ(root_user->solution, "Add 'USER <non root user name>' line to the Dockerfile");
  EXPECT_EQ(root_user->evidence, "Specify at least 1 USER command in Dockerfile with non-root user as argument");
  EXPECT_EQ(p.by_rule("DS005"), nullptr) << "a passed check is not a finding";

  const Finding* secret = p.by_rule("aws-access-key-id");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(secret->kind, FindingKind::code);
  EXPECT_EQ(secret->location.path, "app/config/settings.py");
  EXPECT_EQ(secret->location.line, 7);
  EXPECT_EQ(secret->severity, SeverityBand::critical);
  // The matched secret itself goes nowhere.
  for (const auto& f : p.findings) {
    EXPECT_EQ(f.evidence.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
    EXPECT_EQ(f.description.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  }
}

TEST(TrivyFixture, LegacyListForm) {
  const Parsed p = parse_file(fixture("trivy/legacy.json"));
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 2u);
  const Finding* musl = p.by_id("CVE-2020-28928");
  ASSERT_NE(musl, nullptr);
  // No ArtifactName in the list form: the result's Target names the asset.
  EXPECT_EQ(musl->asset, "alpine:3.12 (alpine 3.12.0)");
  EXPECT_EQ(musl->package_type, "alpine");
  EXPECT_TRUE(has_vector(*musl, "AV:L/AC:L/Au:N/C:N/I:N/A:P", "nvd"));
  EXPECT_EQ(musl->cvss[0].version, "2.0");
  EXPECT_TRUE(has_vector(*musl, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", "nvd"));
  EXPECT_EQ(p.by_id("CVE-2021-36159")->severity, SeverityBand::critical);
}

TEST(TrivyFixture, AssetOptions) {
  ParseOptions options;
  options.default_asset = "alpine-base";
  Parsed p = parse_file(fixture("trivy/legacy.json"), options);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.findings[0].asset, "alpine-base") << "the importer's default wins over a Target";

  options = {};
  options.asset_override = "web-prod";
  p = parse_file(fixture("trivy/schema2.json"), options);
  ASSERT_TRUE(p.ok()) << p.error();
  for (const auto& f : p.findings) EXPECT_EQ(f.asset, "web-prod");

  options = {};
  options.default_asset = "ignored";
  p = parse_file(fixture("trivy/schema2.json"), options);
  EXPECT_EQ(p.findings[0].asset, "registry.example.se/tillit/web:1.4.2") << "the report's own asset wins";
}

TEST(TrivyFixture, MalformedNamesLineColumnAndPath) {
  const Parsed p = parse_file(fixture("trivy/malformed.json"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.summary.error().code, tillit::ErrorCode::invalid_argument);
  EXPECT_EQ(p.error().rfind("line 17, column 23 ($.Results[0].Vulnerabilities[1].Severity): expected a string, "
                            "found a number. The file is not a valid Trivy JSON",
                            0),
            0u)
      << p.error();
  EXPECT_NE(p.error().find("trivy image --format json"), std::string::npos) << p.error();
  // Findings before the problem were handed over; the importer's transaction undoes them.
  EXPECT_EQ(p.findings.size(), 1u);
}

TEST(TrivyFixture, WrongShapes) {
  EXPECT_NE(parse_text(R"({"SchemaVersion": 2, "Results": {"Target": "x"}})").error().find(
                "line 1, column 33 ($.Results): expected an array, found an object"),
            std::string::npos);
  EXPECT_NE(parse_text(R"({"SchemaVersion": 2, "ArtifactName": "a", "Results": [{"Vulnerabilities": [7]}]})").error().find(
                "($.Results[0].Vulnerabilities[0]): expected an object, found a number"),
            std::string::npos);
  EXPECT_NE(parse_text(R"({"SchemaVersion": 2, "ArtifactName": "a", "Results": [{"Vulnerabilities": [{"PkgName": "x"}]}]})")
                .error()
                .find("($.Results[0].Vulnerabilities[0]): VulnerabilityID is missing"),
            std::string::npos);
  // Truncated file.
  const Parsed cut = parse_text("{\"SchemaVersion\": 2, \"Results\": [\n  {\"Target\": \"a\"");
  EXPECT_NE(cut.error().find("line 2, column 17"), std::string::npos) << cut.error();
  EXPECT_NE(cut.error().find("the JSON ends early"), std::string::npos) << cut.error();
  // A syntax error names where it is.
  const Parsed bad = parse_text("{\"SchemaVersion\": 2,\n \"Results\": [}\n");
  EXPECT_NE(bad.error().find("line 2, column 14 ($.Results): not valid JSON"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("not valid JSON"), std::string::npos) << bad.error();
}

TEST(TrivySample, AllStatuses) {
  const auto path = sample("trivy/all_statuses.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 8u);  // jq '[.Results[].Vulnerabilities[]] | length'
  const Finding& apt = p.findings[0];
  EXPECT_EQ(apt.vulnerability_id, "CVE-2011-3374");
  EXPECT_EQ(apt.component, "apt");
  EXPECT_EQ(apt.component_version, "1.8.2.3");
  EXPECT_EQ(apt.status, "unknown");
  // ArtifactName is "" in this report: the Target is the asset.
  EXPECT_EQ(apt.asset, "noppaknopsta/example-app:main-159 (debian 10.13)");
  EXPECT_TRUE(has_vector(apt, "AV:N/AC:M/Au:N/C:N/I:P/A:N", "nvd"));
  EXPECT_TRUE(has_vector(apt, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", "nvd"));
  EXPECT_EQ(apt.cwes, std::vector<std::string>{"CWE-347"});
  std::vector<std::string> statuses;
  for (const auto& f : p.findings) statuses.push_back(f.status);
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<std::string>{"affected", "end_of_life", "fix_deferred", "fixed", "not_affected",
                                                "under_investigation", "unknown", "will_not_fix"}));
  EXPECT_EQ(p.summary->header.scan_time, "2024-01-15T08:58:29.82753744Z");
}

TEST(TrivySample, CvssV4AndVendorIds) {
  const auto path = sample("trivy/cvssv4_severity_source.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 3u);
  EXPECT_EQ(p.summary->header.tool_version, "0.69.1");
  const Finding* tomcat = p.by_id("CVE-2025-66614");
  ASSERT_NE(tomcat, nullptr);
  EXPECT_EQ(tomcat->asset, "lib/catalina.jar");
  EXPECT_EQ(tomcat->component, "org.apache.tomcat:tomcat-catalina");
  EXPECT_EQ(tomcat->purl, "pkg:maven/org.apache.tomcat/tomcat-catalina@9.0.109");
  EXPECT_EQ(tomcat->location.path, "catalina.jar");  // PkgPath
  EXPECT_EQ(tomcat->aliases, std::vector<std::string>{"GHSA-fpj8-gq4v-p354"});
  EXPECT_EQ(tomcat->fixed_versions, (std::vector<std::string>{"11.0.14", "10.1.49", "9.0.112"}));
  ASSERT_TRUE(has_vector(*tomcat, "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", "ghsa"));
  EXPECT_EQ(tomcat->cvss[0].version, "4.0");
  EXPECT_TRUE(has_vector(*tomcat, "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N", "redhat"));
  EXPECT_EQ(p.by_id("CVE-2025-61795")->cvss.size(), 3u);  // bitnami, ghsa (v4), redhat
}

TEST(TrivySample, LegacyList) {
  const auto path = sample("trivy/legacy_many_vulns.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 93u);  // jq '.[0].Vulnerabilities | length'
  const Finding& libc = p.findings[10];
  EXPECT_EQ(libc.vulnerability_id, "CVE-2020-1751");
  EXPECT_EQ(libc.component, "libc-bin");
  EXPECT_EQ(libc.component_version, "2.28-10");
  EXPECT_EQ(libc.severity, SeverityBand::high);
  EXPECT_EQ(libc.asset, "debian (debian 10.8)");
  EXPECT_EQ(libc.cvss.size(), 3u);
  int high = 0, low = 0, medium = 0, unknown = 0;
  for (const auto& f : p.findings) {
    high += f.severity == SeverityBand::high;
    low += f.severity == SeverityBand::low;
    medium += f.severity == SeverityBand::medium;
    unknown += f.severity == SeverityBand::unknown;
  }
  EXPECT_EQ(high, 18);
  EXPECT_EQ(low, 65);
  EXPECT_EQ(medium, 9);
  EXPECT_EQ(unknown, 1);
}

TEST(TrivySample, KubernetesClusterReport) {
  const auto path = sample("trivy/kubernetes.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 20u);  // 10 vulnerabilities + 10 failed checks
  EXPECT_EQ(p.summary->header.asset, "arn:aws:eks:us-east-1:576036489467:cluster/monitoring-test-cluster");
  const Finding& first = p.findings[0];
  EXPECT_EQ(first.asset,
            "arn:aws:eks:us-east-1:576036489467:cluster/monitoring-test-cluster/default/Deployment/redis-follower");
  EXPECT_EQ(first.location.path, "gcr.io/google_samples/gb-redis-follower:v2 (debian 10.4)");
  const Finding* ksv001 = p.by_rule("KSV001");
  ASSERT_NE(ksv001, nullptr);
  EXPECT_EQ(ksv001->kind, FindingKind::configuration);
  EXPECT_EQ(ksv001->location.path, "Deployment/redis-follower");
  EXPECT_EQ(ksv001->location.line, 132);
  EXPECT_EQ(ksv001->severity, SeverityBand::medium);
}

TEST(TrivySample, KubernetesResources) {
  const auto path = sample("trivy/issue_9170.json");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 37u);  // jq '[.Resources[].Results[]?.Misconfigurations[]?] | length'
  EXPECT_EQ(p.findings[0].asset, "minikube/default/Service/kubernetes");
  EXPECT_EQ(p.findings[0].rule_id, "KSV116");
  EXPECT_EQ(p.findings[0].severity, SeverityBand::low);
}
