// FindingService: listing findings and the remediation workflow (imports: findings_import.cpp).
#include "tillit/services/findings.h"

#include <algorithm>

#include "findings_support.h"
#include "tillit/content/catalog_loader.h"
#include "tillit/store/identity_repository.h"

namespace tillit::services {
namespace {

using nlohmann::json;

json parsed_array(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_array() ? j : json::array();
}

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The annex's table as the built-in annex catalogue carries it (built-in ids cannot be
// replaced by an import, so this is the contract's policy); core's copy if that ever fails.
RemediationPolicy annex_policy() {
  for (const auto& c : content::builtin_catalogs())
    if (c.id == "annex")
      if (auto p = RemediationPolicy::from_catalog(c.cvss_remediation)) return *p;
  return RemediationPolicy::annex();
}

// Where each status may go by hand. Fixed findings also close and reopen by scans.
const std::vector<std::pair<std::string, std::vector<std::string>>>& transitions() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> t = {
      {"open", {"in_progress", "mitigated", "fixed", "risk_accepted", "false_positive"}},
      {"in_progress", {"open", "mitigated", "fixed", "risk_accepted", "false_positive"}},
      {"mitigated", {"in_progress", "fixed", "open"}},
      {"fixed", {"open"}},
      {"risk_accepted", {"open"}},
      {"false_positive", {"open"}},
  };
  return t;
}

Status check_text(const std::string& text, const char* what) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos || text.size() > 4000)
    return make_error(ErrorCode::invalid_argument, std::string("give ") + what + " (1-4000 characters)");
  return {};
}

std::string not_found(std::int64_t id) {
  return "no finding with id " + std::to_string(id) + "; list them with GET /api/v1/findings or tillit findings list";
}

void recompute_due(store::FindingRecord& f, const RemediationPolicy& policy) {
  // The stored band already holds the tool's word when there is no score.
  const auto a = assess(policy, f.highest_score ? std::optional<int>(static_cast<int>(*f.highest_score)) : std::nullopt,
                        f.severity);
  f.severity = a.severity;
  auto known = parse_rfc3339(f.known_at);
  const auto due = known ? due_at(*known, a.days) : std::nullopt;
  f.due_at = due ? format_rfc3339(*due) : "";
}

}  // namespace

int severity_rank(const std::string& severity) {
  const auto& names = severity_names();
  return static_cast<int>(std::find(names.begin(), names.end(), severity) - names.begin());
}

const std::vector<std::string>& mitigation_kinds() {
  // The annex: 1) disable services or functions, 2) adapt or add security controls,
  // 3) extend monitoring (SIEM, firewall logging), 4) raise awareness.
  static const std::vector<std::string> kinds = {"disable_service", "security_controls", "monitoring", "awareness"};
  return kinds;
}

const std::vector<std::string>& finding_statuses() {
  static const std::vector<std::string> s = {"open",  "in_progress",   "mitigated",
                                             "fixed", "risk_accepted", "false_positive"};
  return s;
}

json to_json(const FindingView& v, bool detail) {
  const auto& f = v.record;
  json j = {{"id", f.id},
            {"fingerprint", f.fingerprint},
            {"scope", f.scope},
            {"kind", f.kind},
            {"tool", f.tool},
            {"asset", f.asset},
            {"component", f.component},
            {"component_version", f.component_version},
            {"purl", opt(f.purl)},
            {"location", opt(f.location)},
            {"identifiers", parsed_array(f.identifiers)},
            {"score", f.highest_score ? json(static_cast<double>(*f.highest_score) / 10.0) : json(nullptr)},
            {"severity", f.severity},
            {"tool_severity", opt(f.tool_severity)},
            {"status", f.status},
            {"known_at", f.known_at},
            {"due_at", opt(f.due_at)},
            {"overdue", v.overdue},
            {"first_seen", f.first_seen},
            {"last_seen", f.last_seen},
            {"fixed_at", opt(f.fixed_at)},
            {"title", f.title},
            {"fix_version", opt(f.fix_version)}};
  if (detail) {
    j["cvss"] = parsed_array(f.cvss);
    j["description"] = f.description;
    j["references"] = parsed_array(f.reference_urls);
    j["mitigation_kind"] = opt(f.mitigation_kind);
    j["mitigation"] = opt(f.mitigation);
    j["accepted_until"] = opt(f.accepted_until);
    j["approved_by"] = opt(f.approved_by);
    json history = json::array();
    for (const auto& h : v.history)
      history.push_back({{"at", h.at},
                         {"actor", h.actor},
                         {"from", opt(h.from_status)},
                         {"to", h.to_status},
                         {"reason", h.reason},
                         {"import_id", h.import_id ? json(*h.import_id) : json(nullptr)}});
    j["history"] = history;
  }
  return j;
}

