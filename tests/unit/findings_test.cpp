// Scanner imports and the remediation workflow at the service layer, with a clock the test
// moves: the repository's own fixtures of every format, re-imports that close and reopen,
// duplicates merged within a report and across tools in one scope, a broken report leaving
// every table exactly as it was, deadlines and overdue findings, and the workflow's rules.
// Runs on SQLite and (TILLIT_TEST_BACKEND=postgresql) on PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "service_fixture.h"
#include "test_database.h"
#include "tillit/crypto/crypto.h"
#include "tillit/ingest/source.h"
#include "tillit/services/accounts.h"
#include "tillit/services/findings.h"
#include "tillit/services/jobs.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;
// ordered_json keeps the members in the report's order: the asset comes before the results.
using json = nlohmann::ordered_json;
using namespace std::chrono;

namespace {

const fs::path kFixtures = fs::path(TILLIT_SOURCE_DIR) / "tests" / "fixtures" / "scanners";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

class FindingsTest : public tillit::testing::ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    now_ = parse_rfc3339("2026-02-26T09:00:00Z").value();
  }

  FindingService findings() {
    return FindingService(*inst_, [this] { return now_; });
  }

  Result<ImportSummary> import_text(const std::string& text, ImportOptions options = {}, const char* who = "erik") {
    ingest::MemorySource source(text);
    return findings().import(people_.at(who), source, options);
  }
  ImportSummary import_file(const fs::path& file, ImportOptions options = {}) {
    auto r = import_text(read_file(file), options);
    EXPECT_TRUE(r) << file << ": " << r.error().message;
    return r ? *r : ImportSummary{};
  }

  std::vector<FindingView> all(FindingQuery q = {}) {
    q.per_page = 0;
    auto r = findings().list(people_.at("anna"), q);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::vector<FindingView>{};
  }
  // A copy: the list it comes from is usually a temporary.
  static std::optional<store::FindingRecord> by_id(const std::vector<FindingView>& v, const std::string& id) {
    for (const auto& f : v)
      if (f.record.vulnerability_id == id) return f.record;
    return std::nullopt;
  }

  std::int64_t count_actions(const std::string& action) {
    auto tx = inst_->db().begin(store::Access::read);
    auto rows = (*tx)->query("SELECT COUNT(*) FROM audit_events WHERE action = ?", {action});
    return rows->front().integer(0);
  }

  // The Trivy fixture without the vulnerability `id`.
  static std::string trivy_without(const std::string& id) {
    auto j = json::parse(read_file(kFixtures / "trivy" / "schema2.json"));
    for (auto& result : j["Results"]) {
      if (!result.contains("Vulnerabilities")) continue;
      auto& v = result["Vulnerabilities"];
      v.erase(std::remove_if(v.begin(), v.end(), [&](const json& x) { return x["VulnerabilityID"] == id; }), v.end());
    }
    return j.dump(2);
  }

};

TEST_F(FindingsTest, ATrivyReportBecomesFindingsWithTheAnnexSeverityAndDeadline) {
  const auto summary = import_file(kFixtures / "trivy" / "schema2.json");
  EXPECT_EQ(summary.record.tool, "Trivy");
  EXPECT_EQ(summary.record.format, "trivy");
  EXPECT_EQ(summary.record.scope, "trivy:registry.example.se/tillit/web:1.4.2");
  EXPECT_EQ(summary.record.file_sha256, crypto::to_hex(crypto::sha256(read_file(kFixtures / "trivy" / "schema2.json"))));
  EXPECT_GT(summary.record.findings, 0);
  EXPECT_EQ(summary.record.new_count + summary.duplicates, summary.record.findings);
  EXPECT_EQ(summary.record.closed_count, 0);
  const auto list = all();
  ASSERT_EQ(static_cast<std::int64_t>(list.size()), summary.record.new_count);
  const auto ssl = by_id(list, "CVE-2024-2511");
  ASSERT_TRUE(ssl);
  EXPECT_EQ(ssl->component, "libssl3");
  EXPECT_EQ(ssl->status, "open");
  EXPECT_EQ(ssl->known_at, "2026-02-26T09:00:00.000Z");
  ASSERT_TRUE(ssl->highest_score.has_value());
  const auto expected = assess(RemediationPolicy::annex(), static_cast<int>(*ssl->highest_score), "");
  EXPECT_EQ(ssl->severity, expected.severity);
  if (expected.days)
    EXPECT_EQ(ssl->due_at, format_rfc3339(now_ + days(*expected.days)));
  EXPECT_NE(json::parse(ssl->identifiers).size(), 0u);
  EXPECT_EQ(count_actions("findings.import"), 1);  // one event per import, not per finding
}

