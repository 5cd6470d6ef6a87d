// Recurring duties at the service layer with a clock the test sets: the catalogue's duties
// seeded once with their requirement links, creating and changing duties, completions moving
// the due date, filters, bad input changing nothing, authorization, the calendar feed and
// the e-mail reminders (through a real SMTP server on loopback).
// Runs on SQLite and (TILLIT_TEST_BACKEND=postgresql) on PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "smtp_server.h"
#include "service_fixture.h"
#include "test_database.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/accounts.h"
#include "tillit/services/audit_service.h"
#include "tillit/services/duties.h"
#include "tillit/services/mail.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;

class DutiesTest : public tillit::testing::ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    now_ = parse_rfc3339("2026-01-31T09:00:00Z").value();
  }

  DutiesService duties() {
    return DutiesService(*inst_, [this] { return now_; });
  }
  const Actor& who(const char* name) { return people_.at(name); }
  std::int64_t audit_events() {
    auto tx = inst_->db().begin(store::Access::read);
    return (*tx)->query("SELECT COUNT(*) FROM audit_events")->front().integer(0);
  }
  DutyView create_quarterly(const char* title = "Brandvarnartest") {
    DutyInput in;
    in.title = title;
    in.interval_count = 3;
    in.interval_unit = "months";
    in.first_due = "2026-02-10";
    in.owner = "erik";
    in.requirement = "K14";
    auto d = duties().create(who("sara"), in);
    EXPECT_TRUE(d) << d.error().message;
    return d ? *d : DutyView{};
  }

};

TEST_F(DutiesTest, CatalogDutiesAreSeededOnceWithTheirRequirements) {
  auto all = duties().list(who("anna"), {});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_GE(all->size(), 12u);
  auto find = [&](const std::string& key) -> const store::DutyRecord* {
    for (const auto& d : *all)
      if (d.record.catalog_duty == key) return &d.record;
    return nullptr;
  };
  // The examples, each linked to the annex requirement that sets it.
  const std::vector<std::tuple<std::string, std::string, int, std::string>> expected = {
      {"annex:yearly-third-party-review", "annex:K7", 1, "years"},
      {"annex:quarterly-vulnerability-scan", "annex:K14", 3, "months"},
      {"annex:yearly-technical-security-review", "annex:K18", 1, "years"},
      {"annex:incident-exercise", "annex:K19", 1, "years"},
      {"annex:crisis-exercise", "annex:K49", 1, "years"},
      {"annex:yearly-requirements-revision", "annex:K21", 1, "years"},
      {"annex:restore-test", "annex:K22", 6, "months"},
      {"annex:yearly-risk-assessment", "annex:K52", 1, "years"},
      {"annex:privileged-roles-report", "annex:K40", 1, "years"},
      {"annex:security-awareness-training", "annex:K46", 1, "years"},
      {"annex:access-review", "annex:K54", 6, "months"},
      {"annex:supplier-gdpr-follow-up", "annex:K10", 1, "years"},
      {"annex:remote-work-policy-compliance-check", "annex:K37", 1, "years"},
  };
  for (const auto& [key, requirement, count, unit] : expected) {
    const auto* d = find(key);
    ASSERT_NE(d, nullptr) << key;
    EXPECT_EQ(d->requirement, requirement) << key;
    EXPECT_EQ(d->interval_count, count) << key;
    EXPECT_EQ(d->interval_unit, unit) << key;
    EXPECT_FALSE(d->title.empty());
    EXPECT_FALSE(d->title_en.empty());
  }
  // First due one interval from the day of seeding (31 Jan + 6 months = 31 Jul; + 3 = 30 Apr).
  EXPECT_EQ(find("annex:restore-test")->next_due, "2026-07-31");
  EXPECT_EQ(find("annex:quarterly-vulnerability-scan")->next_due, "2026-04-30");
  const auto events = audit_events();
  EXPECT_EQ(*duties().ensure_catalog_duties(who("anna")), 0);
  auto again = duties().list(who("anna"), {});
  EXPECT_EQ(again->size(), all->size());
  EXPECT_EQ(audit_events(), events);
}

