// The duties part of the compliance report: due dates in the period completed or missed,
// replayed from the completions (on SQLite and, with TILLIT_TEST_BACKEND=postgresql,
// PostgreSQL), with a fixture of its own: only duties, no assessments or evidence.
#include <gtest/gtest.h>

#include <filesystem>

#include "service_fixture.h"
#include "test_database.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/accounts.h"
#include "tillit/services/compliance_report.h"
#include "tillit/services/duties.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;

class ComplianceReportDutiesTest : public tillit::testing::ServiceFixture {
 protected:

  ComplianceReportService reports() {
    return ComplianceReportService(*inst_, [this] { return now_; });
  }

};

TEST_F(ComplianceReportDutiesTest, DutiesCompletedAndMissedInThePeriod) {
  DutiesService duties(*inst_, [this] { return now_; });
  DutyInput quarterly;
  quarterly.title = "Återläsningstest";
  quarterly.requirement = "annex:K1";
  quarterly.interval_count = 3;
  quarterly.interval_unit = "months";
  quarterly.first_due = "2026-03-31";
  auto d = duties.create(people_.at("sara"), quarterly);
  ASSERT_TRUE(d) << d.error().message;
  // Done early in March (fulfilling 31 March), then late in August: the due date of 20 June
  // (three months after the March completion) was missed, and so was 15 November, which has
  // passed without a completion by the report day (23 November).
  ASSERT_TRUE(duties.complete(people_.at("sara"), d->record.id, {"2026-03-20", "Återläsning gjord", std::nullopt}));
  ASSERT_TRUE(duties.complete(people_.at("sara"), d->record.id, {"2026-08-15", "Återläsning gjord sent", std::nullopt}));

  auto r = reports().gather(people_.at("anna"), "2026-01-01", "2026-12-31", "sv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->duties_available);
  ASSERT_EQ(r->duties_completed.size(), 2u);
  EXPECT_EQ(r->duties_completed[0].completed_at, "2026-03-20");
  EXPECT_EQ(r->duties_completed[0].due, "2026-03-31");
  EXPECT_EQ(r->duties_completed[0].requirement, "K1");
  EXPECT_EQ(r->duties_completed[1].due, "2026-06-20");
  ASSERT_EQ(r->duties_missed.size(), 2u);
  EXPECT_EQ(r->duties_missed[0].due, "2026-06-20");
  EXPECT_EQ(r->duties_missed[1].due, "2026-11-15");
  EXPECT_TRUE(r->duties_missed[1].completed_at.empty());

  // A period before the first completion shows neither.
  auto early = reports().gather(people_.at("anna"), "2025-01-01", "2025-12-31", "sv");
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->duties_completed.empty());
  EXPECT_TRUE(early->duties_missed.empty());
}