TEST_F(FindingsTest, ReImportingAScopeClosesWhatIsGoneAndReopensRegressionsWithHistory) {
  const auto full = read_file(kFixtures / "trivy" / "schema2.json");
  auto first = import_text(full);
  ASSERT_TRUE(first) << first.error().message;
  now_ += days(1);
  auto same = import_text(full);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->record.new_count, 0);
  EXPECT_EQ(same->record.unchanged_count, first->record.new_count);
  EXPECT_EQ(same->record.closed_count, 0);

  now_ += days(1);
  auto fixed = import_text(trivy_without("CVE-2024-2511"));
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(fixed->record.closed_count, 1);
  const auto closed = by_id(all(), "CVE-2024-2511");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, "fixed");
  EXPECT_EQ(closed->fixed_at, "2026-02-28T09:00:00.000Z");
  EXPECT_EQ(closed->closed_by_import, fixed->record.id);
  EXPECT_EQ(all({{"fixed"}}).size(), 1u);

  now_ += days(1);
  auto back = import_text(full);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->record.reopened_count, 1);
  EXPECT_EQ(back->record.new_count, 0);
  const auto reopened = by_id(all(), "CVE-2024-2511");
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->status, "open");
  EXPECT_EQ(reopened->first_seen, "2026-02-26T09:00:00.000Z");
  EXPECT_EQ(reopened->known_at, "2026-03-01T09:00:00.000Z");  // known again from the regression
  auto detail = findings().get(people_.at("anna"), reopened->id);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->history.size(), 2u);
  EXPECT_EQ(detail->history[0].to_status, "fixed");
  EXPECT_EQ(detail->history[1].from_status, "fixed");
  EXPECT_EQ(detail->history[1].to_status, "open");
}

TEST_F(FindingsTest, TwoToolsInOneScopeShareFindingsByFingerprint) {
  ImportOptions scope{"", "", "web-image"};
  auto trivy = import_file(kFixtures / "trivy" / "schema2.json", scope);
  auto grype = import_file(kFixtures / "grype" / "small.json", scope);
  EXPECT_GE(grype.record.unchanged_count, 2);  // CVE-2024-2511 in libssl3, CVE-2024-29041 in express
  const auto list = all({{}, {}, "", "web-image"});
  EXPECT_EQ(static_cast<std::int64_t>(list.size()), trivy.record.new_count + grype.record.new_count);
  int ssl = 0;
  for (const auto& f : list) ssl += f.record.vulnerability_id == "CVE-2024-2511" ? 1 : 0;
  EXPECT_EQ(ssl, 1);
  // Without a shared scope, each tool's scan is its own scope.
  auto apart = import_file(kFixtures / "grype" / "small.json");
  EXPECT_EQ(apart.record.scope, "grype:registry.example.se/tillit/web:1.4.2");
  EXPECT_EQ(apart.record.new_count, grype.record.new_count + grype.record.unchanged_count);
}

