#include "dashboard.h"

#include <algorithm>
#include <map>

#include "tillit/services/assessments.h"
#include "tillit/services/catalog_service.h"
#include "tillit/services/duties.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using services::Permission;

struct CategoryShare {
  std::string name;
  int applicable = 0, met = 0, partly = 0;
  int percent() const { return applicable ? (met * 100 + applicable / 2) / applicable : 0; }
};

std::string escape_xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Horizontal bars, one per category: the label, the bar and the share as text, so the chart
// reads without colour and screen readers get the title, the description and each row's text.
// Presentation attributes only (no style attribute), so the strict CSP holds.
std::string bar_chart(const std::vector<CategoryShare>& rows, const std::string& title, const std::string& of_word) {
  constexpr int kLabel = 300, kBar = 360, kRow = 28, kTop = 8;
  const int height = kTop * 2 + kRow * static_cast<int>(rows.size());
  std::string svg = "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 " +
                    std::to_string(kLabel + kBar + 140) + " " + std::to_string(height) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">" + escape_xml(title) + "</title>";
  int y = kTop;
  for (const auto& c : rows) {
    const int width = kBar * c.percent() / 100;
    const std::string label = c.name.size() > 44 ? c.name.substr(0, 42) + "…" : c.name;
    svg += "<g><text x=\"" + std::to_string(kLabel - 8) + "\" y=\"" + std::to_string(y + 18) +
           "\" text-anchor=\"end\" font-size=\"13\" fill=\"#1f2933\">" + escape_xml(label) + "</text>";
    svg += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"" +
           std::to_string(kBar) + "\" height=\"18\" fill=\"#e4e7eb\"/>";
    svg += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"" +
           std::to_string(width) + "\" height=\"18\" fill=\"#1d6b3c\"/>";
    svg += "<text x=\"" + std::to_string(kLabel + kBar + 8) + "\" y=\"" + std::to_string(y + 18) +
           "\" font-size=\"13\" fill=\"#1f2933\">" + std::to_string(c.percent()) + " % (" + std::to_string(c.met) + " " +
           escape_xml(of_word) + " " + std::to_string(c.applicable) + ")</text></g>";
    y += kRow;
  }
  return svg + "</svg>";
}

}  // namespace

Status add_dashboard(const Request& r, const Identity& who, services::Installation& inst, data& view) {
  if (!services::authorize(who.actor, Permission::compliance_read)) return {};
  const std::string lang = language_of(r);
  view.set("show_dashboard", data::type::bool_true);

  // Duties.
  auto duties = services::DutiesService(inst).list(who.actor, {});
  if (!duties) return duties.error();
  std::int64_t overdue = 0, due_soon = 0;
  struct Deadline {
    std::string date, what, href, kind;
    bool late = false;
  };
  std::vector<Deadline> deadlines;
  for (const auto& d : *duties) {
    if (d.state == DutyState::overdue) ++overdue;
    if (d.state == DutyState::due_soon) ++due_soon;
    deadlines.push_back({d.record.next_due,
                         lang == "en" && !d.record.title_en.empty() ? d.record.title_en : d.record.title,
                         "/duties/" + std::to_string(d.record.id) + "?lang=" + lang, t(r, "dash_kind_duty"),
                         d.state == DutyState::overdue});
  }
  view.set("duties_overdue", std::to_string(overdue));
  view.set("duties_due_soon", std::to_string(due_soon));

  // Requirements met per category, and deviations (the annex's own assessments).
  services::AssessmentQuery q;
  q.lang = lang;
  auto assessments = services::AssessmentService(inst).list(who.actor, q);
  auto annex = services::CatalogService(inst).get(who.actor, "annex");
  if (assessments && annex) {
    std::map<std::string, std::string> category_of;
    std::vector<CategoryShare> shares;
    for (const auto& req : annex->catalog.requirements) {
      const std::string name = req.category.in(lang);
      category_of[req.id] = name;
      if (std::none_of(shares.begin(), shares.end(), [&](const auto& s) { return s.name == name; }))
        shares.push_back({name});
    }
    int not_met = 0, partly = 0, deviations_overdue = 0, met = 0, applicable = 0;
    for (const auto& a : *assessments) {
      const auto& status = a.assessment.status;
      if (status == "not_met") ++not_met;
      if (status == "partly_met") ++partly;
      if (a.deviation_overdue) ++deviations_overdue;
      if (!a.assessment.deviation.empty() && !a.assessment.deviation_due.empty())
        deadlines.push_back({a.assessment.deviation_due, a.requirement_id + " " + a.title,
                             "/api/v1/assessments/" + a.requirement_id, t(r, "dash_kind_deviation"), a.deviation_overdue});
      auto share = std::find_if(shares.begin(), shares.end(),
                                [&](const auto& s) { return s.name == category_of[a.requirement_id]; });
      if (share == shares.end() || status == "not_applicable") continue;
      ++share->applicable;
      ++applicable;
      if (status == "met") ++share->met, ++met;
      if (status == "partly_met") ++share->partly;
    }
    shares.erase(std::remove_if(shares.begin(), shares.end(), [](const auto& s) { return s.applicable == 0; }), shares.end());
    list rows;
    for (const auto& s : shares) {
      data row{data::type::object};
      row.set("category", s.name);
      row.set("met", std::to_string(s.met));
      row.set("partly", std::to_string(s.partly));
      row.set("applicable", std::to_string(s.applicable));
      row.set("percent", std::to_string(s.percent()));
      rows.push_back(row);
    }
    view.set("show_compliance", data::type::bool_true);
    view.set("categories", rows);
    view.set("chart", bar_chart(shares, t(r, "dash_chart_title"), t(r, "dash_of")));
    view.set("met_total", std::to_string(met));
    view.set("applicable_total", std::to_string(applicable));
    view.set("not_met", std::to_string(not_met));
    view.set("partly_met", std::to_string(partly));
    view.set("deviations_overdue", std::to_string(deviations_overdue));
  }

  std::stable_sort(deadlines.begin(), deadlines.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
  list upcoming;
  for (std::size_t i = 0; i < deadlines.size() && i < 10; ++i) {
    data row{data::type::object};
    row.set("date", deadlines[i].date);
    row.set("what", deadlines[i].what);
    row.set("href", deadlines[i].href);
    row.set("kind", deadlines[i].kind);
    row.set("late", flag(deadlines[i].late));
    upcoming.push_back(row);
  }
  view.set("has_deadlines", flag(!upcoming.empty()));
  view.set("deadlines", upcoming);
  return {};
}

}  // namespace tillit::web
