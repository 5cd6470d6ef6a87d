#include "tillit/services/patches.h"

#include <algorithm>

#include "tillit/render/csv.h"

namespace tillit::services {
namespace {

using nlohmann::json;
constexpr std::size_t kMaxText = 200;
constexpr std::size_t kMaxNote = 4000;

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string not_found(std::int64_t id) {
  return "no patch with id " + std::to_string(id) + "; list them with GET /api/v1/patches or tillit patches list";
}

Status check_text(const std::string& value, const char* field, std::size_t max, bool required) {
  if (required && value.find_first_not_of(" \t") == std::string::npos)
    return make_error(ErrorCode::invalid_argument, std::string(field) + ": required");
  if (value.size() > max)
    return make_error(ErrorCode::invalid_argument, std::string(field) + ": at most " + std::to_string(max) + " characters");
  for (unsigned char c : value)
    if (c < 0x20 && !(max == kMaxNote && (c == '\n' || c == '\r' || c == '\t')))
      return make_error(ErrorCode::invalid_argument, std::string(field) + ": control characters are not allowed");
  return {};
}

std::optional<CalendarDate> date_or_none(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = parse_date(text, "date");
  return d ? std::optional<CalendarDate>(*d) : std::nullopt;
}

// Every rule a record must keep, whether new or updated.
Status validate(store::PatchRecord& p, CalendarDate today) {
  if (auto s = check_text(p.asset, "asset", kMaxText, true); !s) return s;
  if (auto s = check_text(p.product, "product", kMaxText, true); !s) return s;
  if (auto s = check_text(p.advisory, "advisory", kMaxText, true); !s) return s;
  if (auto s = check_text(p.vendor, "vendor", kMaxText, true); !s) return s;
  if (auto s = check_text(p.change_ref, "change_ref", kMaxText, false); !s) return s;
  if (auto s = check_text(p.note, "note", kMaxNote, false); !s) return s;
  auto severity = patch_severity(p.severity);
  if (!severity) return severity.error();
  p.severity = *severity;
  auto released = parse_date(p.released_on, "released_on");
  if (!released) return released.error();
  for (auto [field, value] : {std::pair<const char*, const std::string*>{"planned_on", &p.planned_on},
                              {"rollout_started_on", &p.rollout_started_on},
                              {"applied_on", &p.applied_on}}) {
    if (value->empty()) continue;
    auto d = parse_date(*value, field);
    if (!d) return d.error();
    if (std::chrono::sys_days(*d) < std::chrono::sys_days(*released))
      return make_error(ErrorCode::invalid_argument,
                        std::string(field) + ": " + *value + " is before the release on " + p.released_on);
    if (std::string_view(field) != "planned_on" && std::chrono::sys_days(*d) > std::chrono::sys_days(today))
      return make_error(ErrorCode::invalid_argument, std::string(field) + ": " + *value + " is in the future");
  }
  if (std::chrono::sys_days(*released) > std::chrono::sys_days(today))
    return make_error(ErrorCode::invalid_argument, "released_on: " + p.released_on + " is in the future");
  return {};
}

PatchView view_of(store::PatchRecord r, CalendarDate today) {
  PatchFacts facts{r.vendor, r.severity, parse_date(r.released_on, "released_on").value(),
                   date_or_none(r.rollout_started_on), date_or_none(r.applied_on)};
  auto verdict = judge_patch(facts, today);
  return {std::move(r), std::move(verdict)};
}

json changes_between(const store::PatchRecord* before, const store::PatchRecord& after) {
  json changes = json::object();
  auto field = [&](const char* name, const std::string store::PatchRecord::*member) {
    const std::string old_value = before ? before->*member : "";
    if (before && old_value == after.*member) return;
    changes[name] = before ? json{{"before", opt(old_value)}, {"after", opt(after.*member)}}
                           : json{{"after", opt(after.*member)}};
  };
  field("asset", &store::PatchRecord::asset);
  field("product", &store::PatchRecord::product);
  field("advisory", &store::PatchRecord::advisory);
  field("vendor", &store::PatchRecord::vendor);
  field("severity", &store::PatchRecord::severity);
  field("released_on", &store::PatchRecord::released_on);
  field("planned_on", &store::PatchRecord::planned_on);
  field("rollout_started_on", &store::PatchRecord::rollout_started_on);
  field("applied_on", &store::PatchRecord::applied_on);
  field("change_ref", &store::PatchRecord::change_ref);
  field("note", &store::PatchRecord::note);
  return changes;
}

}  // namespace

json to_json(const PatchView& p) {
  const auto& r = p.record;
  const auto date = [](const std::optional<CalendarDate>& d) { return d ? json(format_date(*d)) : json(nullptr); };
  return {{"id", r.id},
          {"asset", r.asset},
          {"product", r.product},
          {"advisory", r.advisory},
          {"vendor", r.vendor},
          {"severity", r.severity},
          {"released_on", r.released_on},
          {"planned_on", opt(r.planned_on)},
          {"rollout_started_on", opt(r.rollout_started_on)},
          {"applied_on", opt(r.applied_on)},
          {"change_ref", r.change_ref},
          {"note", r.note},
          {"apply_by", date(p.verdict.apply_by)},
          {"rollout_start_by", date(p.verdict.rollout_start_by)},
          {"late", p.verdict.late},
          {"late_reason", opt(p.verdict.reason)},
          {"latency_days", p.verdict.latency_days ? json(*p.verdict.latency_days) : json(nullptr)},
          {"created_at", r.created_at},
          {"created_by", r.created_by},
          {"updated_at", r.updated_at},
          {"updated_by", r.updated_by}};
}

json to_json(const PatchLatencyReport& r) {
  json patches = json::array();
  for (const auto& p : r.patches) patches.push_back(to_json(p));
  return {{"from", r.from},
          {"to", r.to},
          {"released", r.released},
          {"applied", r.applied},
          {"critical", r.critical},
          {"late", r.late},
          {"average_latency_days", r.average_latency_days ? json(*r.average_latency_days) : json(nullptr)},
          {"longest_latency_days", r.longest_latency_days ? json(*r.longest_latency_days) : json(nullptr)},
          {"patches", patches}};
}

std::string to_csv(const PatchLatencyReport& r) {
  render::Table table;
  for (const char* c : {"id", "asset", "product", "advisory", "vendor", "severity", "released_on", "rollout_started_on",
                        "applied_on", "latency_days", "apply_by", "rollout_start_by", "late", "late_reason",
                        "change_ref"})
    table.columns.push_back({c});
  for (const auto& p : r.patches) {
    const auto& x = p.record;
    const auto date = [](const std::optional<CalendarDate>& d) { return d ? format_date(*d) : std::string(); };
    table.rows.push_back({std::to_string(x.id), x.asset, x.product, x.advisory, x.vendor, x.severity, x.released_on,
                          x.rollout_started_on, x.applied_on,
                          p.verdict.latency_days ? std::to_string(*p.verdict.latency_days) : "",
                          date(p.verdict.apply_by), date(p.verdict.rollout_start_by), p.verdict.late ? "yes" : "no",
                          p.verdict.reason, x.change_ref});
  }
  return render::render_csv(table);
}

PatchService::PatchService(Installation& inst, TimeSource clock) : inst_(inst), clock_(std::move(clock)) {}

Result<PatchView> PatchService::record(const Actor& actor, const PatchInput& in) {
  if (auto s = authorize(actor, Permission::findings_triage); !s) return s.error();
  const auto now = clock_();
  const auto today = calendar_date_of(now);
  store::PatchRecord r{0,           in.asset,      in.product,         in.advisory,       in.vendor,
                       in.severity, in.released_on, in.planned_on,     in.rollout_started_on, in.applied_on,
                       in.change_ref, in.note,     format_rfc3339(now), actor.id,          format_rfc3339(now),
                       actor.id};
  if (auto s = validate(r, today); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto id = store::insert_patch(**tx, r);
  if (!id) return id.error();
  r.id = *id;
  if (auto e = inst_.record(**tx, actor, "patch.record", "patch", std::to_string(r.id), changes_between(nullptr, r)); !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return view_of(std::move(r), today);
}

Result<PatchView> PatchService::update(const Actor& actor, std::int64_t id, const PatchInput& in) {
  if (auto s = authorize(actor, Permission::findings_triage); !s) return s.error();
  const auto now = clock_();
  const auto today = calendar_date_of(now);
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto found = store::find_patch(**tx, id);
  if (!found) return found.error();
  if (!*found) return make_error(ErrorCode::not_found, not_found(id));
  const store::PatchRecord before = **found;
  store::PatchRecord r = before;
  auto take = [](std::string& field, const std::string& value) {
    if (!value.empty()) field = value;
  };
  take(r.asset, in.asset);
  take(r.product, in.product);
  take(r.advisory, in.advisory);
  take(r.vendor, in.vendor);
  take(r.severity, in.severity);
  take(r.released_on, in.released_on);
  take(r.planned_on, in.planned_on);
  take(r.rollout_started_on, in.rollout_started_on);
  take(r.applied_on, in.applied_on);
  take(r.change_ref, in.change_ref);
  take(r.note, in.note);
  if (auto s = validate(r, today); !s) return s.error();
  const auto changes = changes_between(&before, r);
  if (changes.empty()) return view_of(std::move(r), today);
  r.updated_at = format_rfc3339(now);
  r.updated_by = actor.id;
  if (auto s = store::update_patch(**tx, r); !s) {
    if (s.error().code == ErrorCode::conflict)
      return make_error(ErrorCode::conflict, "the asset '" + r.asset + "' already has a record of " + r.advisory);
    return s.error();
  }
  if (auto e = inst_.record(**tx, actor, "patch.update", "patch", std::to_string(id), changes); !e) return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return view_of(std::move(r), today);
}

Result<PatchView> PatchService::get(const Actor& actor, std::int64_t id) {
  if (auto s = authorize(actor, Permission::findings_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto found = store::find_patch(**tx, id);
  if (!found) return found.error();
  if (!*found) return make_error(ErrorCode::not_found, not_found(id));
  return view_of(std::move(**found), calendar_date_of(clock_()));
}

Result<std::vector<PatchView>> PatchService::list(const Actor& actor, const store::PatchFilter& filter, bool late_only) {
  if (auto s = authorize(actor, Permission::findings_read); !s) return s.error();
  for (auto [field, value] : {std::pair<const char*, const std::string*>{"from", &filter.released_from},
                              {"to", &filter.released_to}})
    if (!value->empty())
      if (auto d = parse_date(*value, field); !d) return d.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto rows = store::list_patches(**tx, filter);
  if (!rows) return rows.error();
  const auto today = calendar_date_of(clock_());
  std::vector<PatchView> out;
  for (auto& r : *rows) {
    auto v = view_of(std::move(r), today);
    if (!late_only || v.verdict.late) out.push_back(std::move(v));
  }
  return out;
}

Result<PatchLatencyReport> PatchService::latency_report(const Actor& actor, const std::string& from, const std::string& to) {
  auto from_date = parse_date(from, "from");
  if (!from_date) return from_date.error();
  auto to_date = parse_date(to, "to");
  if (!to_date) return to_date.error();
  if (std::chrono::sys_days(*to_date) < std::chrono::sys_days(*from_date))
    return make_error(ErrorCode::invalid_argument, "to: " + to + " is before from: " + from);
  auto patches = list(actor, {"", from, to});
  if (!patches) return patches.error();
  PatchLatencyReport r{from, to};
  long long total_latency = 0;
  for (auto& p : *patches) {
    ++r.released;
    if (p.record.severity == "critical") ++r.critical;
    if (p.verdict.late) ++r.late;
    if (p.verdict.latency_days) {
      ++r.applied;
      total_latency += *p.verdict.latency_days;
      r.longest_latency_days = std::max(r.longest_latency_days.value_or(0), *p.verdict.latency_days);
    }
    r.patches.push_back(std::move(p));
  }
  if (r.applied > 0) r.average_latency_days = static_cast<double>(total_latency) / static_cast<double>(r.applied);
  return r;
}

}  // namespace tillit::services
