// SARIF 2.1.0 on fixtures and real reports (CodeQL, Semgrep, Grype's SARIF, the
// specification's appendix K).
#include <gtest/gtest.h>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

TEST(SarifFixture, RulesSeveritiesAndLocations) {
  const Parsed p = parse_file(fixture("sarif/small.sarif"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.summary->header.format, "sarif");
  EXPECT_EQ(p.summary->header.tool_name, "CodeQL");
  EXPECT_EQ(p.summary->header.tool_version, "2.16.1");
  EXPECT_EQ(p.summary->header.asset, "https://git.example.se/tillit/web");
  ASSERT_EQ(p.findings.size(), 3u) << "a result of kind pass is not a finding";

  const Finding& sql = p.findings[0];
  EXPECT_EQ(sql.kind, FindingKind::code);
  EXPECT_EQ(sql.tool, "CodeQL");
  EXPECT_EQ(sql.asset, "https://git.example.se/tillit/web");
  EXPECT_EQ(sql.rule_id, "py/sql-injection");
  EXPECT_TRUE(sql.vulnerability_id.empty());
  EXPECT_EQ(sql.tool_severity, "8.8");  // security-severity wins over the level
  EXPECT_EQ(sql.severity, SeverityBand::high);
  EXPECT_EQ(sql.cwes, std::vector<std::string>{"CWE-89"});
  EXPECT_EQ(sql.title, "SQL query built from user-controlled sources");
  EXPECT_EQ(sql.description,
            "Building a SQL query from user-controlled sources is vulnerable to insertion of malicious SQL code by the user.");
  EXPECT_EQ(sql.evidence, "This SQL query depends on a user-provided value.");
  EXPECT_EQ(sql.references, std::vector<std::string>{"https://codeql.github.com/codeql-query-help/python/py-sql-injection/"});
  EXPECT_EQ(sql.location.path, "app/views/report.py");
  EXPECT_EQ(sql.location.line, 42);
  EXPECT_EQ(sql.tool_fingerprint, "primaryLocationLineHash=5e2c0f8f1a9d3b71:1");

  // Found through rule.toolComponent.index into the extensions; security-severity as a number.
  const Finding& hashing = p.findings[1];
  EXPECT_EQ(hashing.rule_id, "py/weak-sensitive-data-hashing");
  EXPECT_EQ(hashing.tool_severity, "7.5");
  EXPECT_EQ(hashing.severity, SeverityBand::high);
  EXPECT_EQ(hashing.cwes, (std::vector<std::string>{"CWE-327", "CWE-916"}));
  EXPECT_EQ(hashing.location.line, 17);

  const Finding& unused = p.findings[2];
  EXPECT_EQ(unused.tool_severity, "note");  // the rule's default level
  EXPECT_EQ(unused.severity, SeverityBand::low);
  EXPECT_EQ(unused.status, "suppressed");
}

TEST(SarifFixture, MalformedNamesThePlace) {
  const Parsed p = parse_file(fixture("sarif/malformed.sarif"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 14, column 21 ($.runs[0].results[0].message.text): expected a string, found a "
                            "number. The file is not a valid SARIF 2.1.0 report",
                            0),
            0u)
      << p.error();
}

TEST(SarifFixture, WithoutRepositoryTheImporterNamesTheAsset) {
  const std::string text = R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep"}},
    "results": [{"ruleId": "r1", "message": {"text": "m"}, "locations": [{"physicalLocation":
    {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 3}}}]}]}]})";
  const Parsed without = parse_text(text);
  ASSERT_FALSE(without.ok());
  EXPECT_NE(without.error().find("line 2, column 17 ($.runs[0].results[0]): the report does not name the asset"),
            std::string::npos)
      << without.error();
  EXPECT_NE(without.error().find("--asset NAME"), std::string::npos);
  ParseOptions options;
  options.default_asset = "tillit-web";
  const Parsed with = parse_text(text, options);
  ASSERT_TRUE(with.ok()) << with.error();
  EXPECT_EQ(with.findings[0].asset, "tillit-web");
  EXPECT_EQ(with.findings[0].severity, SeverityBand::medium) << "SARIF's default level is warning";
}

TEST(SarifSample, CodeQl) {
  const auto path = sample("sarif/codeQL-output.sarif");
  REQUIRE_SAMPLE(path);
  ParseOptions options;
  options.default_asset = "codeql-demo";
  const Parsed p = parse_file(path, options);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 72u);  // jq '.runs[0].results | length'
  EXPECT_EQ(p.summary->header.tool_version, "2.5.4");
  int unused_imports = 0;
  for (const auto& f : p.findings) unused_imports += f.rule_id == "py/unused-import";
  EXPECT_EQ(unused_imports, 40);
  const Finding* sql = p.by_rule("py/sql-injection");
  ASSERT_NE(sql, nullptr);
  EXPECT_EQ(sql->location.path, "bad/libuser.py");
  EXPECT_EQ(sql->location.line, 12);
  EXPECT_EQ(sql->cwes, std::vector<std::string>{"CWE-89"});
  EXPECT_EQ(sql->tool_severity, "error");  // no security-severity in this CodeQL version
  EXPECT_EQ(sql->severity, SeverityBand::high);
  EXPECT_EQ(sql->tool_fingerprint, "primaryLocationLineHash=87f19d40ee7aefaf:1");
  EXPECT_EQ(sql->asset, "codeql-demo");
}

TEST(SarifSample, GrypeSarifCarriesTheCve) {
  const auto path = sample("sarif/cxf-3.4.6.sarif");
  REQUIRE_SAMPLE(path);
  ParseOptions options;
  options.default_asset = "cxf";
  const Parsed p = parse_file(path, options);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 22u);
  const Finding& first = p.findings[0];
  EXPECT_EQ(first.rule_id, "CVE-2008-0732-geronimo-j2ee-management_1.1_spec");
  EXPECT_EQ(first.vulnerability_id, "CVE-2008-0732");
  EXPECT_EQ(first.tool_severity, "2.1");
  EXPECT_EQ(first.severity, SeverityBand::low);
  EXPECT_EQ(first.location.path, "lib/geronimo-j2ee-management_1.1_spec-1.0.1.jar");
  EXPECT_EQ(p.summary->header.tool_name, "Grype");
}

TEST(SarifSample, Semgrep) {
  const auto path = sample("sarif/semgrepowasp-benchmark-sample.sarif");
  REQUIRE_SAMPLE(path);
  ParseOptions options;
  options.default_asset = "owasp-benchmark";
  const Parsed p = parse_file(path, options);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 1768u);
  EXPECT_EQ(p.summary->header.tool_name, "semgrep");
  EXPECT_EQ(p.findings[0].rule_id, "java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle");
  EXPECT_EQ(p.findings[0].location.path, "src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02660.java");
  EXPECT_EQ(p.findings[0].location.line, 59);
}

TEST(SarifSample, SpecificationAppendixK) {
  const auto path = sample("sarif/appendix_k.sarif");
  REQUIRE_SAMPLE(path);
  const Parsed p = parse_file(path);
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p.findings.size(), 1u);
  EXPECT_EQ(p.findings[0].asset, "https://github.com/example-corp/browser");
  EXPECT_EQ(p.findings[0].rule_id, "C2001");
  EXPECT_EQ(p.findings[0].severity, SeverityBand::high);  // level error
  EXPECT_EQ(p.findings[0].status, "suppressed");
  EXPECT_EQ(p.findings[0].location.path, "collections/list.h");
  EXPECT_EQ(p.findings[0].location.line, 15);
}
