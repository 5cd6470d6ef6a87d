// CVSS scoring (core/cvss.h): parse errors that name the metric, the two Roundup functions,
// severity bands, hand-checked vectors, and every published vector in ../shared/samples/cvss.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tillit/core/cvss.h"

using namespace tillit;

namespace {

std::string error_of(std::string_view vector) {
  const auto r = score_cvss(vector);
  if (r) return "(accepted: " + r->vector + ")";
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << vector;
  return r.error().message;
}

int score_of(std::string_view vector) {
  const auto r = score_cvss(vector);
  EXPECT_TRUE(r.ok()) << vector << ": " << (r ? "" : r.error().message);
  return r ? r->score : -1;
}

}  // namespace

TEST(CvssParse, MessagesNameTheMetric) {
  EXPECT_EQ(error_of("CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "metric 'AV' is missing");
  EXPECT_EQ(error_of("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            "'AV:Q' is not a valid value for AV (use N, A, L or P)");
  EXPECT_EQ(error_of("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "metric 'AV' appears twice");
  EXPECT_EQ(error_of("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y"), "unknown metric 'XX' in a CVSS 3.1 vector");
  EXPECT_EQ(error_of("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z"),
            "'E:Z' is not a valid value for E (use X, H, F, P or U)");
  EXPECT_EQ(error_of("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H"), "metric 'S' is missing");
  EXPECT_EQ(error_of("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N"), "metric 'SA' is missing");
  EXPECT_EQ(error_of("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N"),
            "'SI:S' is not a valid value for SI (use H, L or N)");
  EXPECT_EQ(error_of("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Purple"),
            "'U:Purple' is not a valid value for U (use X, Clear, Green, Amber or Red)");
  EXPECT_EQ(error_of("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:N/S:P"),
            "metric 'S' appears twice");
  EXPECT_EQ(error_of("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MS:C"),
            "unknown metric 'MS' in a CVSS 4.0 vector");
  EXPECT_EQ(error_of("AV:N/AC:L/Au:N/C:P/I:P"), "metric 'A' is missing");
  EXPECT_EQ(error_of("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X"), "'E:X' is not a valid value for E (use U, POC, F, H or ND)");
  EXPECT_EQ(error_of("CVSS:3.1"), "metric 'AV' is missing");
  EXPECT_EQ(error_of("CVSS:3.1/AV:N"), "metric 'AC' is missing");
  EXPECT_EQ(error_of("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/"),
            "the vector has an empty metric (two '/' in a row, or a '/' at the end)");
  EXPECT_EQ(error_of("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/AH"), "'AH' is not a METRIC:VALUE pair");
  EXPECT_EQ(error_of(""), "the CVSS vector is empty");
}

TEST(CvssParse, UnsupportedVersionPrefix) {
  EXPECT_EQ(error_of("CVSS:5.0/AV:N"), "unsupported CVSS version prefix 'CVSS:5.0' (use CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/)");
  EXPECT_EQ(error_of("CVSS:3.1 /AV:N").rfind("unsupported CVSS version prefix", 0), 0u);
  EXPECT_EQ(error_of("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").rfind("unsupported CVSS version prefix", 0), 0u);
  EXPECT_EQ(error_of("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").rfind("unsupported CVSS version prefix", 0), 0u);
}

TEST(CvssParse, NormalizesOrderAndDropsNotDefined) {
  const auto r = score_cvss("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:X/MAV:X/CR:H");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H");
  const auto v4 = score_cvss("CVSS:4.0/U:Red/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N/E:X");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->vector, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Red");
  const auto v2 = score_cvss("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:ND/CDP:H");
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_EQ(v2->vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P/CDP:H");
  EXPECT_EQ(v2->version, "2.0");
  EXPECT_FALSE(v2->temporal.has_value());
}

TEST(CvssRoundup, Version31UsesTheIntegerMethod) {
  EXPECT_EQ(cvss31_roundup_tenths(4.0), 40);
  EXPECT_EQ(cvss31_roundup_tenths(4.02), 41);
  EXPECT_EQ(cvss31_roundup_tenths(4.000000000000001), 40);  // floating-point noise never adds 0.1
  EXPECT_EQ(cvss31_roundup_tenths(4.000004), 40);           // below 1e-5: rounded away first
  EXPECT_EQ(cvss31_roundup_tenths(4.00001), 41);
  EXPECT_EQ(cvss31_roundup_tenths(0.0), 0);
  EXPECT_EQ(cvss31_roundup_tenths(9.99), 100);
  EXPECT_EQ(cvss31_roundup_tenths(10.0), 100);
  // The specification's example: 0.1 + 0.2 in binary is 0.30000000000000004.
  EXPECT_EQ(cvss31_roundup_tenths(0.1 + 0.2), 3);
}

TEST(CvssRoundup, Version30IsACeiling) {
  EXPECT_EQ(cvss30_roundup_tenths(4.0), 40);
  EXPECT_EQ(cvss30_roundup_tenths(4.02), 41);
  EXPECT_EQ(cvss30_roundup_tenths(4.0000001), 41);  // a true excess, unlike v3.1's 5 decimals
  EXPECT_EQ(cvss30_roundup_tenths(0.1 + 0.2), 3);
  EXPECT_EQ(cvss30_roundup_tenths(10.0), 100);
}

TEST(CvssSeverityBands, Boundaries) {
  EXPECT_EQ(cvss_severity(0), CvssSeverity::none);
  EXPECT_EQ(cvss_severity(1), CvssSeverity::low);
  EXPECT_EQ(cvss_severity(39), CvssSeverity::low);
  EXPECT_EQ(cvss_severity(40), CvssSeverity::medium);
  EXPECT_EQ(cvss_severity(69), CvssSeverity::medium);
  EXPECT_EQ(cvss_severity(70), CvssSeverity::high);
  EXPECT_EQ(cvss_severity(89), CvssSeverity::high);
  EXPECT_EQ(cvss_severity(90), CvssSeverity::critical);
  EXPECT_EQ(cvss_severity(100), CvssSeverity::critical);
  EXPECT_STREQ(to_string(CvssSeverity::medium), "medium");
  EXPECT_EQ(format_cvss_tenths(98), "9.8");
  EXPECT_EQ(format_cvss_tenths(100), "10.0");
  EXPECT_EQ(format_cvss_tenths(0), "0.0");
}

TEST(CvssScoreSelection, MostSpecificScoreWins) {
  // Base only: score is the base even though v3.1's environmental equation differs for S:C.
  const auto base = score_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H");
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->base, 96);
  EXPECT_EQ(base->environmental, 97);
  EXPECT_EQ(base->score, 96);
  // Temporal metrics: 10.0 * 1 * 0.95 * 1 = 9.5.
  const auto temporal = score_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:H/RL:O/RC:C");
  ASSERT_TRUE(temporal.ok());
  EXPECT_EQ(temporal->score, 95);
  EXPECT_EQ(temporal->severity, CvssSeverity::critical);
  // Environmental metrics: nothing left but availability.
  const auto env = score_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/MC:N/MI:N");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->base, 98);
  EXPECT_EQ(env->temporal, 93);  // Roundup(9.8 * 0.94) = Roundup(9.212)
  EXPECT_EQ(env->score, *env->environmental);
  EXPECT_EQ(env->score, 71);     // Roundup(Roundup(6.42*0.56 + 3.887) * 0.94) = Roundup(7.5*0.94)
}

// Hand-checked vectors (well-known published scores, or worked through the equations /
// macrovector table by hand), so the suite proves something without ../shared.
TEST(CvssFixture, HandCheckedVectors) {
  struct Case {
    const char* vector;
    int tenths;
  };
  const Case cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100},  // Log4Shell
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 61},   // reflected XSS
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 78},   // local privilege escalation
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 59},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 88},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 53},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 75},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
      {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98},
      {"CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 68},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:H/RL:O/RC:C", 95},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 93},  // macrovector 000200
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 100},  // 000100
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P", 89},  // 000210
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 81},  // 000220
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MSI:S", 100},  // 000000
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0},
      {"AV:N/AC:L/Au:N/C:P/I:P/A:P", 75},
      {"AV:N/AC:L/Au:N/C:C/I:C/A:C", 100},
      {"AV:N/AC:M/Au:N/C:N/I:P/A:N", 43},
      {"AV:N/AC:L/Au:N/C:N/I:N/A:P", 50},
      {"AV:L/AC:L/Au:N/C:C/I:C/A:C", 72},
  };
  for (const auto& c : cases) EXPECT_EQ(score_of(c.vector), c.tenths) << c.vector;
}

