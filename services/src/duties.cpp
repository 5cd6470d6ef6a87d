// DutiesService: recurring duties, their completions and the personal calendar feed.
#include "tillit/services/duties.h"

#include <algorithm>
#include <map>

#include "identity_support.h"
#include "tillit/content/catalog_loader.h"
#include "tillit/core/icalendar.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/catalog_service.h"
#include "tillit/services/mail.h"
#include "tillit/store/identity_repository.h"

namespace tillit::services {
namespace {

using nlohmann::json;

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string not_found(std::int64_t id) {
  return "no duty with id " + std::to_string(id) + "; list them with GET /api/v1/duties or tillit duties list";
}

Status check_text(const std::string& text, const char* field, std::size_t max, bool required) {
  const bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  if ((required && blank) || text.size() > max)
    return make_error(ErrorCode::invalid_argument, std::string(field) + ": give " + (required ? "1" : "0") + "-" +
                                                       std::to_string(max) + " characters");
  return {};
}

std::string feed_hash(std::string_view token) { return crypto::to_hex(crypto::sha256(token)); }

// Recomputes next_due from the interval, the first due date and the last completion.
void schedule(store::DutyRecord& d) {
  const auto interval = make_interval(d.interval_count, d.interval_unit).value();
  const auto first = parse_date(d.first_due, "first_due").value();
  std::optional<CalendarDate> last;
  if (!d.last_completed.empty()) last = parse_date(d.last_completed, "last_completed").value();
  d.next_due = format_date(next_due(interval, first, last));
}

json snapshot(const store::DutyRecord& d) {
  return {{"title", d.title},
          {"title_en", d.title_en},
          {"description", d.description},
          {"requirement", opt(d.requirement)},
          {"owner", opt(d.owner_username)},
          {"interval", std::to_string(d.interval_count) + " " + d.interval_unit},
          {"first_due", d.first_due},
          {"next_due", d.next_due},
          {"active", d.active}};
}

// The changed fields as {field: {before, after}}.
json changes_between(const json& before, const json& after) {
  json changes = json::object();
  for (auto it = after.begin(); it != after.end(); ++it)
    if (before.value(it.key(), json()) != it.value()) changes[it.key()] = {{"before", before[it.key()]}, {"after", it.value()}};
  return changes;
}

}  // namespace

json to_json(const DutyView& v, bool detail) {
  const auto& d = v.record;
  json j = {{"id", d.id},
            {"catalog_duty", opt(d.catalog_duty)},
            {"title", d.title},
            {"title_en", d.title_en.empty() ? d.title : d.title_en},
            {"description", d.description},
            {"requirement", opt(d.requirement)},
            {"owner", opt(d.owner_username)},
            {"interval", {{"count", d.interval_count}, {"unit", d.interval_unit}}},
            {"interval_iso8601", to_iso8601(make_interval(d.interval_count, d.interval_unit).value())},
            {"first_due", d.first_due},
            {"last_completed", opt(d.last_completed)},
            {"next_due", d.next_due},
            {"state", d.active ? to_string(v.state) : "inactive"},
            {"active", d.active},
            {"updated_at", d.updated_at},
            {"updated_by", d.updated_by}};
  if (detail) {
    json completions = json::array();
    for (const auto& c : v.completions)
      completions.push_back({{"id", c.id},
                             {"completed_on", c.completed_on},
                             {"note", c.note},
                             {"evidence_id", c.evidence_id ? json(*c.evidence_id) : json(nullptr)},
                             {"recorded_at", c.recorded_at},
                             {"recorded_by", c.recorded_by}});
    j["completions"] = completions;
  }
  return j;
}

DutiesService::DutiesService(Installation& inst, TimeSource clock, int soon_days)
    : inst_(inst), clock_(std::move(clock)), soon_days_(soon_days) {}

Result<std::string> DutiesService::check_requirement(const Actor& actor, const std::string& reference) const {
  if (reference.empty()) return std::string();
  auto found = CatalogService(inst_).find_requirement(actor, reference);
  if (!found) {
    if (found.error().code == ErrorCode::forbidden || found.error().code == ErrorCode::unauthenticated)
      return found.error();
    return make_error(ErrorCode::invalid_argument, "requirement: " + found.error().message);
  }
  return found->entry.catalog.id + ":" + found->requirement.id;
}

Result<std::int64_t> DutiesService::ensure_catalog_duties(const Actor& actor) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  const auto& catalogs = content::builtin_catalogs();
  std::size_t expected = 0;
  for (const auto& c : catalogs)
    for (const auto& r : c.requirements) expected += r.duties.size();
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto keys = store::catalog_duty_keys(**tx);
    if (!keys) return keys.error();
    if (keys->size() >= expected) return std::int64_t{0};
  }
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  // Two servers may seed at once: the lock makes the second see the first one's rows.
  if (auto s = (*tx)->lock("duties.seed"); !s) return s.error();
  auto keys = store::catalog_duty_keys(**tx);
  if (!keys) return keys.error();
  const Timestamp now = clock_();
  const std::string at = format_rfc3339(now);
  const CalendarDate today = calendar_date_of(now);
  json added = json::array();
  for (const auto& c : catalogs)
    for (const auto& r : c.requirements)
      for (const auto& duty : r.duties) {
        const std::string key = c.id + ":" + duty.id;
        if (std::find(keys->begin(), keys->end(), key) != keys->end()) continue;
        auto interval = interval_from_period(duty.every);
        if (!interval) continue;  // a catalogue period with no single unit: not schedulable
        store::DutyRecord d;
        d.catalog_duty = key;
        d.title = duty.title.sv.empty() ? duty.title.en : duty.title.sv;
        d.title_en = duty.title.en;
        d.requirement = c.id + ":" + r.id;
        d.interval_count = interval->count;
        d.interval_unit = to_string(interval->unit);
        d.first_due = format_date(add_interval(today, *interval));
        schedule(d);
        d.created_at = d.updated_at = at;
        d.created_by = d.updated_by = actor.id;
        auto id = store::insert_duty(**tx, d);
        if (!id) return id.error();
        added.push_back({{"id", *id}, {"catalog_duty", key}});
      }
  if (added.empty()) return std::int64_t{0};
  if (auto e = inst_.record(**tx, actor, "duty.seed", "duty", "", {{"added", added}}); !e) return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return static_cast<std::int64_t>(added.size());
}

