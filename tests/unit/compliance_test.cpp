// Requirement assessments and evidence: the domain rules with explicit dates, then the
// services on SQLite and (TILLIT_TEST_BACKEND=postgresql) PostgreSQL with a clock the test
// moves: history of every change, "met" only with current evidence (also through the ISO
// mapping), bad input changing nothing, encrypted versions that round-trip, and a flipped
// byte in a stored chunk refused before anything is handed out.
#include <gtest/gtest.h>

#include <filesystem>

#include "service_fixture.h"
#include "test_database.h"
#include "tillit/core/assessment.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/accounts.h"
#include "tillit/services/assessments.h"
#include "tillit/services/evidence.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;

TEST(AssessmentRules, DatesMustBeRealCalendarDays) {
  EXPECT_TRUE(check_date("next_review", "2028-02-29"));
  for (const char* bad : {"2027-02-29", "2026-13-01", "2026-1-01", "2026-01-01T00:00:00Z", "31/12/2026", "", "0999-01-01"}) {
    auto s = check_date("next_review", bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().message.rfind("next_review: ", 0), 0u) << s.error().message;
  }
}

TEST(AssessmentRules, EachStatusNeedsWhatTheIssueSays) {
  Assessment a;
  a.status = "not_applicable";
  auto s = validate_assessment(a, false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("justification: ", 0), 0u);
  a.justification = "No personal data is processed in this service.";
  EXPECT_TRUE(validate_assessment(a, false));

  a = {};
  a.status = "met";
  s = validate_assessment(a, false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("status: ", 0), 0u);
  EXPECT_TRUE(validate_assessment(a, true));

  a = {};
  a.status = "done";
  EXPECT_FALSE(validate_assessment(a, true));
  a.status = "partly_met";
  a.deviation = "Backups are not yet tested twice a year.";
  s = validate_assessment(a, false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("deviation_due: ", 0), 0u);
  a.deviation_due = "2027-03-31";
  EXPECT_TRUE(validate_assessment(a, false));
  a.links = {{"Policy", "P-1"}};
  s = validate_assessment(a, false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("links[0].type: ", 0), 0u);
}

TEST(AssessmentRules, OverdueAfterThePlannedDayAndEvidenceCurrentThroughItsLastDay) {
  Assessment a;
  a.deviation = "x";
  a.deviation_due = "2027-03-31";
  EXPECT_FALSE(deviation_overdue(a, "2027-03-31"));
  EXPECT_TRUE(deviation_overdue(a, "2027-04-01"));
  EXPECT_FALSE(deviation_overdue(Assessment{}, "2099-01-01"));
  EXPECT_TRUE(evidence_current("2027-12-31", "2027-12-31"));
  EXPECT_FALSE(evidence_current("2027-12-31", "2028-01-01"));
  EXPECT_TRUE(evidence_current("", "2099-01-01"));
}

class ComplianceTest : public tillit::testing::ServiceFixture {
 protected:
  std::string extra_config() const override {
    return "evidence_max_mb: 3\n";  // small, so the limit is cheap to reach
  }

  AssessmentService assessments() {
    return AssessmentService(*inst_, [this] { return now_; });
  }
  EvidenceService evidence() {
    return EvidenceService(*inst_, [this] { return now_; });
  }
  static ByteSource source_of(const std::string& bytes) {
    auto offset = std::make_shared<std::size_t>(0);
    return [&bytes, offset](char* buffer, std::size_t capacity) -> Result<std::size_t> {
      const std::size_t n = std::min(capacity, bytes.size() - *offset);
      std::copy_n(bytes.data() + *offset, n, buffer);
      *offset += n;
      return n;
    };
  }
  Result<EvidenceView> upload(const std::string& content, NewEvidence e = {}, const char* who = "erik") {
    if (e.title.empty()) e.title = "Restore test report";
    if (e.file.file_name.empty()) e.file = {"restore-test.pdf", "application/pdf"};
    return evidence().add(people_.at(who), e, source_of(content));
  }
  Result<std::string> download(std::int64_t id, std::int64_t version = 0, const char* who = "anna") {
    std::string out;
    auto v = evidence().download(people_.at(who), id, version, [&](std::string_view bytes) -> Status {
      out.append(bytes);
      return {};
    });
    if (!v) return v.error();
    return out;
  }
  std::int64_t count(const std::string& table) {
    auto tx = inst_->db().begin(store::Access::read);
    return (*tx)->query("SELECT COUNT(*) FROM " + table)->front().integer(0);
  }

};