// ---- Published test vectors (../shared/samples/cvss, see SOURCE.md there) ----------------

namespace {

struct SampleFile {
  const char* name;
  bool three_scores;  // v3.x: "(base, temporal, environmental)"; v4.0: "(score,)" or "score"
};

void PrintTo(const SampleFile& f, std::ostream* os) { *os << f.name; }

class CvssSampleFile : public ::testing::TestWithParam<SampleFile> {};

// "9.8" -> 98, exactly (no floating point).
int parse_tenths(std::string text) {
  const auto first = text.find_first_not_of(" ()");
  const auto last = text.find_last_not_of(" ()");
  text = text.substr(first, last - first + 1);
  const auto dot = text.find('.');
  if (dot == std::string::npos) return std::stoi(text) * 10;
  return std::stoi(text.substr(0, dot)) * 10 + std::stoi(text.substr(dot + 1, 1));
}

}  // namespace

TEST_P(CvssSampleFile, EveryVectorMatches) {
  const std::filesystem::path dir = TILLIT_SHARED_DIR "/samples/cvss";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no published CVSS vectors at " << dir << " (../shared absent)";
  const auto& sample = GetParam();
  std::ifstream in(dir / sample.name);
  ASSERT_TRUE(in) << "cannot read " << (dir / sample.name);
  int checked = 0, mismatched = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto separator = line.find(" - ");
    ASSERT_NE(separator, std::string::npos) << sample.name << ": " << line;
    const auto vector = line.substr(0, separator);
    std::vector<int> expected;
    std::stringstream fields(line.substr(separator + 3));
    for (std::string field; std::getline(fields, field, ',');)
      if (field.find_first_of("0123456789") != std::string::npos) expected.push_back(parse_tenths(field));
    ASSERT_EQ(expected.size(), sample.three_scores ? 3u : 1u) << sample.name << ": " << line;

    const auto r = score_cvss(vector);
    ++checked;
    if (!r) {
      ++mismatched;
      ADD_FAILURE() << sample.name << ": " << vector << " rejected: " << r.error().message;
      continue;
    }
    std::vector<int> actual{r->base};
    if (sample.three_scores) {
      actual.push_back(r->temporal.value_or(-1));
      actual.push_back(r->environmental.value_or(-1));
    }
    if (actual != expected) {
      ++mismatched;
      ADD_FAILURE() << sample.name << ": " << line << " scored " << ::testing::PrintToString(actual);
    }
    // The normalized vector scores the same.
    const auto again = score_cvss(r->vector);
    if (!again || again->base != r->base || again->score != r->score) {
      ++mismatched;
      ADD_FAILURE() << sample.name << ": normalized " << r->vector << " scores differently";
    }
  }
  EXPECT_GT(checked, 0) << sample.name << " holds no vectors";
  std::cout << "[ cvss     ] " << sample.name << ": " << checked - mismatched << " of " << checked << " vectors match\n";
  RecordProperty("vectors", checked);
}

INSTANTIATE_TEST_SUITE_P(CvssSamples, CvssSampleFile,
                         ::testing::Values(SampleFile{"vectors_simple3", true}, SampleFile{"vectors_simple31", true},
                                           SampleFile{"vectors_calculator3", true}, SampleFile{"vectors_cvsslib3", true},
                                           SampleFile{"vectors_simple4", false}, SampleFile{"vectors_security4", false},
                                           SampleFile{"vectors_threat4", false},
                                           SampleFile{"vectors_supplemental4", false}),
                         [](const ::testing::TestParamInfo<SampleFile>& info) { return std::string(info.param.name); });