FindingService::FindingService(Installation& inst, TimeSource clock)
    : inst_(inst), clock_(std::move(clock)), policy_(annex_policy()) {}

Result<std::vector<FindingView>> FindingService::list(const Actor& actor, const FindingQuery& q, std::int64_t* total) {
  if (auto s = authorize(actor, Permission::findings_read); !s) return s.error();
  for (const auto& s : q.statuses)
    if (!contains(finding_statuses(), s))
      return make_error(ErrorCode::invalid_argument,
                        "unknown status '" + s + "'; use open, in_progress, mitigated, fixed, risk_accepted or false_positive");
  for (const auto& s : q.severities)
    if (!is_severity_name(s))
      return make_error(ErrorCode::invalid_argument,
                        "unknown severity '" + s + "'; use critical, high, medium, low, none or unknown");
  if (q.page < 1 || q.per_page < 0) return make_error(ErrorCode::invalid_argument, "page starts at 1");
  const Timestamp now = clock_();
  const std::string now_text = format_rfc3339(now);
  store::FindingFilter filter{q.statuses, q.severities, q.asset, q.scope, q.overdue ? now_text : "", -1, 0};
  if (q.per_page > 0) {
    filter.limit = q.per_page;
    filter.offset = (q.page - 1) * q.per_page;
  }
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  if (total) {
    auto n = store::count_findings(**tx, filter);
    if (!n) return n.error();
    *total = *n;
  }
  std::vector<FindingView> out;
  auto s = store::for_each_finding(**tx, filter, [&](const store::FindingRecord& f) {
    const bool open = f.status == "open" || f.status == "in_progress";
    const auto due = f.due_at.empty() ? std::nullopt : std::optional<Timestamp>(parse_rfc3339(f.due_at).value());
    out.push_back({f, open && is_overdue(due, now), {}});
    return true;
  });
  if (!s) return s.error();
  return out;
}

