// The vulnerability pages: the findings list with the annex's filters (status, severity,
// overdue, asset), one finding with its CVSS vectors, deadline and history, and the security
// updates per asset with their deadlines. Read-only views over services/findings.h and
// services/patches.h; changes go through the API and the command line.
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tillit/core/cvss.h"
#include "tillit/services/findings.h"
#include "tillit/services/patches.h"
#include "api_support.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web {
namespace {

using api::query;

using services::FindingService;
using services::PatchService;
using services::Permission;

std::string day(const std::string& rfc3339) { return rfc3339.size() >= 10 ? rfc3339.substr(0, 10) : "–"; }

std::string score_text(const store::FindingRecord& f) {
  return f.highest_score ? format_cvss_tenths(static_cast<int>(*f.highest_score)) : "–";
}

// One <option> list with the current choice selected.
list options(const Request& r, const std::vector<std::string>& values, const std::string& chosen, const char* prefix) {
  list out;
  data all{data::type::object};
  all.set("value", "");
  all.set("label", t(r, "vf_any"));
  all.set("selected", flag(chosen.empty()));
  out.push_back(all);
  for (const auto& v : values) {
    data o{data::type::object};
    o.set("value", v);
    o.set("label", t(r, std::string(prefix) + v));
    o.set("selected", flag(v == chosen));
    out.push_back(o);
  }
  return out;
}

Response findings_page(Request& r, const Identity& who, services::Installation& inst) {
  services::FindingQuery q;
  const std::string status = query(r, "status"), severity = query(r, "severity"), asset = query(r, "asset");
  if (!status.empty()) q.statuses = {status};
  if (!severity.empty()) q.severities = {severity};
  q.asset = asset;
  q.overdue = query(r, "overdue") == "true";
  q.per_page = 200;
  std::int64_t total = 0;
  auto found = FindingService(inst).list(who.actor, q, &total);
  if (!found) return error_page(r, http_status(found.error().code), found.error().message, &who);
  const std::string lang = language_of(r);
  data view{data::type::object};
  list rows;
  for (const auto& f : *found) {
    const auto& x = f.record;
    data row{data::type::object};
    row.set("id", std::to_string(x.id));
    row.set("vulnerability", x.vulnerability_id.empty() ? x.title : x.vulnerability_id);
    row.set("severity", t(r, "sev_" + x.severity));
    row.set("score", score_text(x));
    row.set("status", t(r, "fst_" + x.status));
    row.set("asset", x.asset);
    row.set("component", x.component + (x.component_version.empty() ? "" : " " + x.component_version));
    row.set("due", x.due_at.empty() ? t(r, "vf_no_deadline") : day(x.due_at));
    row.set("overdue", flag(f.overdue));
    row.set("lang", lang);
    rows.push_back(row);
  }
  view.set("findings", rows);
  view.set("has_findings", flag(!rows.empty()));
  view.set("shown", std::to_string(rows.size()));
  view.set("total", std::to_string(total));
  view.set("statuses", options(r, services::finding_statuses(), status, "fst_"));
  view.set("severities", options(r, {"critical", "high", "medium", "low", "none", "unknown"}, severity, "sev_"));
  view.set("asset", asset);
  view.set("overdue_checked", flag(q.overdue));
  view.set("lang", lang);
  return render(r, &who, 200, "findings_list", view, t(r, "nav_findings"), "findings");
}

Response finding_page(Request& r, const Identity& who, services::Installation& inst) {
  const auto& s = r.params.at("id");
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc{} || end != s.data() + s.size() || id < 1) return error_page(r, 404, t(r, "vf_not_found"), &who);
  auto f = FindingService(inst).get(who.actor, id);
  if (!f) return error_page(r, http_status(f.error().code), f.error().message, &who);
  const auto& x = f->record;
  data view{data::type::object};
  view.set("id", std::to_string(x.id));
  view.set("title", x.title.empty() ? x.vulnerability_id : x.title);
  view.set("vulnerability", x.vulnerability_id);
  view.set("severity", t(r, "sev_" + x.severity));
  view.set("score", score_text(x));
  view.set("status", t(r, "fst_" + x.status));
  view.set("asset", x.asset);
  view.set("component", x.component + (x.component_version.empty() ? "" : " " + x.component_version));
  view.set("fix_version", x.fix_version.empty() ? "–" : x.fix_version);
  view.set("known", day(x.known_at));
  view.set("due", x.due_at.empty() ? t(r, "vf_no_deadline") : day(x.due_at));
  view.set("overdue", flag(f->overdue));
  view.set("first_seen", day(x.first_seen));
  view.set("last_seen", day(x.last_seen));
  view.set("tool", x.tool);
  view.set("description", x.description);
  view.set("mitigation", x.mitigation);
  view.set("has_mitigation", flag(!x.mitigation.empty()));
  list vectors;
  for (const auto& v : nlohmann::json::parse(x.cvss, nullptr, false)) {
    if (!v.is_object()) continue;
    data row{data::type::object};
    row.set("vector", v.value("vector", ""));
    row.set("source", v.value("source", ""));
    // Stored as a decimal score (9.8); shown with the specification's one decimal.
    row.set("score", v.contains("score") && v["score"].is_number()
                         ? format_cvss_tenths(static_cast<int>(std::lround(v["score"].get<double>() * 10)))
                         : std::string("–"));
    vectors.push_back(row);
  }
  view.set("vectors", vectors);
  view.set("has_vectors", flag(!vectors.empty()));
  list history;
  for (const auto& h : f->history) {
    data row{data::type::object};
    row.set("at", day(h.at) + " " + (h.at.size() >= 16 ? h.at.substr(11, 5) + " UTC" : ""));
    row.set("actor", h.actor);
    row.set("change", (h.from_status.empty() ? "" : t(r, "fst_" + h.from_status) + " → ") + t(r, "fst_" + h.to_status));
    row.set("reason", h.reason);
    history.push_back(row);
  }
  view.set("history", history);
  view.set("lang", language_of(r));
  return render(r, &who, 200, "finding", view, x.vulnerability_id.empty() ? t(r, "nav_findings") : x.vulnerability_id,
                "findings");
}

