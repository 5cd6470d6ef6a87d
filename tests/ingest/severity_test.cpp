// The tool's own severity on the CVSS bands, for findings without a CVSS vector.
#include <gtest/gtest.h>

#include "tillit/ingest/severity.h"

using namespace tillit::ingest;

TEST(Severity, Words) {
  const std::pair<const char*, SeverityBand> cases[] = {
      {"CRITICAL", SeverityBand::critical}, {"Critical", SeverityBand::critical}, {"HIGH", SeverityBand::high},
      {"Important", SeverityBand::high},    {"MEDIUM", SeverityBand::medium},     {"moderate", SeverityBand::medium},
      {"Low", SeverityBand::low},           {"Negligible", SeverityBand::low},    {"unimportant", SeverityBand::low},
      {"None", SeverityBand::none},         {"info", SeverityBand::none},         {"Log", SeverityBand::none},
      {"UNKNOWN", SeverityBand::unknown},   {"", SeverityBand::unknown},          {"severe", SeverityBand::unknown},
      {" High ", SeverityBand::high},
  };
  for (const auto& [word, band] : cases) EXPECT_EQ(severity_band(SeverityScale::word, word), band) << word;
}

TEST(Severity, ScoresUseTheAnnexBands) {
  const std::pair<const char*, SeverityBand> cases[] = {
      {"0.0", SeverityBand::none},     {"0", SeverityBand::none},        {"0.1", SeverityBand::low},
      {"3.9", SeverityBand::low},      {"4.0", SeverityBand::medium},    {"6.9", SeverityBand::medium},
      {"7.0", SeverityBand::high},     {"8.9", SeverityBand::high},      {"9.0", SeverityBand::critical},
      {"10.0", SeverityBand::critical}, {"10", SeverityBand::critical},  {"10.1", SeverityBand::unknown},
      {"-1", SeverityBand::unknown},   {"high", SeverityBand::unknown},  {"", SeverityBand::unknown},
      {"7.5x", SeverityBand::unknown}, {"nan", SeverityBand::unknown},
  };
  for (const auto& [score, band] : cases) EXPECT_EQ(severity_band(SeverityScale::score, score), band) << score;
}

TEST(Severity, NessusLevelsAndSarifLevels) {
  EXPECT_EQ(severity_band(SeverityScale::nessus_level, "0"), SeverityBand::none);
  EXPECT_EQ(severity_band(SeverityScale::nessus_level, "1"), SeverityBand::low);
  EXPECT_EQ(severity_band(SeverityScale::nessus_level, "2"), SeverityBand::medium);
  EXPECT_EQ(severity_band(SeverityScale::nessus_level, "3"), SeverityBand::high);
  EXPECT_EQ(severity_band(SeverityScale::nessus_level, "4"), SeverityBand::critical);
  EXPECT_EQ(severity_band(SeverityScale::nessus_level, "5"), SeverityBand::unknown);
  EXPECT_EQ(severity_band(SeverityScale::sarif_level, "error"), SeverityBand::high);
  EXPECT_EQ(severity_band(SeverityScale::sarif_level, "warning"), SeverityBand::medium);
  EXPECT_EQ(severity_band(SeverityScale::sarif_level, "note"), SeverityBand::low);
  EXPECT_EQ(severity_band(SeverityScale::sarif_level, "none"), SeverityBand::none);
  EXPECT_EQ(severity_band(SeverityScale::sarif_level, "fatal"), SeverityBand::unknown);
  EXPECT_STREQ(to_string(SeverityBand::critical), "critical");
  EXPECT_STREQ(to_string(SeverityBand::unknown), "unknown");
}
