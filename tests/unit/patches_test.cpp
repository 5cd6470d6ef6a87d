// Patch management: Patch Tuesday and the annex's deadlines in core (explicit dates), and the
// service's records, validation, lateness and latency report on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>

#include "service_fixture.h"
#include "test_database.h"
#include "tillit/core/patch_policy.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/patches.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

CalendarDate d(const char* text) { return parse_date(text, "test").value(); }

}  // namespace

TEST(PatchPolicy, PatchTuesdayIsTheSecondTuesday) {
  EXPECT_EQ(patch_tuesday(2026y / November), d("2026-11-10"));   // the 1st is a Sunday
  EXPECT_EQ(patch_tuesday(2026y / September), d("2026-09-08"));  // the 1st is a Tuesday: the 8th
  EXPECT_EQ(patch_tuesday(2026y / July), d("2026-07-14"));       // the 1st is a Wednesday: the 14th
  EXPECT_EQ(patch_tuesday(2024y / February), d("2024-02-13"));
  EXPECT_EQ(patch_tuesday(2025y / January), d("2025-01-14"));
}

TEST(PatchPolicy, CriticalUpdatesAreAppliedWithin30DaysOfRelease) {
  PatchFacts p{"Debian", "critical", d("2026-10-01"), std::nullopt, std::nullopt};
  auto open = judge_patch(p, d("2026-10-31"));
  EXPECT_EQ(open.apply_by, d("2026-10-31"));
  EXPECT_FALSE(open.late);  // the 30th day is still in time
  EXPECT_FALSE(open.rollout_start_by);  // not a Microsoft product
  auto overdue = judge_patch(p, d("2026-11-01"));
  EXPECT_TRUE(overdue.late);
  EXPECT_NE(overdue.reason.find("not applied after 2026-10-31"), std::string::npos) << overdue.reason;
  p.applied = d("2026-10-20");
  auto done = judge_patch(p, d("2027-01-01"));
  EXPECT_FALSE(done.late);
  EXPECT_EQ(done.latency_days, 19);
  p.applied = d("2026-11-05");
  EXPECT_TRUE(judge_patch(p, d("2027-01-01")).late);  // applied, but late: stays in the record
  // Only critical updates have the 30-day rule.
  EXPECT_FALSE(judge_patch({"Debian", "high", d("2026-01-01"), std::nullopt, std::nullopt}, d("2026-11-01")).apply_by);
}

TEST(PatchPolicy, MicrosoftRolloutStartsWithin7DaysOfPatchTuesday) {
  PatchFacts p{"microsoft", "high", d("2026-11-10"), std::nullopt, std::nullopt};
  EXPECT_EQ(judge_patch(p, d("2026-11-17")).rollout_start_by, d("2026-11-17"));
  EXPECT_FALSE(judge_patch(p, d("2026-11-17")).late);
  auto late = judge_patch(p, d("2026-11-18"));
  EXPECT_TRUE(late.late);
  EXPECT_NE(late.reason.find("Patch Tuesday 2026-11-10"), std::string::npos) << late.reason;
  p.rollout_started = d("2026-11-16");
  EXPECT_FALSE(judge_patch(p, d("2026-12-30")).late);
  // An out-of-band release after Patch Tuesday counts from its own date.
  PatchFacts oob{"Microsoft", "critical", d("2026-11-20"), std::nullopt, std::nullopt};
  auto v = judge_patch(oob, d("2026-11-25"));
  EXPECT_EQ(v.rollout_start_by, d("2026-11-27"));
  EXPECT_EQ(v.apply_by, d("2026-12-20"));
}

TEST(PatchPolicy, VendorSeverityWordsMapOntoTheBands) {
  EXPECT_EQ(patch_severity("Important").value(), "high");
  EXPECT_EQ(patch_severity("Moderate").value(), "medium");
  EXPECT_EQ(patch_severity("CRITICAL").value(), "critical");
  auto bad = patch_severity("urgent");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("severity"), std::string::npos);
}

class PatchesTest : public tillit::testing::ServiceFixture {
 protected:
  PatchService patches() {
    return PatchService(*inst_, [this] { return now_; });
  }
  static Actor admin_actor() {
    return Actor{"user:99", ActorKind::user, 99, "alex", {Role::admin}, std::nullopt, "192.0.2.7"};
  }
  std::int64_t count_events(const std::string& action) { return count_audit_events(action); }

  const Actor alex_ = admin_actor();
};