Response patches_page(Request& r, const Identity& who, services::Installation& inst) {
  const bool late_only = query(r, "late") == "true";
  auto found = PatchService(inst).list(who.actor, {query(r, "asset"), "", ""}, late_only);
  if (!found) return error_page(r, http_status(found.error().code), found.error().message, &who);
  data view{data::type::object};
  list rows;
  const auto date = [](const std::optional<CalendarDate>& d) { return d ? format_date(*d) : std::string("–"); };
  for (const auto& p : *found) {
    const auto& x = p.record;
    data row{data::type::object};
    row.set("asset", x.asset);
    row.set("product", x.product);
    row.set("advisory", x.advisory);
    row.set("vendor", x.vendor);
    row.set("severity", t(r, "sev_" + x.severity));
    row.set("released", x.released_on);
    row.set("rollout_by", date(p.verdict.rollout_start_by));
    row.set("apply_by", date(p.verdict.apply_by));
    row.set("applied", x.applied_on.empty() ? "–" : x.applied_on);
    row.set("late", flag(p.verdict.late));
    row.set("reason", p.verdict.reason);
    rows.push_back(row);
  }
  view.set("patches", rows);
  view.set("has_patches", flag(!rows.empty()));
  view.set("asset", query(r, "asset"));
  view.set("late_checked", flag(late_only));
  view.set("lang", language_of(r));
  return render(r, &who, 200, "patches", view, t(r, "vp_heading"), "findings");
}

}  // namespace

void add_findings_pages(AppRoutes& routes) {
  auto& inst = routes.inst();
  routes.add("GET", "/findings", Permission::findings_read,
             [&inst](Request& r, const Identity& who) { return findings_page(r, who, inst); });
  routes.add("GET", "/findings/{id}", Permission::findings_read,
             [&inst](Request& r, const Identity& who) { return finding_page(r, who, inst); });
  routes.add("GET", "/patches", Permission::findings_read,
             [&inst](Request& r, const Identity& who) { return patches_page(r, who, inst); });
}

}  // namespace tillit::web
