#include "tillit/store/duties_repository.h"

namespace tillit::store {
namespace {

constexpr const char* kDutyColumns =
    "d.id, d.catalog_duty, d.title, d.title_en, d.description, d.requirement, d.owner_id, u.username, "
    "d.interval_count, d.interval_unit, d.first_due, d.last_completed, d.next_due, d.active, d.reminded_due, "
    "d.reminded_state, d.created_at, d.created_by, d.updated_at, d.updated_by";

DutyRecord duty_of(const Row& r) {
  DutyRecord d;
  d.id = r.integer(0);
  d.catalog_duty = r.text(1);
  d.title = r.text(2);
  d.title_en = r.text(3);
  d.description = r.text(4);
  d.requirement = r.text(5);
  d.owner_id = r.optional_integer(6);
  d.owner_username = r.text(7);
  d.interval_count = r.integer(8);
  d.interval_unit = r.text(9);
  d.first_due = r.text(10);
  d.last_completed = r.text(11);
  d.next_due = r.text(12);
  d.active = r.integer(13) != 0;
  d.reminded_due = r.text(14);
  d.reminded_state = r.text(15);
  d.created_at = r.text(16);
  d.created_by = r.text(17);
  d.updated_at = r.text(18);
  d.updated_by = r.text(19);
  return d;
}

// Only the conditions asked for, so neither engine infers the type of an unused parameter.
std::string where(const DutyFilter& f, Params& params) {
  std::string sql = f.include_inactive ? " WHERE 1 = 1" : " WHERE d.active = 1";
  if (f.owner_id) {
    sql += " AND d.owner_id = ?";
    params.emplace_back(*f.owner_id);
  }
  // YYYY-MM-DD sorts as text in date order.
  if (!f.due_before.empty()) {
    sql += " AND d.next_due < ?";
    params.emplace_back(f.due_before);
  }
  if (!f.due_on_or_before.empty()) {
    sql += " AND d.next_due <= ?";
    params.emplace_back(f.due_on_or_before);
  }
  if (!f.requirement.empty()) {
    sql += " AND d.requirement = ?";
    params.emplace_back(f.requirement);
  }
  return sql;
}

constexpr const char* kFrom = " FROM duties d LEFT JOIN users u ON u.id = d.owner_id";

}  // namespace

Status for_each_duty(Transaction& tx, const DutyFilter& filter, const std::function<bool(const DutyRecord&)>& on_duty) {
  Params params;
  const std::string sql = std::string("SELECT ") + kDutyColumns + kFrom + where(filter, params) + " ORDER BY d.next_due, d.id";
  return tx.for_each(sql, params, [&](const Row& r) { return on_duty(duty_of(r)); });
}

Result<std::int64_t> count_duties(Transaction& tx, const DutyFilter& filter) {
  Params params;
  auto rows = tx.query(std::string("SELECT COUNT(*)") + kFrom + where(filter, params), params);
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::optional<DutyRecord>> find_duty(Transaction& tx, std::int64_t id) {
  auto rows = tx.query(std::string("SELECT ") + kDutyColumns + kFrom + " WHERE d.id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<DutyRecord>{};
  return std::optional<DutyRecord>{duty_of(rows->front())};
}

Result<std::vector<std::string>> catalog_duty_keys(Transaction& tx) {
  auto rows = tx.query("SELECT catalog_duty FROM duties WHERE catalog_duty IS NOT NULL");
  if (!rows) return rows.error();
  std::vector<std::string> keys;
  for (const auto& r : *rows) keys.push_back(r.text(0));
  return keys;
}

Result<std::int64_t> insert_duty(Transaction& tx, const DutyRecord& d) {
  auto rows = tx.query(
      "INSERT INTO duties (catalog_duty, title, title_en, description, requirement, owner_id, interval_count, "
      "interval_unit, first_due, last_completed, next_due, active, created_at, created_by, updated_at, updated_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {nullable(d.catalog_duty), d.title, d.title_en, d.description, nullable(d.requirement), nullable(d.owner_id),
       d.interval_count, d.interval_unit, d.first_due, nullable(d.last_completed), d.next_due,
       std::int64_t{d.active ? 1 : 0}, d.created_at, d.created_by, d.updated_at, d.updated_by});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Status update_duty(Transaction& tx, const DutyRecord& d) {
  return tx.exec(
      "UPDATE duties SET title = ?, title_en = ?, description = ?, requirement = ?, owner_id = ?, interval_count = ?, "
      "interval_unit = ?, first_due = ?, last_completed = ?, next_due = ?, active = ?, reminded_due = ?, "
      "reminded_state = ?, updated_at = ?, updated_by = ? WHERE id = ?",
      {d.title, d.title_en, d.description, nullable(d.requirement), nullable(d.owner_id), d.interval_count,
       d.interval_unit, d.first_due, nullable(d.last_completed), d.next_due, std::int64_t{d.active ? 1 : 0},
       nullable(d.reminded_due), nullable(d.reminded_state), d.updated_at, d.updated_by, d.id});
}

Result<std::int64_t> insert_duty_completion(Transaction& tx, const DutyCompletionRecord& c) {
  auto rows = tx.query(
      "INSERT INTO duty_completions (duty_id, completed_on, note, evidence_id, recorded_at, recorded_by) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {c.duty_id, c.completed_on, c.note, nullable(c.evidence_id), c.recorded_at, c.recorded_by});
  if (!rows) return rows.error();
  return rows->front().integer(0);
}

Result<std::vector<DutyCompletionRecord>> duty_completions(Transaction& tx, std::int64_t duty_id) {
  auto rows = tx.query(
      "SELECT id, duty_id, completed_on, note, evidence_id, recorded_at, recorded_by FROM duty_completions "
      "WHERE duty_id = ? ORDER BY completed_on DESC, id DESC",
      {duty_id});
  if (!rows) return rows.error();
  std::vector<DutyCompletionRecord> out;
  for (const auto& r : *rows)
    out.push_back({r.integer(0), r.integer(1), r.text(2), r.text(3), r.optional_integer(4), r.text(5), r.text(6)});
  return out;
}

Result<std::string> latest_completion(Transaction& tx, std::int64_t duty_id) {
  auto rows = tx.query("SELECT MAX(completed_on) FROM duty_completions WHERE duty_id = ?", {duty_id});
  if (!rows) return rows.error();
  return rows->empty() ? std::string() : rows->front().text(0);
}

Result<bool> evidence_exists(Transaction& tx, std::int64_t evidence_id) {
  auto rows = tx.query("SELECT 1 FROM evidence WHERE id = ?", {evidence_id});
  if (!rows) return rows.error();
  return !rows->empty();
}

Status replace_calendar_feed(Transaction& tx, std::int64_t user_id, const std::string& token_hash,
                             const std::string& created_at) {
  if (auto s = tx.exec("DELETE FROM calendar_feeds WHERE user_id = ?", {user_id}); !s) return s;
  return tx.exec("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)",
                 {user_id, token_hash, created_at});
}

Result<bool> delete_calendar_feed(Transaction& tx, std::int64_t user_id) {
  auto rows = tx.query("DELETE FROM calendar_feeds WHERE user_id = ? RETURNING user_id", {user_id});
  if (!rows) return rows.error();
  return !rows->empty();
}

Result<std::optional<std::int64_t>> calendar_feed_user(Transaction& tx, const std::string& token_hash) {
  auto rows = tx.query("SELECT user_id FROM calendar_feeds WHERE token_hash = ?", {token_hash});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{rows->front().integer(0)};
}

Result<std::string> calendar_feed_created_at(Transaction& tx, std::int64_t user_id) {
  auto rows = tx.query("SELECT created_at FROM calendar_feeds WHERE user_id = ?", {user_id});
  if (!rows) return rows.error();
  return rows->empty() ? std::string() : rows->front().text(0);
}

}  // namespace tillit::store