Result<std::vector<DutyView>> DutiesService::list(const Actor& actor, const DutyQuery& q) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  if (auto seeded = ensure_catalog_duties(actor); !seeded) return seeded.error();
  const CalendarDate today = calendar_date_of(clock_());
  store::DutyFilter filter;
  filter.include_inactive = q.include_inactive;
  filter.requirement = q.requirement;
  if (q.overdue) filter.due_before = format_date(today);
  if (q.due_soon)
    filter.due_on_or_before = format_date(CalendarDate{std::chrono::sys_days{today} + std::chrono::days{soon_days_}});
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  if (!q.owner.empty()) {
    auto owner = store::find_user(**tx, q.owner);
    if (!owner) return owner.error();
    if (!*owner) return make_error(ErrorCode::invalid_argument, "owner: no account named '" + q.owner + "'");
    filter.owner_id = (*owner)->id;
  }
  std::vector<DutyView> out;
  auto s = store::for_each_duty(**tx, filter, [&](const store::DutyRecord& d) {
    out.push_back({d, duty_state(parse_date(d.next_due, "next_due").value(), today, soon_days_), {}});
    return true;
  });
  if (!s) return s.error();
  return out;
}

Result<DutyView> DutiesService::get(const Actor& actor, std::int64_t id) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto d = store::find_duty(**tx, id);
  if (!d) return d.error();
  if (!*d) return make_error(ErrorCode::not_found, not_found(id));
  auto completions = store::duty_completions(**tx, id);
  if (!completions) return completions.error();
  const auto state = duty_state(parse_date((*d)->next_due, "next_due").value(), calendar_date_of(clock_()), soon_days_);
  return DutyView{**d, state, std::move(*completions)};
}

Result<DutyCounts> DutiesService::counts(const Actor& actor) {
  auto all = list(actor, {});
  if (!all) return all.error();
  DutyCounts c;
  for (const auto& d : *all) {
    ++c.active;
    if (d.state == DutyState::overdue) ++c.overdue;
    if (d.state == DutyState::due_soon) ++c.due_soon;
  }
  return c;
}