TEST_F(DutiesTest, CompletionsMoveTheDueDateAndKeepHistory) {
  auto d = create_quarterly();
  EXPECT_EQ(d.record.next_due, "2026-02-10");
  EXPECT_EQ(d.record.requirement, "annex:K14");
  EXPECT_EQ(d.record.owner_username, "erik");
  EXPECT_EQ(d.state, DutyState::due_soon);  // 10 days ahead, inside the 14-day window
  auto done = duties().complete(who("erik"), d.record.id, {"2026-01-31", "Skannat alla system", std::nullopt});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->record.last_completed, "2026-01-31");
  EXPECT_EQ(done->record.next_due, "2026-04-30");  // month end clamped
  EXPECT_EQ(done->state, DutyState::upcoming);
  // A completion recorded late for an earlier day does not move the schedule back.
  auto late = duties().complete(who("erik"), d.record.id, {"2025-11-02", "Förra kvartalets skanning", std::nullopt});
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_EQ(late->record.next_due, "2026-04-30");
  ASSERT_EQ(late->completions.size(), 2u);
  EXPECT_EQ(late->completions[0].completed_on, "2026-01-31");
  EXPECT_EQ(late->completions[1].recorded_by, who("erik").id);
  // Time passes: overdue, then listed by the filters.
  now_ = parse_rfc3339("2026-05-01T08:00:00Z").value();
  DutyQuery overdue;
  overdue.overdue = true;
  overdue.owner = "erik";
  auto listed = duties().list(who("anna"), overdue);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, DutyState::overdue);
  auto counts = duties().counts(who("anna"));
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->overdue, 1);
}

TEST_F(DutiesTest, BadInputNamesTheFieldAndChangesNothing) {
  auto d = create_quarterly();
  const auto events = audit_events();
  auto expect_bad = [&](const Result<DutyView>& r, const std::string& field) {
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << r.error().message;
    EXPECT_EQ(r.error().message.rfind(field + ": ", 0), 0u) << r.error().message;
  };
  DutyInput zero;
  zero.interval_count = 0;
  expect_bad(duties().update(who("sara"), d.record.id, zero), "interval_count");
  DutyInput unit;
  unit.interval_unit = "fortnights";
  expect_bad(duties().update(who("sara"), d.record.id, unit), "interval_unit");
  DutyInput date;
  date.first_due = "2026-02-30";
  expect_bad(duties().update(who("sara"), d.record.id, date), "first_due");
  DutyInput owner;
  owner.owner = "nobody";
  owner.title = "Nytt namn";  // valid, but must not be written when the owner is wrong
  expect_bad(duties().update(who("sara"), d.record.id, owner), "owner");
  DutyInput requirement;
  requirement.requirement = "annex:K999";
  expect_bad(duties().update(who("sara"), d.record.id, requirement), "requirement");
  DutyInput no_title;
  no_title.interval_count = 1;
  no_title.interval_unit = "years";
  no_title.first_due = "2026-03-01";
  expect_bad(duties().create(who("sara"), no_title), "title");
  expect_bad(duties().complete(who("erik"), d.record.id, {"2026-02-01", "i framtiden", std::nullopt}), "completed_on");
  expect_bad(duties().complete(who("erik"), d.record.id, {"31/01/2026", "fel form", std::nullopt}), "completed_on");
  expect_bad(duties().complete(who("erik"), d.record.id, {"2026-01-30", " ", std::nullopt}), "note");
  expect_bad(duties().complete(who("erik"), d.record.id, {"2026-01-30", "bevis saknas", 4242}), "evidence_id");
  auto after = duties().get(who("anna"), d.record.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->record.title, "Brandvarnartest");
  EXPECT_EQ(after->record.interval_count, 3);
  EXPECT_TRUE(after->completions.empty());
  EXPECT_EQ(audit_events(), events);
}