TEST_F(ComplianceTest, EveryChangeIsKeptWithWhoWhenBeforeAndAfter) {
  auto list = assessments().list(people_.at("anna"), {});
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_FALSE(list->empty());
  EXPECT_EQ(list->front().assessment.status, "not_assessed");
  EXPECT_FALSE(list->front().assessed);

  Assessment a;
  a.status = "partly_met";
  a.owner = "sara";
  a.how_met = "Restore tests run twice a year.";
  a.links = {{"requirement", "iso27001-2022:A.8.13"}, {"policy", "backup-policy"}};
  a.deviation = "The spring restore test is not done yet.";
  a.deviation_due = "2026-12-15";
  a.next_review = "2027-06-01";
  auto set = assessments().set(people_.at("sara"), "K14", a);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->catalog_id, "annex");
  EXPECT_EQ(set->revision, 1);
  EXPECT_FALSE(set->deviation_overdue);

  now_ += std::chrono::days(30);  // past the deviation's planned date
  a.status = "not_met";
  set = assessments().set(people_.at("sara"), "annex:K14", a);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_TRUE(set->deviation_overdue);
  ASSERT_EQ(set->history.size(), 2u);
  EXPECT_TRUE(set->history[0].before_state.empty());
  EXPECT_NE(set->history[1].before_state.find("partly_met"), std::string::npos);
  EXPECT_NE(set->history[1].after_state.find("not_met"), std::string::npos);
  EXPECT_EQ(set->history[1].actor, people_.at("sara").id);

  AssessmentQuery overdue;
  overdue.overdue_only = true;
  auto flagged = assessments().list(people_.at("anna"), overdue);
  ASSERT_TRUE(flagged);
  ASSERT_EQ(flagged->size(), 1u);
  EXPECT_EQ(flagged->front().requirement_id, "K14");
  EXPECT_EQ(count("assessment_history"), 2);
}

TEST_F(ComplianceTest, BadInputNamesTheFieldAndWritesNothing) {
  Assessment a;
  a.status = "partly_met";
  a.next_review = "2026-02-30";
  auto r = assessments().set(people_.at("sara"), "K14", a);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().message.rfind("next_review: ", 0), 0u) << r.error().message;
  a.next_review = "";
  r = assessments().set(people_.at("sara"), "K999", a);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().message.rfind("requirement: ", 0), 0u) << r.error().message;
  EXPECT_EQ(count("requirement_assessments"), 0);
  EXPECT_EQ(count("assessment_history"), 0);

  auto e = upload("");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message.rfind("file: ", 0), 0u) << e.error().message;
  e = upload(std::string((3 << 20) + 1, 'x'));
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("evidence_max_mb"), std::string::npos) << e.error().message;
  NewEvidence bad;
  bad.valid_until = "2026-13-01";
  e = upload("content", bad);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message.rfind("valid_until: ", 0), 0u);
  bad = {};
  bad.requirements = {"K1", "K0"};
  e = upload("content", bad);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message.rfind("requirement: ", 0), 0u);
  for (const char* table : {"evidence", "evidence_versions", "evidence_chunks", "evidence_links"})
    EXPECT_EQ(count(table), 0) << table;
}

TEST_F(ComplianceTest, MetNeedsCurrentEvidenceAndIsoEvidenceServesTheAnnex) {
  Assessment met;
  met.status = "met";
  auto r = assessments().set(people_.at("sara"), "K3", met);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("status: ", 0), 0u);

  // K3 maps to ISO 27001 A.5.3: evidence given for the control serves the annex requirement.
  NewEvidence e;
  e.title = "Segregation of duties matrix";
  e.valid_until = "2026-12-31";
  e.requirements = {"iso27001-2022:A.5.3"};
  auto added = upload("role matrix", e);
  ASSERT_TRUE(added) << added.error().message;
  r = assessments().set(people_.at("sara"), "K3", met);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->evidence.size(), 1u);
  EXPECT_TRUE(r->evidence[0].through_mapping);
  EXPECT_EQ(r->evidence[0].linked_to, "iso27001-2022:A.5.3");

  // After its validity end the evidence no longer counts.
  now_ = parse_rfc3339("2027-01-01T00:00:00Z").value();
  auto view = assessments().get(people_.at("anna"), "K3");
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->has_current_evidence);
  met.owner = "sara";
  EXPECT_FALSE(assessments().set(people_.at("sara"), "K3", met));
}

