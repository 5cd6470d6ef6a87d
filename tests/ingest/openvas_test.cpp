// OpenVAS / GVM XML reports on fixtures and real reports.
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

TEST(OpenVasFixture, ResultsOfBothGenerations) {
  const Parsed p = parse_file(fixture("openvas/small.xml"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "openvas");
  EXPECT_EQ(p.summary->header.tool_name, "OpenVAS");
  EXPECT_EQ(p.summary->header.tool_version, "22.4");
  EXPECT_EQ(p.summary->header.scan_time, "2026-03-02T08:00:05Z");
  ASSERT_EQ(p.findings.size(), 3u);

  const Finding& ssh = p.findings[0];
  EXPECT_EQ(ssh.kind, FindingKind::network);
  EXPECT_EQ(ssh.asset, "10.20.30.40");
  EXPECT_EQ(ssh.location.port, "22");
  EXPECT_EQ(ssh.location.protocol, "tcp");
  EXPECT_EQ(ssh.rule_id, "1.3.6.1.4.1.25623.1.0.151234");
  EXPECT_EQ(ssh.title, "OpenSSH < 9.6 Multiple Vulnerabilities");
  EXPECT_EQ(ssh.vulnerability_id, "CVE-2023-48795");
  EXPECT_EQ(ssh.aliases, std::vector<std::string>{"CVE-2023-51385"});
  EXPECT_EQ(ssh.references, std::vector<std::string>{"https://www.openssh.com/txt/release-9.6"});
  ASSERT_EQ(ssh.cvss.size(), 1u);
  EXPECT_TRUE(has_vector(ssh, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N", "NVD"));
  EXPECT_EQ(ssh.tool_severity, "5.9");
  EXPECT_EQ(ssh.severity, SeverityBand::medium);
  EXPECT_EQ(ssh.description,
            "OpenSSH is prone to multiple vulnerabilities.\n\nThe Terrapin attack allows a prefix truncation.\n\n"
            "Integrity of the secure channel can be broken.");
  EXPECT_EQ(ssh.solution, "Update to version 9.6 or later.");
  EXPECT_EQ(ssh.evidence, "Installed version: 9.2p1\nFixed version:     9.6");

  // Before GVM 9: CVEs and references as comma-separated text, the vector in the tags.
  const Finding& tls = p.findings[1];
  EXPECT_EQ(tls.asset, "10.20.30.41");
  EXPECT_EQ(tls.vulnerability_id, "CVE-2013-2566");
  EXPECT_EQ(tls.aliases, (std::vector<std::string>{"CVE-2015-2808", "CVE-2015-4000"}));
  EXPECT_EQ(tls.references, std::vector<std::string>{"https://www.bsi.bund.de/tr-02102"});
  EXPECT_TRUE(has_vector(tls, "AV:N/AC:L/Au:N/C:P/I:N/A:N", "OpenVAS"));
  EXPECT_EQ(tls.solution, "Disable the reported weak cipher suites.");

  const Finding& log = p.findings[2];
  EXPECT_EQ(log.location.port, "general");
  EXPECT_EQ(log.location.protocol, "tcp");
  EXPECT_TRUE(log.vulnerability_id.empty()) << "NOCVE is no id";
  EXPECT_EQ(log.tool_severity, "0.0");
  EXPECT_EQ(log.severity, SeverityBand::none);
  EXPECT_NE(ssh.fingerprint, log.fingerprint);
}

TEST(OpenVasFixture, MissingOidNamesTheElement) {
  const Parsed p = parse_file(fixture("openvas/malformed.xml"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 17, column 9 (/report/report/results/result/nvt): attribute oid is missing. The "
                            "file is not a valid OpenVAS/GVM XML report",
                            0),
            0u)
      << p.error();
  EXPECT_EQ(p.findings.size(), 1u);
}

TEST(OpenVasFixture, BrokenXmlNamesLineAndColumn) {
  const Parsed p = parse_file(fixture("openvas/truncated.xml"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 7, column 23 (/report/report/results/result/port): not well-formed XML (mismatched "
                            "tag)",
                            0),
            0u)
      << p.error();
  const Parsed cut = parse_text(
      "<report format_id=\"x\"><report><results><result><host>10.0.0.1</host>\n<port>22/tcp</port>");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().find("line 2, column 20 (/report/report/results/result)"), std::string::npos) << cut.error();
  EXPECT_NE(cut.error().find("the XML ends early"), std::string::npos) << cut.error();
}

TEST(OpenVasSample, ManyVulnerabilities) {
  const auto path = sample("openvas/many_vuln.xml");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 44u);  // /report/report/results/result
  EXPECT_EQ(p.summary->header.tool_version, "9.0");
  EXPECT_EQ(p.summary->header.scan_time, "2023-09-26T10:50:34Z");
  const Finding& rexec = p.findings[0];
  EXPECT_EQ(rexec.asset, "192.168.1.1001");
  EXPECT_EQ(rexec.location.port, "512");
  EXPECT_EQ(rexec.rule_id, "1.3.6.1.4.1.25623.1.0.100111");
  EXPECT_EQ(rexec.vulnerability_id, "CVE-1999-0618");
  EXPECT_EQ(rexec.title, "The rexec service is running");
  EXPECT_EQ(rexec.severity, SeverityBand::critical);  // severity 10.0
  const Finding& distcc = p.findings[5];
  EXPECT_EQ(distcc.title, "DistCC RCE Vulnerability (CVE-2004-2687)");
  EXPECT_EQ(distcc.location.port, "3632");
  EXPECT_EQ(distcc.tool_severity, "9.3");
  EXPECT_EQ(distcc.references.size(), 2u);
  int with_cve = 0;
  for (const auto& f : p.findings) with_cve += !f.vulnerability_id.empty();
  EXPECT_EQ(with_cve, 23);
}

TEST(OpenVasSample, ReportDetailWithSeverities) {
  const auto path = sample("openvas/report_detail_v2.xml");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 1u);
  const Finding& kb = p.findings[0];
  EXPECT_EQ(kb.asset, "10.99.99.99");
  EXPECT_EQ(kb.location.port, "42");
  EXPECT_EQ(kb.rule_id, "1.3.6.1.4.1.25623.1.0.836484");
  EXPECT_EQ(kb.title, "Microsoft Windows Multiple Vulnerabilities (KB5062557)");
  EXPECT_EQ(kb.aliases.size() + 1, 93u);  // 93 CVE references
  EXPECT_TRUE(has_vector(kb, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "NVD"));
  EXPECT_EQ(kb.severity, SeverityBand::critical);
  EXPECT_EQ(p.summary->header.tool_version, "22.6");
  EXPECT_EQ(p.summary->header.scan_time, "2025-08-22T15:01:38+02:00");
}
