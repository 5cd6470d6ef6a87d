// The annex's remediation table as core applies it: band boundaries in exact tenths, the
// tool's severity when there is no score, deadlines across month ends and leap days, and a
// changed policy changing the deadline.
#include <gtest/gtest.h>

#include "tillit/core/remediation.h"
#include "tillit/content/catalog_loader.h"

using namespace tillit;

namespace {
Timestamp at(const char* text) { return parse_rfc3339(text).value(); }
std::string due(const char* known, std::optional<int> days) {
  auto d = due_at(at(known), days);
  return d ? format_rfc3339(*d) : "none";
}
}  // namespace

TEST(Remediation, BandsFollowTheAnnexTableAtEveryBoundary) {
  const auto& p = RemediationPolicy::annex();
  const std::pair<int, const char*> cases[] = {{1, "low"},    {39, "low"},   {40, "medium"}, {69, "medium"},
                                               {70, "high"},  {89, "high"},  {90, "critical"}, {100, "critical"},
                                               {0, "none"}};
  for (const auto& [tenths, severity] : cases) EXPECT_EQ(assess(p, tenths, "").severity, severity) << tenths;
  EXPECT_EQ(assess(p, 40, "").days, 30);
  EXPECT_EQ(assess(p, 70, "").days, 7);
  EXPECT_EQ(assess(p, 100, "").days, 7);
  EXPECT_FALSE(assess(p, 39, "").days.has_value());  // backlog
  EXPECT_TRUE(assess(p, 98, "low").from_score);
}

TEST(Remediation, TheScoreWinsOverTheToolAndTheToolDecidesWithoutOne) {
  const auto& p = RemediationPolicy::annex();
  EXPECT_EQ(assess(p, 50, "critical").severity, "medium");
  EXPECT_EQ(assess(p, std::nullopt, "critical").severity, "critical");
  EXPECT_EQ(assess(p, std::nullopt, "critical").days, 7);
  EXPECT_FALSE(assess(p, std::nullopt, "critical").from_score);
  EXPECT_EQ(assess(p, std::nullopt, "none").severity, "none");
  EXPECT_EQ(assess(p, std::nullopt, "unknown").severity, "unknown");
  EXPECT_FALSE(assess(p, std::nullopt, "unknown").days.has_value());
}

TEST(Remediation, DeadlinesCrossMonthEndsAndLeapDays) {
  EXPECT_EQ(due("2024-02-28T10:00:00Z", 7), "2024-03-06T10:00:00.000Z");  // leap year
  EXPECT_EQ(due("2023-02-28T10:00:00Z", 7), "2023-03-07T10:00:00.000Z");
  EXPECT_EQ(due("2024-02-29T00:00:00Z", 30), "2024-03-30T00:00:00.000Z");
  EXPECT_EQ(due("2026-01-31T23:59:59Z", 30), "2026-03-02T23:59:59.000Z");
  EXPECT_EQ(due("2026-12-28T12:00:00Z", 7), "2027-01-04T12:00:00.000Z");
  EXPECT_EQ(due("2026-05-01T00:00:00Z", std::nullopt), "none");
}

TEST(Remediation, OverdueOnlyAfterTheDeadline) {
  const auto d = due_at(at("2026-03-01T00:00:00Z"), 7);
  EXPECT_FALSE(is_overdue(d, at("2026-03-08T00:00:00Z")));
  EXPECT_TRUE(is_overdue(d, at("2026-03-08T00:00:00.001Z")));
  EXPECT_FALSE(is_overdue(std::nullopt, at("2099-01-01T00:00:00Z")));
}

TEST(Remediation, ThePolicyComesFromTheAnnexCatalogueAndAChangeMovesDeadlines) {
  const Catalog* annex = nullptr;
  for (const auto& c : content::builtin_catalogs())
    if (c.id == "annex") annex = &c;
  ASSERT_NE(annex, nullptr);
  auto from_annex = RemediationPolicy::from_catalog(annex->cvss_remediation);
  ASSERT_TRUE(from_annex) << from_annex.error().message;
  for (int tenths = 0; tenths <= 100; ++tenths) {
    const auto a = assess(*from_annex, tenths, ""), b = assess(RemediationPolicy::annex(), tenths, "");
    EXPECT_EQ(a.severity, b.severity) << tenths;
    EXPECT_EQ(a.days, b.days) << tenths;
  }
  // A stricter table: High gets 3 days, Medium 14.
  auto bands = annex->cvss_remediation;
  for (auto& b : bands) {
    if (b.severity == "high") b.days = 3;
    if (b.severity == "medium") b.days = 14;
  }
  auto stricter = RemediationPolicy::from_catalog(bands);
  ASSERT_TRUE(stricter);
  const auto known = at("2026-02-27T08:00:00Z");
  EXPECT_EQ(format_rfc3339(*due_at(known, assess(*stricter, 75, "").days)), "2026-03-02T08:00:00.000Z");
  EXPECT_EQ(format_rfc3339(*due_at(known, assess(RemediationPolicy::annex(), 75, "").days)),
            "2026-03-06T08:00:00.000Z");
  EXPECT_EQ(format_rfc3339(*due_at(known, assess(*stricter, 45, "").days)), "2026-03-13T08:00:00.000Z");
}

TEST(Remediation, ABrokenTableIsRefusedWithTheRowNamed) {
  EXPECT_FALSE(RemediationPolicy::from_catalog({}));
  RemediationBand odd{"high", 7.05, 8.9, 7, {}};
  auto r = RemediationPolicy::from_catalog({odd});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'high'"), std::string::npos);
  RemediationBand negative{"medium", 4.0, 6.9, -1, {}};
  EXPECT_FALSE(RemediationPolicy::from_catalog({negative}));
}