TEST_F(FindingsTest, DuplicatesWithinOneReportAreMergedIntoOneFinding) {
  auto j = json::parse(read_file(kFixtures / "trivy" / "schema2.json"));
  auto copy = j["Results"][0];
  copy["Target"] = "another/lockfile";
  j["Results"].push_back(copy);
  auto r = import_text(j.dump(), {"", "", "merged"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(r->duplicates, static_cast<std::int64_t>(copy["Vulnerabilities"].size()));
  EXPECT_EQ(r->record.new_count + r->duplicates, r->record.findings);
}

TEST_F(FindingsTest, EveryFixtureFormatImports) {
  const std::pair<const char*, const char*> files[] = {
      {"trivy/schema2.json", ""},      {"trivy/legacy.json", "legacy-host"}, {"grype/small.json", ""},
      {"sarif/small.sarif", "repo"},   {"openvas/small.xml", ""},            {"nessus/small.nessus", ""},
      {"osv/small.json", "osv-repo"},  {"cyclonedx/vex.cdx.json", ""},       {"cyclonedx/vex.cdx.xml", ""},
      {"cyclonedx/extension.cdx.xml", ""}};
  int n = 0;
  for (const auto& [file, asset] : files) {
    auto r = import_text(read_file(kFixtures / file), {"", asset, std::string("fixture-") + std::to_string(n++)});
    ASSERT_TRUE(r) << file << ": " << r.error().message;
    EXPECT_GT(r->record.findings, 0) << file;
  }
}

TEST_F(FindingsTest, SharedSampleReportsImport) {
  const fs::path samples = fs::path(TILLIT_SHARED_DIR) / "samples" / "scanners";
  if (!fs::exists(samples)) GTEST_SKIP() << samples << " is absent";
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(samples)) {
    if (!e.is_regular_file() || e.path().extension() == ".md") continue;
    auto r = import_text(read_file(e.path()), {"", "sample-asset", "sample-" + std::to_string(n++)});
    EXPECT_TRUE(r) << e.path() << ": " << r.error().message;
  }
  EXPECT_GT(n, 0);
}

TEST_F(FindingsTest, ABrokenReportLeavesEveryTableAsItWas) {
  import_file(kFixtures / "trivy" / "schema2.json");
  auto before = store::count_rows(inst_->db());
  ASSERT_TRUE(before);
  auto malformed = import_text(read_file(kFixtures / "trivy" / "malformed.json"));
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(malformed.error().message.find("line "), std::string::npos) << malformed.error().message;
  EXPECT_NE(malformed.error().message.find("nothing changed"), std::string::npos);
  // Cut off after its first findings were read: they were written, and are rolled back.
  const auto full = trivy_without("");
  auto cut = import_text(full.substr(0, full.size() * 2 / 3));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("line "), std::string::npos) << cut.error().message;
  auto after = store::count_rows(inst_->db());
  ASSERT_TRUE(after);
  EXPECT_EQ(*before, *after);
}

TEST_F(FindingsTest, AReportAboutSeveralAssetsNeedsAScope) {
  auto j = json::parse(read_file(kFixtures / "trivy" / "schema2.json"));
  j["ArtifactName"] = "";
  auto r = import_text(j.dump());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--scope"), std::string::npos) << r.error().message;
  EXPECT_TRUE(import_text(j.dump(), {"", "", "filesystem"}));
}

TEST_F(FindingsTest, OverdueFindingsAreThoseStillOpenPastTheirDeadline) {
  import_file(kFixtures / "trivy" / "schema2.json");
  FindingQuery overdue;
  overdue.overdue = true;
  EXPECT_TRUE(all(overdue).empty());
  now_ += days(7) + milliseconds(1);
  const auto late = all(overdue);
  ASSERT_FALSE(late.empty());
  for (const auto& f : late) {
    EXPECT_TRUE(f.overdue);
    EXPECT_TRUE(f.record.severity == "high" || f.record.severity == "critical") << f.record.severity;
  }
  FindingQuery high;
  high.severities = {"high", "critical"};
  EXPECT_EQ(all(high).size(), late.size());
}

TEST_F(FindingsTest, TheWorkflowFollowsTheAnnexRules) {
  import_file(kFixtures / "trivy" / "schema2.json");
  const auto id = by_id(all(), "CVE-2024-2511")->id;
  auto svc = findings();
  const auto& erik = people_.at("erik");
  EXPECT_EQ(svc.change_status(erik, id, {"in_progress", ""}).error().code, ErrorCode::invalid_argument);
  ASSERT_TRUE(svc.change_status(erik, id, {"in_progress", "patch planned for Tuesday"}));
  auto no_kind = svc.change_status(erik, id, {"mitigated", "port closed"});
  ASSERT_FALSE(no_kind);
  EXPECT_NE(no_kind.error().message.find("disable_service"), std::string::npos);
  auto mitigated = svc.change_status(erik, id, {"mitigated", "TLS terminated at the proxy", "security_controls"});
  ASSERT_TRUE(mitigated) << mitigated.error().message;
  EXPECT_EQ(mitigated->record.mitigation_kind, "security_controls");
  EXPECT_EQ(svc.change_status(erik, id, {"risk_accepted", "x"}).error().code, ErrorCode::forbidden);
  auto fixed = svc.change_status(erik, id, {"fixed", "upgraded to 3.0.13-1~deb12u1, change CR-881"});
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->record.fixed_at, format_rfc3339(now_));
  EXPECT_EQ(svc.change_status(erik, id, {"in_progress", "again"}).error().code, ErrorCode::conflict);
  EXPECT_EQ(fixed->history.size(), 3u);
  EXPECT_EQ(count_actions("finding.status"), 3);
  EXPECT_FALSE(svc.change_status(people_.at("anna"), id, {"open", "auditor"}));  // read only
}