TEST_F(DutiesTest, UpdatesAreAuditedAndRecomputeTheDueDate) {
  auto d = create_quarterly();
  DutyInput in;
  in.interval_count = 2;
  in.interval_unit = "weeks";
  in.owner = "";
  auto changed = duties().update(who("sara"), d.record.id, in);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->record.owner_username, "");
  EXPECT_EQ(changed->record.next_due, "2026-02-10");
  auto done = duties().complete(who("sara"), d.record.id, {"2026-01-30", "gjort", std::nullopt});
  EXPECT_EQ(done->record.next_due, "2026-02-13");
  DutyInput retire;
  retire.active = false;
  ASSERT_TRUE(duties().update(who("sara"), d.record.id, retire));
  EXPECT_EQ(duties().complete(who("sara"), d.record.id, {"2026-01-31", "x", std::nullopt}).error().code,
            ErrorCode::conflict);
  auto tx = inst_->db().begin(store::Access::read);
  auto rows = (*tx)->query("SELECT action FROM audit_events WHERE object_type = 'duty' AND object_id = ? ORDER BY seq",
                           {std::to_string(d.record.id)});
  std::vector<std::string> actions;
  for (const auto& r : *rows) actions.push_back(r.text(0));
  EXPECT_EQ(actions, (std::vector<std::string>{"duty.create", "duty.update", "duty.complete", "duty.update"}));
}

TEST_F(DutiesTest, RolesDecideWhoMayReadChangeAndComplete) {
  auto d = create_quarterly();
  DutyInput in;
  in.title = "x";
  EXPECT_EQ(duties().update(who("erik"), d.record.id, in).error().code, ErrorCode::forbidden);
  EXPECT_EQ(duties().update(who("anna"), d.record.id, in).error().code, ErrorCode::forbidden);
  EXPECT_EQ(duties().complete(who("anna"), d.record.id, {"2026-01-30", "x", std::nullopt}).error().code,
            ErrorCode::forbidden);
  Actor admin{"user:1", ActorKind::user, 1, "admin", {Role::admin}, std::nullopt, "local"};
  EXPECT_EQ(duties().list(admin, {}).error().code, ErrorCode::forbidden);
  EXPECT_EQ(duties().list(anonymous("192.0.2.9"), {}).error().code, ErrorCode::unauthenticated);
  EXPECT_TRUE(duties().get(who("anna"), d.record.id));
}

TEST_F(DutiesTest, CalendarFeedShowsTheHoldersDutiesUntilRevoked) {
  tillit::testing::run_sql(database_url_, (dir_ / "tillit.db").string(), "UPDATE users SET status = 'active'");
  auto d = create_quarterly("Test; med, specialtecken");
  auto token = duties().create_calendar_feed(who("erik"));
  ASSERT_TRUE(token) << token.error().message;
  auto ics = duties().calendar(*token);
  ASSERT_TRUE(ics) << ics.error().message;
  EXPECT_NE(ics->find("SUMMARY:Test\\; med\\, specialtecken\r\n"), std::string::npos) << *ics;
  EXPECT_NE(ics->find("DTSTART;VALUE=DATE:20260210\r\n"), std::string::npos);
  EXPECT_EQ(ics->find("Sårbarhetsskanning"), std::string::npos);  // seeded duties have no owner yet
  // Only the hash is stored.
  auto tx = inst_->db().begin(store::Access::read);
  auto stored = (*tx)->query("SELECT token_hash FROM calendar_feeds")->front().text(0);
  tx->reset();
  EXPECT_EQ(stored.find(*token), std::string::npos);
  EXPECT_EQ(stored, crypto::to_hex(crypto::sha256(*token)));
  // A new feed replaces the old URL; revoking ends it.
  auto second = duties().create_calendar_feed(who("erik"));
  EXPECT_EQ(duties().calendar(*token).error().code, ErrorCode::not_found);
  EXPECT_TRUE(duties().calendar(*second));
  EXPECT_TRUE(*duties().revoke_calendar_feed(who("erik")));
  EXPECT_EQ(duties().calendar(*second).error().code, ErrorCode::not_found);
  EXPECT_FALSE(*duties().revoke_calendar_feed(who("erik")));
  EXPECT_EQ(duties().calendar("").error().code, ErrorCode::not_found);
  EXPECT_EQ(duties().create_calendar_feed(local_operator()).error().code, ErrorCode::forbidden);
}