TEST_F(ComplianceTest, VersionsRoundTripEncryptedWithTheirHash) {
  std::string content;
  const auto random = crypto::random_bytes((5 << 19) + 17);  // 2.5 MiB and a bit: three chunks
  content.assign(random.begin(), random.end());
  auto added = upload(content);
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_TRUE(added->latest);
  EXPECT_EQ(added->latest->sha256, crypto::to_hex(crypto::sha256(content)));
  EXPECT_EQ(added->latest->chunk_count, 3);
  EXPECT_EQ(count("evidence_chunks"), 3);
  {  // nothing of the plaintext is stored
    auto tx = inst_->db().begin(store::Access::read);
    auto rows = (*tx)->query("SELECT sealed FROM evidence_chunks WHERE chunk_index = 0");
    const auto sealed = crypto::from_base64(rows->front().text(0)).value();
    EXPECT_EQ(crypto::as_chars(sealed).find(content.substr(0, 32)), std::string_view::npos);
  }
  auto got = download(added->record.id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(*got == content);

  const std::string second = "second version";
  auto v2 = evidence().add_version(people_.at("erik"), added->record.id, {"restore-test-2.txt", "text/plain"},
                                   source_of(second), "2027-12-31");
  ASSERT_TRUE(v2) << v2.error().message;
  ASSERT_EQ(v2->versions.size(), 2u);
  EXPECT_EQ(v2->record.valid_until, "2027-12-31");
  EXPECT_EQ(download(added->record.id).value(), second);
  EXPECT_TRUE(download(added->record.id, 1).value() == content);
  auto missing = download(added->record.id, 3);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_F(ComplianceTest, AFlippedByteInAStoredChunkIsRefusedBeforeAnythingIsSent) {
  const std::string content(1500000, 'e');
  auto added = upload(content);
  ASSERT_TRUE(added) << added.error().message;
  {  // as someone with access to the database would, bypassing Tillit
    auto tx = inst_->db().begin(store::Access::write);
    auto rows = (*tx)->query("SELECT sealed FROM evidence_chunks WHERE chunk_index = 1");
    auto sealed = crypto::from_base64(rows->front().text(0)).value();
    sealed[sealed.size() / 2] ^= 0x01;
    ASSERT_TRUE((*tx)->exec("UPDATE evidence_chunks SET sealed = ? WHERE chunk_index = 1",
                            {crypto::to_base64(crypto::as_chars(sealed))}));
    ASSERT_TRUE((*tx)->commit());
  }
  bool sent = false;
  auto r = evidence().download(people_.at("anna"), added->record.id, 0, [&](std::string_view) -> Status {
    sent = true;
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::integrity);
  EXPECT_NE(r.error().message.find("chunk 1"), std::string::npos) << r.error().message;
  EXPECT_FALSE(sent);
  auto tx = inst_->db().begin(store::Access::read);
  EXPECT_EQ((*tx)->query("SELECT COUNT(*) FROM audit_events WHERE action = 'evidence.integrity_failure'")->front().integer(0),
            1);
}

TEST_F(ComplianceTest, TheAuditorReadsAndDownloadsButChangesNothing) {
  auto added = upload("policy text");
  ASSERT_TRUE(added);
  EXPECT_TRUE(download(added->record.id, 0, "anna"));
  EXPECT_EQ(upload("x", {}, "anna").error().code, ErrorCode::forbidden);
  EXPECT_EQ(evidence().link(people_.at("anna"), added->record.id, "requirement", "K1").error().code,
            ErrorCode::forbidden);
  Assessment a;
  a.status = "not_met";
  EXPECT_EQ(assessments().set(people_.at("anna"), "K1", a).error().code, ErrorCode::forbidden);
  // The engineer uploads evidence but does not assess.
  EXPECT_EQ(assessments().set(people_.at("erik"), "K1", a).error().code, ErrorCode::forbidden);
  auto linked = evidence().link(people_.at("erik"), added->record.id, "requirement", "K1");
  ASSERT_TRUE(linked) << linked.error().message;
  ASSERT_EQ(linked->links.size(), 1u);
  EXPECT_EQ(linked->links[0].target_id, "annex:K1");
  EXPECT_EQ(evidence().link(people_.at("erik"), added->record.id, "spaceship", "1").error().message.rfind("type: ", 0),
            0u);
}
