// `tillit cvss`: the real binary scores vectors, prints JSON, and rejects a bad vector with
// exit code 2 and a message naming the metric. Needs no data directory or database.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.h"

using tillit::testing::run_command;

namespace {

tillit::testing::CommandResult tillit_cvss(std::vector<std::string> args) {
  args.insert(args.begin(), {TILLIT_BINARY, "cvss"});
  return run_command(args);
}

}  // namespace

TEST(CvssCli, ScoresV31AsJson) {
  const auto r = tillit_cvss({"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], "3.1");
  EXPECT_EQ(j["score"].get<double>(), 9.8);
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["base"].get<double>(), 9.8);
  EXPECT_EQ(j["temporal"].get<double>(), 9.8);
  EXPECT_EQ(j["environmental"].get<double>(), 9.8);
  EXPECT_EQ(j["vector"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
}

TEST(CvssCli, PrintsTextSummary) {
  const auto r = tillit_cvss({"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("CVSS 3.1  9.8  critical\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("base"), std::string::npos);
  EXPECT_NE(r.out.find("environmental"), std::string::npos);
}

TEST(CvssCli, ScoresV40) {
  const auto r = tillit_cvss({"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], "4.0");
  EXPECT_EQ(j["score"].get<double>(), 8.9);
  EXPECT_EQ(j["severity"], "high");
  EXPECT_TRUE(j["temporal"].is_null());
  EXPECT_TRUE(j["environmental"].is_null());
  const auto text = tillit_cvss({"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"});
  EXPECT_EQ(text.out.rfind("CVSS 4.0  9.3  critical\n", 0), 0u) << text.out;
}

TEST(CvssCli, InvalidVectorExits2NamingTheMetric) {
  const auto r = tillit_cvss({"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tillit: 'AV:Q' is not a valid value for AV (use N, A, L or P)\n");
  EXPECT_TRUE(r.out.empty());
  const auto missing = tillit_cvss({"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "--json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "tillit: metric 'A' is missing\n");
}
