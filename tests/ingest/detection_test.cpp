// Format detection: every real report and every fixture is recognised as its format from its
// first bytes; anything else is refused with a message that lists what Tillit reads.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "ingest_test_support.h"

using namespace tillit::ingest;
using namespace tillit::ingest::testing;

namespace {

std::string detected(const std::filesystem::path& path) {
  const auto format = detect_format(read_file(path));
  return format ? *format : "error: " + format.error().message;
}

}  // namespace

TEST(Detection, EveryFixture) {
  const std::pair<const char*, const char*> cases[] = {
      {"trivy/schema2.json", "trivy"},          {"trivy/legacy.json", "trivy"},
      {"trivy/malformed.json", "trivy"},        {"grype/small.json", "grype"},
      {"grype/malformed.json", "grype"},        {"sarif/small.sarif", "sarif"},
      {"sarif/malformed.sarif", "sarif"},       {"openvas/small.xml", "openvas"},
      {"openvas/malformed.xml", "openvas"},     {"openvas/xxe.xml", "openvas"},
      {"nessus/small.nessus", "nessus"},        {"nessus/billion_laughs.nessus", "nessus"},
      {"osv/small.json", "osv"},                {"osv/malformed.json", "osv"},
      {"cyclonedx/vex.cdx.json", "cyclonedx-json"}, {"cyclonedx/malformed.cdx.json", "cyclonedx-json"},
      {"cyclonedx/vex.cdx.xml", "cyclonedx-xml"},   {"cyclonedx/extension.cdx.xml", "cyclonedx-xml"},
      {"cyclonedx/xxe.cdx.xml", "cyclonedx-xml"},
  };
  for (const auto& [file, format] : cases) EXPECT_EQ(detected(fixture(file)), format) << file;
}

TEST(Detection, EverySample) {
  const auto root = sample("");
  REQUIRE_SAMPLE(root);
  const std::map<std::string, std::string> folder_format = {
      {"trivy", "trivy"}, {"grype", "grype"},     {"sarif", "sarif"}, {"openvas", "openvas"},
      {"nessus", "nessus"}, {"osv", "osv"},
  };
  int checked = 0;
  for (const auto& folder : std::filesystem::directory_iterator(root)) {
    if (!folder.is_directory()) continue;
    const std::string name = folder.path().filename().string();
    for (const auto& file : std::filesystem::directory_iterator(folder.path())) {
      std::string expected = name == "cyclonedx"
                                 ? (file.path().extension() == ".xml" ? "cyclonedx-xml" : "cyclonedx-json")
                                 : folder_format.at(name);
      EXPECT_EQ(detected(file.path()), expected) << file.path();
      ++checked;
    }
  }
  EXPECT_GE(checked, 19);
}

TEST(Detection, UnknownInputListsTheFormats) {
  const auto garbage = detect_format("PK\x03\x04 this is a zip file");
  ASSERT_FALSE(garbage.ok());
  const std::string& message = garbage.error().message;
  EXPECT_EQ(garbage.error().code, tillit::ErrorCode::invalid_argument);
  EXPECT_NE(message.find("it is neither JSON nor XML"), std::string::npos) << message;
  for (const auto& info : supported_formats()) {
    EXPECT_NE(message.find(std::string(info.name) + " (" + std::string(info.description) + ")"), std::string::npos)
        << info.name;
  }
  EXPECT_NE(message.find("--format NAME"), std::string::npos);

  const auto other_json = detect_format(R"({"name": "package.json", "version": "1.0.0", "dependencies": {}})");
  ASSERT_FALSE(other_json.ok());
  EXPECT_NE(other_json.error().message.find(R"(a JSON object with the members "name", "version", "dependencies")"),
            std::string::npos)
      << other_json.error().message;

  const auto other_xml = detect_format("<?xml version=\"1.0\"?>\n<project><modelVersion>4.0.0</modelVersion></project>");
  ASSERT_FALSE(other_xml.ok());
  EXPECT_NE(other_xml.error().message.find("XML with the root element <project>"), std::string::npos);
}

TEST(Detection, ParseRefusesEmptyUnknownAndMisnamed) {
  EXPECT_NE(parse_text("").error().find("the report is empty"), std::string::npos);
  EXPECT_NE(parse_text(" \n\t ").error().find("the report is empty"), std::string::npos);
  EXPECT_NE(parse_text("hello").error().find("could not tell which scanner wrote this report"), std::string::npos);

  ParseOptions options;
  options.format = "qualys";
  const Parsed unknown = parse_text("{}", options);
  EXPECT_NE(unknown.error().find("unknown report format 'qualys'; use one of trivy ("), std::string::npos)
      << unknown.error();

  // A Nessus report read as OpenVAS: refused with the reason, not imported as nothing.
  options.format = "openvas";
  const Parsed misnamed = parse_file(fixture("nessus/small.nessus"), options);
  ASSERT_FALSE(misnamed.ok());
  EXPECT_NE(misnamed.error().find("expected an OpenVAS report (<report>), found <NessusClientData_v2>"),
            std::string::npos)
      << misnamed.error();
  EXPECT_EQ(misnamed.error().find("--format NAME"), std::string::npos) << "the user chose the format";

  // The override reads a report detection would give to another format.
  options.format = "trivy";
  const Parsed forced = parse_file(fixture("trivy/schema2.json"), options);
  EXPECT_TRUE(forced.ok()) << forced.error();
}

TEST(Detection, UnreadableFileIsUnavailable) {
  std::ifstream missing("/nonexistent/tillit/report.json", std::ios::binary);
  StreamSource source(missing);
  const auto result = parse_report(source, {}, [](const Finding&) { return tillit::Status(); });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, tillit::ErrorCode::unavailable);
  EXPECT_NE(result.error().message.find("could not be read"), std::string::npos);
}

TEST(Detection, SupportedFormatsAreListedInOrder) {
  std::vector<std::string> names;
  for (const auto& info : supported_formats()) names.emplace_back(info.name);
  EXPECT_EQ(names, (std::vector<std::string>{"trivy", "grype", "sarif", "openvas", "nessus", "osv", "cyclonedx-json",
                                             "cyclonedx-xml"}));
}
