// Nessus v2 (.nessus) on fixtures and a real report.
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

TEST(NessusFixture, HostsItemsAndVectors) {
  const Parsed p = parse_file(fixture("nessus/small.nessus"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "nessus");
  EXPECT_EQ(p.summary->header.tool_name, "Nessus");
  EXPECT_EQ(p.summary->header.scan_time, "2026-03-02T09:00:00.000Z");  // HOST_START_TIMESTAMP 1772442000
  ASSERT_EQ(p.findings.size(), 3u);

  const Finding& info = p.findings[0];
  EXPECT_EQ(info.asset, "db01.example.se");
  EXPECT_EQ(info.rule_id, "19506");
  EXPECT_EQ(info.location.port, "0");
  EXPECT_EQ(info.severity, SeverityBand::none);
  EXPECT_EQ(info.tool_severity, "None");
  EXPECT_EQ(info.evidence, "Nessus version : 10.7.1");

  const Finding& pg = p.findings[1];
  EXPECT_EQ(pg.kind, FindingKind::network);
  EXPECT_EQ(pg.rule_id, "142960");
  EXPECT_EQ(pg.title, "PostgreSQL 13.x < 13.13 Multiple Vulnerabilities");
  EXPECT_EQ(pg.location.port, "5432");
  EXPECT_EQ(pg.location.protocol, "tcp");
  EXPECT_EQ(pg.location.service, "postgresql");
  EXPECT_EQ(pg.vulnerability_id, "CVE-2023-5868");
  EXPECT_EQ(pg.aliases, (std::vector<std::string>{"CVE-2023-5869", "CVE-2023-5870"}));
  EXPECT_EQ(pg.cwes, std::vector<std::string>{"CWE-190"});
  EXPECT_EQ(pg.tool_severity, "High");
  EXPECT_EQ(pg.severity, SeverityBand::high);
  // Temporal metrics given apart are joined to their base vector.
  ASSERT_EQ(pg.cvss.size(), 2u);
  EXPECT_TRUE(has_vector(pg, "AV:N/AC:L/Au:S/C:C/I:C/A:C/E:U/RL:OF/RC:C", "Nessus"));
  EXPECT_TRUE(has_vector(pg, "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", "Nessus"));
  EXPECT_EQ(pg.cvss[0].version, "2.0");
  EXPECT_EQ(pg.cvss[1].version, "3.0");
  EXPECT_EQ(pg.references.size(), 2u);
  EXPECT_EQ(pg.solution, "Upgrade to PostgreSQL 13.13 or later.");
  EXPECT_EQ(pg.description,
            "The remote database server is affected by multiple vulnerabilities.\n\nThe version of PostgreSQL installed "
            "on the remote host is prior to 13.13. It is therefore affected by multiple vulnerabilities.");
  EXPECT_EQ(pg.evidence, "Installed version : 13.11\n  Fixed version     : 13.13");

  const Finding& tls = p.findings[2];
  EXPECT_EQ(tls.asset, "10.20.30.51");
  EXPECT_EQ(tls.location.service, "www");
  EXPECT_EQ(tls.cwes, std::vector<std::string>{"CWE-295"});
  EXPECT_EQ(tls.severity, SeverityBand::medium);
  EXPECT_TRUE(tls.vulnerability_id.empty());
}

TEST(NessusFixture, MissingPluginIdNamesTheElement) {
  const Parsed p = parse_file(fixture("nessus/malformed.nessus"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 5, column 7 (/NessusClientData_v2/Report/ReportHost/ReportItem): attribute "
                            "pluginID is missing. The file is not a valid Nessus v2 (.nessus) report",
                            0),
            0u)
      << p.error();
}

TEST(NessusSample, CvssV3Report) {
  const auto path = sample("nessus/nessus_with_cvssv3.nessus");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 49u);  // ReportItem elements
  int none = 0, low = 0, medium = 0, high = 0, critical = 0, with_v3 = 0;
  for (const auto& f : p.findings) {
    EXPECT_EQ(f.asset, "testphp.vulnweb.com");
    none += f.severity == SeverityBand::none;
    low += f.severity == SeverityBand::low;
    medium += f.severity == SeverityBand::medium;
    high += f.severity == SeverityBand::high;
    critical += f.severity == SeverityBand::critical;
    for (const auto& v : f.cvss) with_v3 += v.version == "3.0";
  }
  EXPECT_EQ(none, 23);
  EXPECT_EQ(low, 1);
  EXPECT_EQ(medium, 13);
  EXPECT_EQ(high, 10);
  EXPECT_EQ(critical, 2);
  EXPECT_EQ(with_v3, 9);
  EXPECT_EQ(p.summary->rejected_vectors, 0u);
  const Finding* php = p.by_rule("17797");
  ASSERT_NE(php, nullptr);
  EXPECT_EQ(php->vulnerability_id, "CVE-2007-1001");
  EXPECT_EQ(php->aliases.size(), 4u);
  EXPECT_TRUE(has_vector(*php, "AV:N/AC:L/Au:N/C:C/I:N/A:N/E:POC/RL:OF/RC:C", "Nessus"));
  EXPECT_TRUE(has_vector(*php, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:P/RL:O/RC:C", "Nessus"));
  EXPECT_EQ(p.by_rule("31649")->cwes, (std::vector<std::string>{"CWE-94", "CWE-119", "CWE-399"}));
  EXPECT_EQ(p.summary->header.scan_time, "2022-03-23T13:31:51.000Z");
}