Result<DutyView> DutiesService::create(const Actor& actor, const DutyInput& in) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  if (!in.title) return make_error(ErrorCode::invalid_argument, "title: give the duty a title (1-300 characters)");
  if (!in.interval_count || !in.interval_unit)
    return make_error(ErrorCode::invalid_argument,
                      std::string(!in.interval_count ? "interval_count" : "interval_unit") +
                          ": give how often the duty recurs (interval_count 1-1000, interval_unit days, weeks, months "
                          "or years)");
  if (!in.first_due)
    return make_error(ErrorCode::invalid_argument, "first_due: give the date the duty is first due (YYYY-MM-DD)");
  return update(actor, 0, in);
}

// create (id 0) and update share the checks: everything is validated before the write.
Result<DutyView> DutiesService::update(const Actor& actor, std::int64_t id, const DutyInput& in) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  if (in.title)
    if (auto s = check_text(*in.title, "title", 300, true); !s) return s.error();
  if (in.title_en)
    if (auto s = check_text(*in.title_en, "title_en", 300, false); !s) return s.error();
  if (in.description)
    if (auto s = check_text(*in.description, "description", 4000, false); !s) return s.error();
  if (in.interval_count)
    if (auto i = make_interval(*in.interval_count, "days"); !i) return i.error();
  if (in.interval_unit)
    if (auto i = make_interval(1, *in.interval_unit); !i) return i.error();
  if (in.first_due)
    if (auto d = parse_date(*in.first_due, "first_due"); !d) return d.error();
  std::string requirement;
  if (in.requirement) {
    auto r = check_requirement(actor, *in.requirement);
    if (!r) return r.error();
    requirement = *r;
  }
  const std::string at = format_rfc3339(clock_());
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  store::DutyRecord d;
  if (id != 0) {
    auto found = store::find_duty(**tx, id);
    if (!found) return found.error();
    if (!*found) return make_error(ErrorCode::not_found, not_found(id));
    d = **found;
  } else {
    d.created_at = at;
    d.created_by = actor.id;
  }
  const json before = id != 0 ? snapshot(d) : json::object();
  if (in.title) d.title = *in.title;
  if (in.title_en) d.title_en = *in.title_en;
  if (in.description) d.description = *in.description;
  if (in.requirement) d.requirement = requirement;
  if (in.interval_count) d.interval_count = *in.interval_count;
  if (in.interval_unit) d.interval_unit = *in.interval_unit;
  if (in.first_due) d.first_due = *in.first_due;
  if (in.active) d.active = *in.active;
  if (in.owner) {
    if (in.owner->empty()) {
      d.owner_id.reset();
      d.owner_username.clear();
    } else {
      auto owner = store::find_user(**tx, *in.owner);
      if (!owner) return owner.error();
      if (!*owner || (*owner)->status == "deleted" || (*owner)->status == "disabled" || (*owner)->kind != "business")
        return make_error(ErrorCode::invalid_argument,
                          "owner: '" + *in.owner + "' is not an active business account; name a person who does the work");
      d.owner_id = (*owner)->id;
      d.owner_username = (*owner)->username;
    }
  }
  schedule(d);
  d.updated_at = at;
  d.updated_by = actor.id;
  const json after = snapshot(d);
  if (id == 0) {
    auto new_id = store::insert_duty(**tx, d);
    if (!new_id) return new_id.error();
    id = *new_id;
    if (auto e = inst_.record(**tx, actor, "duty.create", "duty", std::to_string(id), after); !e) return e.error();
  } else {
    const json changes = changes_between(before, after);
    if (changes.empty()) return get(actor, id);
    if (auto s = store::update_duty(**tx, d); !s) return s.error();
    if (auto e = inst_.record(**tx, actor, "duty.update", "duty", std::to_string(id), changes); !e) return e.error();
  }
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<DutyView> DutiesService::complete(const Actor& actor, std::int64_t id, const CompletionInput& in) {
  if (auto s = authorize(actor, Permission::evidence_upload); !s) return s.error();
  auto on = parse_date(in.completed_on, "completed_on");
  if (!on) return on.error();
  const Timestamp now = clock_();
  if (std::chrono::sys_days{*on} > std::chrono::sys_days{calendar_date_of(now)})
    return make_error(ErrorCode::invalid_argument, "completed_on: " + in.completed_on + " is in the future; give the day it was done");
  if (auto s = check_text(in.note, "note", 4000, true); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto found = store::find_duty(**tx, id);
  if (!found) return found.error();
  if (!*found) return make_error(ErrorCode::not_found, not_found(id));
  auto d = **found;
  if (!d.active) return make_error(ErrorCode::conflict, "duty " + std::to_string(id) + " is retired; reactivate it first");
  if (in.evidence_id) {
    auto exists = store::evidence_exists(**tx, *in.evidence_id);
    if (!exists) return exists.error();
    if (!*exists)
      return make_error(ErrorCode::invalid_argument,
                        "evidence_id: no evidence with id " + std::to_string(*in.evidence_id) + "; upload it first");
  }
  const std::string at = format_rfc3339(now);
  auto completion = store::insert_duty_completion(**tx, {0, id, in.completed_on, in.note, in.evidence_id, at, actor.id});
  if (!completion) return completion.error();
  const std::string due_before = d.next_due;
  // A completion recorded late for an earlier day does not move the schedule back.
  auto latest = store::latest_completion(**tx, id);
  if (!latest) return latest.error();
  d.last_completed = *latest;
  schedule(d);
  d.updated_at = at;
  d.updated_by = actor.id;
  if (auto s = store::update_duty(**tx, d); !s) return s.error();
  if (auto e = inst_.record(**tx, actor, "duty.complete", "duty", std::to_string(id),
                            {{"completion_id", *completion},
                             {"completed_on", in.completed_on},
                             {"note", in.note},
                             {"evidence_id", in.evidence_id ? json(*in.evidence_id) : json(nullptr)},
                             {"next_due", {{"before", due_before}, {"after", d.next_due}}}});
      !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<std::string> DutiesService::create_calendar_feed(const Actor& actor) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  if (actor.kind != ActorKind::user)
    return make_error(ErrorCode::forbidden, "a calendar feed belongs to a signed-in person; create it from your account page");
  const std::string token = identity::random_token();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto s = store::replace_calendar_feed(**tx, actor.user_id, feed_hash(token), format_rfc3339(clock_())); !s)
    return s.error();
  if (auto e = inst_.record(**tx, actor, "calendar_feed.create", "user", std::to_string(actor.user_id), json::object()); !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return token;
}

Result<bool> DutiesService::revoke_calendar_feed(const Actor& actor) {
  if (actor.kind != ActorKind::user)
    return make_error(ErrorCode::forbidden, "a calendar feed belongs to a signed-in person; revoke it from your account page");
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto existed = store::delete_calendar_feed(**tx, actor.user_id);
  if (!existed) return existed.error();
  if (!*existed) return false;
  if (auto e = inst_.record(**tx, actor, "calendar_feed.revoke", "user", std::to_string(actor.user_id), json::object()); !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return true;
}

Result<std::string> DutiesService::calendar_feed_created_at(const Actor& actor) {
  if (actor.kind != ActorKind::user) return std::string();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  return store::calendar_feed_created_at(**tx, actor.user_id);
}

Result<std::string> DutiesService::calendar(const std::string& token) {
  const auto unknown = make_error(ErrorCode::not_found, "no such calendar feed; create a new feed URL on your account page");
  if (token.empty() || token.size() > 128) return unknown;
  Actor holder;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto user_id = store::calendar_feed_user(**tx, feed_hash(token));
    if (!user_id) return user_id.error();
    if (!*user_id) return unknown;
    auto user = store::find_user_by_id(**tx, **user_id);
    if (!user) return user.error();
    if (!*user || (*user)->status != "active") return unknown;
    auto actor = identity::actor_for(**tx, **user, "calendar");
    if (!actor) return actor.error();
    holder = *actor;
  }
  // The feed shows what its holder may read now: a role removed since stops the feed.
  if (!authorize(holder, Permission::compliance_read)) return unknown;
  DutyQuery own;
  own.owner = holder.username;
  auto duties = list(holder, own);
  if (!duties) return duties.error();
  const std::string base = inst_.config().base_url();
  std::string host = base.substr(base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
  std::vector<CalendarEvent> events;
  for (const auto& v : *duties) {
    const auto& d = v.record;
    std::string description = d.description;
    if (!d.requirement.empty()) description += (description.empty() ? "" : "\n") + std::string("Krav / requirement: ") + d.requirement;
    description += (description.empty() ? "" : "\n") + std::string("Intervall / interval: ") +
                   to_iso8601(make_interval(d.interval_count, d.interval_unit).value());
    events.push_back({"duty-" + std::to_string(d.id) + "-" + d.next_due + "@" + host, parse_date(d.next_due, "next_due").value(),
                      (v.state == DutyState::overdue ? "FÖRSENAD / OVERDUE: " : "") + d.title, description,
                      base + "/duties/" + std::to_string(d.id)});
  }
  return write_icalendar("-//Tillit//Duties//SV", "Tillit: " + holder.username, events, clock_());
}

Result<std::int64_t> DutiesService::queue_reminders(const Actor& actor) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  if (auto seeded = ensure_catalog_duties(actor); !seeded) return seeded.error();
  const Timestamp now = clock_();
  const CalendarDate today = calendar_date_of(now);
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  // Two servers running the job at once must not both send: the second waits, then sees the
  // first one's bookkeeping.
  if (auto s = (*tx)->lock("duties.remind"); !s) return s.error();
  store::DutyFilter filter;
  filter.due_on_or_before = format_date(CalendarDate{std::chrono::sys_days{today} + std::chrono::days{soon_days_}});
  std::map<std::int64_t, std::vector<std::pair<store::DutyRecord, DutyState>>> by_owner;
  auto s = store::for_each_duty(**tx, filter, [&](const store::DutyRecord& d) {
    if (!d.owner_id) return true;
    const auto state = duty_state(parse_date(d.next_due, "next_due").value(), today, soon_days_);
    if (d.reminded_due == d.next_due && d.reminded_state == to_string(state)) return true;
    by_owner[*d.owner_id].emplace_back(d, state);
    return true;
  });
  if (!s) return s.error();
  const std::string base = inst_.config().base_url();
  std::int64_t queued = 0;
  for (auto& [owner_id, duties] : by_owner) {
    auto owner = store::find_user_by_id(**tx, owner_id);
    if (!owner) return owner.error();
    if (!*owner || (*owner)->email.empty() || (*owner)->status == "deleted" || (*owner)->status == "disabled") continue;
    std::int64_t overdue = 0;
    std::string sv, en;
    for (const auto& [d, state] : duties) {
      const bool late = state == DutyState::overdue;
      overdue += late ? 1 : 0;
      const std::string link = base + "/duties/" + std::to_string(d.id);
      sv += "- " + d.next_due + (late ? " FÖRSENAD: " : ": ") + d.title + "\n  " + link + "\n";
      en += "- " + d.next_due + (late ? " OVERDUE: " : ": ") + (d.title_en.empty() ? d.title : d.title_en) + "\n  " +
            link + "\n";
    }
    const auto soon = static_cast<std::int64_t>(duties.size()) - overdue;
    services::OutgoingMail mail;
    mail.to = {(*owner)->email};
    mail.subject = "Tillit: " + std::to_string(overdue) + " försenade, " + std::to_string(soon) +
                   " snart förfallna uppgifter / " + std::to_string(overdue) + " overdue, " + std::to_string(soon) +
                   " due soon";
    mail.body = "Hej " + (*owner)->display_name + ",\n\nDessa återkommande uppgifter som du ansvarar för är försenade "
                "eller förfaller inom " + std::to_string(soon_days_) + " dagar:\n\n" + sv +
                "\nRegistrera utförandet på uppgiftens sida när den är gjord.\n\n---\n\nThese recurring duties you own "
                "are overdue or due within " + std::to_string(soon_days_) + " days:\n\n" + en +
                "\nRecord the completion on the duty's page once it is done.\n";
    mail.purpose = "duty.reminder";
    mail.object_type = "user";
    mail.object_id = std::to_string(owner_id);
    if (auto id = queue_mail(**tx, inst_, actor, mail, now); !id) return id.error();
    for (auto& [d, state] : duties) {
      d.reminded_due = d.next_due;
      d.reminded_state = to_string(state);
      if (auto u = store::update_duty(**tx, d); !u) return u.error();
    }
    ++queued;
  }
  if (queued == 0) return std::int64_t{0};
  if (auto s2 = (*tx)->commit(); !s2) return s2.error();
  return queued;
}

}  // namespace tillit::services