// Reminders go through the outbox to a real SMTP server on loopback and are read back.
TEST_F(DutiesTest, RemindersReachTheOwnerOncePerDueDateAndState) {
  if (!tillit::testing::SmtpTestServer::available()) GTEST_SKIP() << tillit::testing::SmtpTestServer::why_unavailable();
  tillit::testing::SmtpTestServer smtp;
  inst_.reset();
  std::ofstream(dir_ / "tillit.yaml", std::ios::app)
      << "smtp_host: 127.0.0.1\nsmtp_port: " << smtp.port() << "\nsmtp_from: tillit@supplier.example.se\n"
      << "smtp_ca_file: " << smtp.ca_file() << "\n";
  auto config = load_config(dir_, [](const char*) { return std::optional<std::string>(); });
  ASSERT_TRUE(config) << config.error().message;
  auto inst = Installation::open(*config);
  ASSERT_TRUE(inst) << inst.error().message;
  inst_ = std::move(*inst);
  auto owner = AccountService(*inst_).create(local_operator(), {"olle", "Olle Ägare", "olle@supplier.example.se", "business",
                                                                {Role::engineer}}, "");
  ASSERT_TRUE(owner) << owner.error().message;

  DutyInput in;
  in.title = "Återställningstest";
  in.title_en = "Restore test";
  in.interval_count = 6;
  in.interval_unit = "months";
  in.first_due = "2026-02-05";
  in.owner = "olle";
  auto due_soon = duties().create(who("sara"), in);
  ASSERT_TRUE(due_soon) << due_soon.error().message;
  in.title = "Riskbedömning";
  in.title_en = "Risk assessment";
  in.first_due = "2026-01-20";
  auto overdue = duties().create(who("sara"), in);
  ASSERT_TRUE(overdue);
  in.title = "Inte än";
  in.first_due = "2026-06-01";
  ASSERT_TRUE(duties().create(who("sara"), in));
  in.title = "Utan e-post";
  in.first_due = "2026-01-01";
  in.owner = "erik";  // no e-mail address: skipped
  ASSERT_TRUE(duties().create(who("sara"), in));

  EXPECT_EQ(duties().queue_reminders(who("erik")).error().code, ErrorCode::forbidden);
  auto queued = duties().queue_reminders(system_actor());
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(*queued, 1);
  EXPECT_EQ(*duties().queue_reminders(system_actor()), 0);  // nothing new to tell

  MailService mail(*inst_, [this] { return now_; });
  auto sent = mail.send_pending(system_actor());
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(sent->sent, 1);
  auto delivered = smtp.wait_for(1);
  ASSERT_EQ(delivered.size(), 1u);
  const auto& m = delivered.front();
  EXPECT_EQ(m.to, std::vector<std::string>{"olle@supplier.example.se"});
  EXPECT_TRUE(m.secure);
  EXPECT_NE(m.subject().find("1 overdue, 1 due soon"), std::string::npos) << m.subject();
  const std::string text = m.text();
  EXPECT_NE(text.find("2026-01-20 FÖRSENAD: Riskbedömning"), std::string::npos) << text;
  EXPECT_NE(text.find("2026-02-05: Återställningstest"), std::string::npos) << text;
  EXPECT_NE(text.find("2026-02-05: Restore test"), std::string::npos) << text;
  EXPECT_NE(text.find("/duties/" + std::to_string(overdue->record.id)), std::string::npos);
  EXPECT_EQ(text.find("Inte än"), std::string::npos);
  EXPECT_EQ(text.find("Utan e-post"), std::string::npos);

  // The due-soon duty becomes overdue: told once more, and only about that.
  now_ = parse_rfc3339("2026-02-06T07:00:00Z").value();
  EXPECT_EQ(*duties().queue_reminders(system_actor()), 1);
  ASSERT_EQ(mail.send_pending(system_actor())->sent, 1);
  delivered = smtp.wait_for(2);
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_NE(delivered[1].subject().find("1 overdue, 0 due soon"), std::string::npos) << delivered[1].subject();
  EXPECT_EQ(delivered[1].text().find("Riskbedömning"), std::string::npos);
  // Completing it moves the due date; nothing to remind of.
  ASSERT_TRUE(duties().complete(who("erik"), due_soon->record.id, {"2026-02-06", "Återställt och kontrollerat", std::nullopt}));
  EXPECT_EQ(*duties().queue_reminders(system_actor()), 0);
}