Result<FindingView> FindingService::get(const Actor& actor, std::int64_t id) {
  if (auto s = authorize(actor, Permission::findings_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto f = store::find_finding(**tx, id);
  if (!f) return f.error();
  if (!*f) return make_error(ErrorCode::not_found, not_found(id));
  auto history = store::finding_history(**tx, id);
  if (!history) return history.error();
  const bool open = (*f)->status == "open" || (*f)->status == "in_progress";
  const auto due = (*f)->due_at.empty() ? std::nullopt : std::optional<Timestamp>(parse_rfc3339((*f)->due_at).value());
  return FindingView{**f, open && is_overdue(due, clock_()), std::move(*history)};
}

Result<FindingView> FindingService::change_status(const Actor& actor, std::int64_t id, const StatusChange& c) {
  if (auto s = authorize(actor, Permission::findings_triage); !s) return s.error();
  const bool acceptance = c.status == "risk_accepted" || c.status == "false_positive";
  if (acceptance)
    if (auto s = authorize(actor, Permission::findings_accept); !s) return s.error();
  if (!contains(finding_statuses(), c.status))
    return make_error(ErrorCode::invalid_argument, "unknown status '" + c.status +
                                                       "'; use open, in_progress, mitigated, fixed, risk_accepted or "
                                                       "false_positive");
  if (auto s = check_text(c.reason, c.status == "fixed"       ? "the evidence of the fix"
                                    : c.status == "mitigated" ? "a description of the mitigation"
                                    : acceptance              ? "the justification"
                                                              : "a reason");
      !s)
    return s.error();
  const Timestamp now = clock_();
  const std::string at = format_rfc3339(now);
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto s = reopen_expired_in(**tx, inst_, system_actor(), now); !s) return s.error();
  auto found = store::find_finding(**tx, id);
  if (!found) return found.error();
  if (!*found) return make_error(ErrorCode::not_found, not_found(id));
  auto f = **found;
  const std::string from = f.status;
  const auto& allowed = std::find_if(transitions().begin(), transitions().end(),
                                     [&](const auto& t) { return t.first == from; })->second;
  if (!contains(allowed, c.status)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return make_error(ErrorCode::conflict,
                      "a finding that is " + from + " cannot become " + c.status + "; from " + from + " it may become " + list);
  }
  json changes = {{"status", {{"before", from}, {"after", c.status}}}, {"reason", c.reason}};
  if (c.status == "mitigated") {
    if (!contains(mitigation_kinds(), c.mitigation_kind))
      return make_error(ErrorCode::invalid_argument,
                        "name the kind of mitigation: disable_service, security_controls, monitoring or awareness "
                        "(the annex's four kinds)");
    f.mitigation_kind = c.mitigation_kind;
    f.mitigation = c.reason;
    changes["mitigation_kind"] = c.mitigation_kind;
  }
  if (acceptance) {
    auto until = parse_rfc3339(c.until);
    if (c.until.empty() || !until || *until <= now || *until > now + std::chrono::days(366))
      return make_error(ErrorCode::invalid_argument,
                        "give the date the acceptance expires (RFC 3339, in the future and at most a year ahead); the "
                        "finding reopens then");
    if (c.requested_by.empty() || c.requested_by == actor.username)
      return make_error(ErrorCode::forbidden,
                        "name the person who asked for this (requested_by); the approver must be someone else");
    auto requester = store::find_user(**tx, c.requested_by);
    if (!requester) return requester.error();
    if (!*requester || (*requester)->status == "deleted")
      return make_error(ErrorCode::invalid_argument, "no account named '" + c.requested_by + "'");
    f.accepted_until = format_rfc3339(*until);
    f.approved_by = actor.id;
    changes["requested_by"] = c.requested_by;
    changes["until"] = f.accepted_until;
  } else {
    f.accepted_until.clear();
    f.approved_by.clear();
  }
  f.status = c.status;
  f.fixed_at = c.status == "fixed" ? at : "";
  if (c.status == "open" || c.status == "in_progress") {
    f.mitigation_kind.clear();
    f.mitigation.clear();
  }
  if (auto s = store::update_finding_workflow(**tx, f); !s) return s.error();
  const std::string reason = acceptance ? c.reason + " (requested by " + c.requested_by + ", until " + f.accepted_until + ")"
                                        : c.reason;
  if (auto s = store::insert_finding_history(**tx, {0, id, at, actor.id, from, c.status, reason, {}}); !s)
    return s.error();
  if (auto e = inst_.record(**tx, actor, "finding.status", "finding", std::to_string(id), changes); !e) return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<FindingView> FindingService::set_known_at(const Actor& actor, std::int64_t id, const std::string& known_at,
                                                 const std::string& reason) {
  if (auto s = authorize(actor, Permission::findings_triage); !s) return s.error();
  if (auto s = check_text(reason, "a reason for the new date"); !s) return s.error();
  auto known = parse_rfc3339(known_at);
  if (!known) return make_error(ErrorCode::invalid_argument, "known_at: " + known.error().message);
  const Timestamp now = clock_();
  if (*known > now) return make_error(ErrorCode::invalid_argument, "the date a vulnerability became known cannot be in the future");
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto found = store::find_finding(**tx, id);
  if (!found) return found.error();
  if (!*found) return make_error(ErrorCode::not_found, not_found(id));
  auto f = **found;
  const std::string before = f.known_at, due_before = f.due_at;
  f.known_at = format_rfc3339(*known);
  recompute_due(f, policy_);
  if (auto s = store::update_finding_workflow(**tx, f); !s) return s.error();
  if (auto e = inst_.record(**tx, actor, "finding.known_at", "finding", std::to_string(id),
                            {{"known_at", {{"before", before}, {"after", f.known_at}}},
                             {"due_at", {{"before", opt(due_before)}, {"after", opt(f.due_at)}}},
                             {"reason", reason}});
      !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<std::int64_t> FindingService::reopen_expired(const Actor& actor) {
  if (auto s = authorize(actor, Permission::findings_triage); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto n = reopen_expired_in(**tx, inst_, actor, clock_());
  if (!n) return n.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return *n;
}

Result<std::int64_t> reopen_expired_in(store::Transaction& tx, Installation& inst, const Actor& actor, Timestamp now) {
  const std::string at = format_rfc3339(now);
  auto ids = store::expired_acceptances(tx, at);
  if (!ids) return ids.error();
  if (ids->empty()) return std::int64_t{0};
  for (auto id : *ids) {
    auto f = store::find_finding(tx, id);
    if (!f) return f.error();
    auto record = **f;
    const std::string from = record.status;
    record.status = "open";
    record.accepted_until.clear();
    record.approved_by.clear();
    if (auto s = store::update_finding_workflow(tx, record); !s) return s.error();
    if (auto s = store::insert_finding_history(tx, {0, id, at, actor.id, from, "open", "the acceptance expired", {}}); !s)
      return s.error();
  }
  if (auto e = inst.record(tx, actor, "finding.acceptance_expired", "finding", "", {{"reopened", *ids}}); !e)
    return e.error();
  return static_cast<std::int64_t>(ids->size());
}

}  // namespace tillit::services
