// XML attacks: a report with a document type declaration is refused before any entity is
// defined or expanded, so neither external entities (XXE) nor entity expansion (billion
// laughs) can do anything; an undeclared entity is an error, not an empty string.
#include <gtest/gtest.h>

#include <chrono>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

TEST(XmlSafety, ExternalEntityIsRefused) {
  const Parsed p = parse_file(fixture("openvas/xxe.xml"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 2, column 18: the file declares a document type (<!DOCTYPE>)", 0), 0u) << p.error();
  EXPECT_NE(p.error().find("(XXE)"), std::string::npos);
  EXPECT_EQ(p.findings.size(), 0u);
  EXPECT_EQ(p.error().find("root:"), std::string::npos) << "nothing of /etc/passwd may appear";
}

TEST(XmlSafety, BillionLaughsIsRefusedAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  const Parsed p = parse_file(fixture("nessus/billion_laughs.nessus"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 2, column ", 0), 0u) << p.error();
  EXPECT_NE(p.error().find("the file declares a document type"), std::string::npos);
  EXPECT_NE(p.error().find("billion laughs"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(XmlSafety, ParameterEntitiesAreRefused) {
  const Parsed p = parse_file(fixture("cyclonedx/xxe.cdx.xml"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rfind("line 2, column ", 0), 0u) << p.error();
  EXPECT_NE(p.error().find("the file declares a document type"), std::string::npos);
}

TEST(XmlSafety, EvenAHarmlessDoctypeIsRefused) {
  ParseOptions options;
  options.format = "nessus";
  const Parsed p = parse_text("<?xml version=\"1.0\"?>\n<!DOCTYPE NessusClientData_v2>\n<NessusClientData_v2/>", options);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("the file declares a document type"), std::string::npos) << p.error();
}

TEST(XmlSafety, UndefinedEntityIsAnError) {
  const Parsed p = parse_file(fixture("nessus/undefined_entity.nessus"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("line 6, column 22"), std::string::npos) << p.error();
  EXPECT_NE(p.error().find("undefined entity"), std::string::npos) << p.error();
}
