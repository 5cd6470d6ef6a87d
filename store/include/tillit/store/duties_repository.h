// Recurring duties, their completions and the personal calendar feeds (migration 7). Runs
// inside the caller's transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

struct DutyRecord {
  std::int64_t id = 0;
  std::string catalog_duty;  // "annex:restore-test"; "" for a user's own duty
  std::string title, title_en, description;
  std::string requirement;  // "annex:K22"; "" for none
  std::optional<std::int64_t> owner_id;
  std::string owner_username;  // read only: joined from users
  std::int64_t interval_count = 1;
  std::string interval_unit;
  std::string first_due, last_completed, next_due;  // YYYY-MM-DD; last_completed "" when never
  bool active = true;
  std::string reminded_due, reminded_state;
  std::string created_at, created_by, updated_at, updated_by;
};

struct DutyFilter {
  std::optional<std::int64_t> owner_id;
  std::string due_before;        // YYYY-MM-DD: only duties due before this day; "" for any
  std::string due_on_or_before;  // YYYY-MM-DD: only duties due on or before this day; "" for any
  bool include_inactive = false;
  std::string requirement;  // exact "CATALOG:ID"; "" for any
};

// Soonest due first, then id.
Status for_each_duty(Transaction& tx, const DutyFilter& filter, const std::function<bool(const DutyRecord&)>& on_duty);
Result<std::int64_t> count_duties(Transaction& tx, const DutyFilter& filter);
Result<std::optional<DutyRecord>> find_duty(Transaction& tx, std::int64_t id);
Result<std::vector<std::string>> catalog_duty_keys(Transaction& tx);
Result<std::int64_t> insert_duty(Transaction& tx, const DutyRecord& d);
// Writes every field but id, catalog_duty and the creation fields.
Status update_duty(Transaction& tx, const DutyRecord& d);

struct DutyCompletionRecord {
  std::int64_t id = 0, duty_id = 0;
  std::string completed_on, note;
  std::optional<std::int64_t> evidence_id;
  std::string recorded_at, recorded_by;
};
Result<std::int64_t> insert_duty_completion(Transaction& tx, const DutyCompletionRecord& c);
// Newest completion first.
Result<std::vector<DutyCompletionRecord>> duty_completions(Transaction& tx, std::int64_t duty_id);
// The latest completed_on of a duty; "" when never completed.
Result<std::string> latest_completion(Transaction& tx, std::int64_t duty_id);
Result<bool> evidence_exists(Transaction& tx, std::int64_t evidence_id);

// Personal calendar feeds: one token per person, stored as its SHA-256 (hex).
Status replace_calendar_feed(Transaction& tx, std::int64_t user_id, const std::string& token_hash,
                             const std::string& created_at);
// True when a feed existed.
Result<bool> delete_calendar_feed(Transaction& tx, std::int64_t user_id);
// The feed's owner and when it was made, if any.
Result<std::optional<std::int64_t>> calendar_feed_user(Transaction& tx, const std::string& token_hash);
Result<std::string> calendar_feed_created_at(Transaction& tx, std::int64_t user_id);

}  // namespace tillit::store