TEST_F(PatchesTest, RecordsAreJudgedAndChangesAudited) {
  auto kb = patches().record(person("erik"), {"dc01", "Windows Server 2022", "KB5066782", "Microsoft", "Important",
                                     "2026-11-10", "2026-11-14", "", "", "CR-1201", ""});
  ASSERT_TRUE(kb) << kb.error().message;
  EXPECT_EQ(kb->record.severity, "high");
  EXPECT_EQ(kb->verdict.rollout_start_by, d("2026-11-17"));
  EXPECT_TRUE(kb->verdict.late);  // today is the 23rd and the rollout has not started
  auto started = patches().update(person("erik"), kb->record.id, {.rollout_started_on = "2026-11-16", .applied_on = "2026-11-18"});
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_FALSE(started->verdict.late);
  EXPECT_EQ(started->verdict.latency_days, 8);
  EXPECT_EQ(started->record.change_ref, "CR-1201");  // untouched fields keep their value
  EXPECT_EQ(count_events("patch.record"), 1);
  EXPECT_EQ(count_events("patch.update"), 1);
  auto read = patches().get(person("anna"), kb->record.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->record.applied_on, "2026-11-18");
  EXPECT_EQ(to_json(*read)["rollout_start_by"], "2026-11-17");
}

TEST_F(PatchesTest, BadInputIsRefusedNamingTheFieldAndNothingIsWritten) {
  const PatchInput good{"web01", "OpenSSL", "DSA-5999-1", "Debian", "critical", "2026-11-01", "", "", "", "", ""};
  auto with = [&](auto change) {
    PatchInput p = good;
    change(p);
    return patches().record(person("erik"), p);
  };
  struct Case {
    const char* field;
    std::function<void(PatchInput&)> change;
  };
  const std::vector<Case> cases = {
      {"asset", [](PatchInput& p) { p.asset = " "; }},
      {"severity", [](PatchInput& p) { p.severity = "urgent"; }},
      {"released_on", [](PatchInput& p) { p.released_on = "2026-02-30"; }},
      {"released_on", [](PatchInput& p) { p.released_on = "2026-12-01"; }},  // in the future
      {"applied_on", [](PatchInput& p) { p.applied_on = "2026-10-01"; }},    // before the release
      {"applied_on", [](PatchInput& p) { p.applied_on = "2026-11-30"; }},    // in the future
      {"advisory", [](PatchInput& p) { p.advisory = std::string(201, 'x'); }},
  };
  for (const auto& c : cases) {
    auto r = with(c.change);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(r.error().message.rfind(c.field, 0), 0u) << r.error().message;
  }
  EXPECT_EQ(count_events("patch.record"), 0);
  ASSERT_TRUE(patches().record(person("erik"), good));
  auto twice = patches().record(person("erik"), good);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  EXPECT_EQ(patches().update(person("erik"), 999, {.note = "x"}).error().code, ErrorCode::not_found);
}

TEST_F(PatchesTest, TheAuditorReadsAndTheAdministratorSeesNothing) {
  const PatchInput p{"web01", "nginx", "DSA-6001-1", "Debian", "high", "2026-11-02", "", "", "", "", ""};
  EXPECT_EQ(patches().record(person("anna"), p).error().code, ErrorCode::forbidden);
  EXPECT_EQ(patches().record(alex_, p).error().code, ErrorCode::forbidden);
  ASSERT_TRUE(patches().record(person("erik"), p));
  EXPECT_TRUE(patches().list(person("anna"), {}));
  EXPECT_EQ(patches().list(alex_, {}).error().code, ErrorCode::forbidden);
}

TEST_F(PatchesTest, TheLatencyReportCoversReleasesInThePeriod) {
  ASSERT_TRUE(patches().record(person("erik"), {"web01", "OpenSSL", "DSA-1", "Debian", "critical", "2026-09-01", "", "",
                                       "2026-09-04", "", ""}));
  ASSERT_TRUE(patches().record(person("erik"), {"web02", "OpenSSL", "DSA-1", "Debian", "critical", "2026-09-01", "", "",
                                       "2026-10-15", "", ""}));  // 44 days: late
  ASSERT_TRUE(patches().record(person("erik"), {"dc01", "Windows", "KB1", "Microsoft", "high", "2026-10-13", "", "", "", "", ""}));
  ASSERT_TRUE(patches().record(person("erik"), {"web01", "curl", "DSA-2", "Debian", "low", "2026-08-01", "", "", "", "", ""}));
  auto r = patches().latency_report(person("anna"), "2026-09-01", "2026-10-31");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->released, 3);
  EXPECT_EQ(r->applied, 2);
  EXPECT_EQ(r->critical, 2);
  EXPECT_EQ(r->late, 2);  // web02 applied late; the Windows rollout never started
  EXPECT_DOUBLE_EQ(r->average_latency_days.value(), 23.5);
  EXPECT_EQ(r->longest_latency_days, 44);
  const auto csv = to_csv(*r);
  EXPECT_NE(csv.find("web02,OpenSSL,DSA-1,Debian,critical,2026-09-01,,2026-10-15,44"), std::string::npos) << csv;
  auto late_only = patches().list(person("anna"), {}, true);
  ASSERT_TRUE(late_only);
  EXPECT_EQ(late_only->size(), 2u);
  EXPECT_EQ(patches().latency_report(person("anna"), "2026-10-31", "2026-09-01").error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(patches().latency_report(person("anna"), "2026-13-01", "2026-12-31"));
}