TEST_F(FindingsTest, AcceptanceNeedsAnotherPersonsRequestAndExpires) {
  import_file(kFixtures / "trivy" / "schema2.json");
  const auto id = by_id(all(), "CVE-2023-50495")->id;
  auto svc = findings();
  const auto& sara = people_.at("sara");
  const std::string until = format_rfc3339(now_ + days(30));
  auto own = svc.change_status(sara, id, {"risk_accepted", "not reachable", "", "sara", until});
  EXPECT_EQ(own.error().code, ErrorCode::forbidden);
  auto no_expiry = svc.change_status(sara, id, {"risk_accepted", "not reachable", "", "erik", ""});
  EXPECT_EQ(no_expiry.error().code, ErrorCode::invalid_argument);
  auto too_long = svc.change_status(sara, id, {"risk_accepted", "x", "", "erik", format_rfc3339(now_ + days(400))});
  EXPECT_FALSE(too_long);
  auto accepted = svc.change_status(sara, id, {"risk_accepted", "terminfo only, no untrusted input", "", "erik", until});
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->record.accepted_until, until);
  EXPECT_EQ(accepted->record.approved_by, sara.id);
  now_ += days(31);
  auto expired = svc.reopen_expired(people_.at("erik"));
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 1);
  auto after = svc.get(people_.at("anna"), id);
  EXPECT_EQ(after->record.status, "open");
  EXPECT_EQ(after->history.back().reason, "the acceptance expired");
}

// The hourly job reopens what expired between imports (the test's acceptance, given in
// February 2026 for 30 days, lies in the past of the real clock the job runs on).
TEST_F(FindingsTest, TheHourlyJobReopensExpiredAcceptances) {
  import_file(kFixtures / "trivy" / "schema2.json");
  const auto id = by_id(all(), "CVE-2023-50495")->id;
  auto accepted = findings().change_status(people_.at("sara"), id,
                                           {"false_positive", "the package is never loaded", "", "erik",
                                            format_rfc3339(now_ + days(30))});
  ASSERT_TRUE(accepted) << accepted.error().message;
  const auto& jobs = builtin_jobs();
  const auto job = std::find_if(jobs.begin(), jobs.end(), [](const auto& j) { return j.name == "findings-expiry"; });
  ASSERT_NE(job, jobs.end());
  EXPECT_EQ(job->every, std::chrono::hours(1));
  EXPECT_EQ(job->run(*inst_), "ok");
  EXPECT_EQ(findings().get(people_.at("anna"), id)->record.status, "open");
}

TEST_F(FindingsTest, TheKnownDateMovesTheDeadlineWithAReason) {
  import_file(kFixtures / "trivy" / "schema2.json");
  const auto f = by_id(all(), "CVE-2024-2511");
  ASSERT_TRUE(f);
  auto svc = findings();
  EXPECT_FALSE(svc.set_known_at(people_.at("erik"), f->id, "2026-02-20T00:00:00Z", ""));
  auto moved = svc.set_known_at(people_.at("erik"), f->id, "2026-02-20T00:00:00Z", "vendor advisory read that day");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->record.known_at, "2026-02-20T00:00:00.000Z");
  const auto a = assess(RemediationPolicy::annex(), static_cast<int>(*f->highest_score), "");
  if (a.days) EXPECT_EQ(moved->record.due_at, format_rfc3339(parse_rfc3339("2026-02-20T00:00:00Z").value() + days(*a.days)));
  EXPECT_EQ(count_actions("finding.known_at"), 1);
}

TEST_F(FindingsTest, RolesDecideWhoMayImportAndRead) {
  const auto text = read_file(kFixtures / "trivy" / "schema2.json");
  auto by_auditor = import_text(text, {}, "anna");
  EXPECT_EQ(by_auditor.error().code, ErrorCode::forbidden);
  Actor admin{"user:1", ActorKind::user, 1, "admin", {Role::admin}, std::nullopt, "local"};
  EXPECT_EQ(findings().list(admin, {}).error().code, ErrorCode::forbidden);
  EXPECT_TRUE(import_text(text, {}, "sara"));
}
