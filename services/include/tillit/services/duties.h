// Recurring duties (annex req. 7, 10, 14, 18, 19, 21, 22, 37, 40, 46, 49, 52, 54, ...): what
// must be done again and again, by whom, and when it is next due.
//
// The built-in catalogues' duties are seeded as rows once (ensure_catalog_duties; idempotent,
// run by list and the reminder job), each linked to its requirement, so they can be given an
// owner and completed; users add their own. The due date is core's (core/duty_schedule.h):
// one interval after the latest completion, or the first due date when never completed.
// Reading needs compliance_read, creating and changing duties compliance_manage, recording a
// completion evidence_upload. Every change is one transaction with its audit event; bad input
// changes nothing and the error names the field.
//
// Calendar feed: each person may hold one secret URL (/calendar/<token>.ics) that answers with
// their duties' due dates as all-day events; only the token's SHA-256 is stored, the URL is
// shown once, and revoking or re-creating it makes the old URL worthless at once.
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/core/duty_schedule.h"
#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/duties_repository.h"

namespace tillit::services {

struct DutyView {
  store::DutyRecord record;
  DutyState state = DutyState::upcoming;
  std::vector<store::DutyCompletionRecord> completions;  // filled by get, newest first
};
// `detail`: the completions as well.
nlohmann::json to_json(const DutyView& d, bool detail);

struct DutyQuery {
  std::string owner;        // a user name; "" for anyone
  bool overdue = false;     // only overdue duties
  bool due_soon = false;    // only duties due within the window (overdue ones included)
  bool include_inactive = false;
  std::string requirement;  // "CATALOG:ID"; "" for any
};

// Fields of a duty. create: title, interval and first_due are required. update: only the
// fields given change; owner "" removes the owner.
struct DutyInput {
  std::optional<std::string> title, title_en, description, requirement, owner, interval_unit, first_due;
  std::optional<long long> interval_count;
  std::optional<bool> active;
};

struct CompletionInput {
  std::string completed_on;  // YYYY-MM-DD, not in the future
  std::string note;          // what was done (1-4000 characters)
  std::optional<std::int64_t> evidence_id;
};

struct DutyCounts {
  std::int64_t active = 0, overdue = 0, due_soon = 0;  // due_soon excludes overdue
};

class DutiesService {
 public:
  explicit DutiesService(Installation& inst, TimeSource clock = now_utc, int soon_days = kDueSoonDays);

  Result<std::vector<DutyView>> list(const Actor& actor, const DutyQuery& query);
  Result<DutyView> get(const Actor& actor, std::int64_t id);
  Result<DutyCounts> counts(const Actor& actor);
  Result<DutyView> create(const Actor& actor, const DutyInput& input);
  Result<DutyView> update(const Actor& actor, std::int64_t id, const DutyInput& input);
  Result<DutyView> complete(const Actor& actor, std::int64_t id, const CompletionInput& input);

  // Adds the built-in catalogues' duties not yet in the database (first due one interval from
  // today, no owner). Returns how many were added; 0 once done.
  Result<std::int64_t> ensure_catalog_duties(const Actor& actor);

  // The signed-in person's calendar feed. create replaces any earlier one and returns the new
  // token (shown once); revoke returns false when there was none.
  Result<std::string> create_calendar_feed(const Actor& actor);
  Result<bool> revoke_calendar_feed(const Actor& actor);
  // When the person's feed was made; "" when they have none.
  Result<std::string> calendar_feed_created_at(const Actor& actor);
  // The iCalendar document for a feed token: the holder's active duties. not_found for an
  // unknown or revoked token, or a holder who may no longer read duties.
  Result<std::string> calendar(const std::string& token);

  // Queues one e-mail (services/mail.h) per owner with the active duties that are overdue or
  // due within the window and that the owner has not yet been told about in that state for
  // that due date: each duty is mentioned once as due soon and once as overdue per due date.
  // Owners without an e-mail address are skipped (and told about later, once they have one).
  // The mail and the bookkeeping are one transaction. Returns the number of e-mails queued.
  // The scheduled job "duty-reminders" runs it every hour. Needs compliance_manage.
  Result<std::int64_t> queue_reminders(const Actor& actor);

 private:
  Result<std::string> check_requirement(const Actor& actor, const std::string& reference) const;
  Installation& inst_;
  TimeSource clock_;
  int soon_days_;
};

}  // namespace tillit::services
