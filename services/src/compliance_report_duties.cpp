#include "compliance_report_duties.h"

#include <algorithm>

#include "tillit/core/duty_schedule.h"
#include "tillit/store/duties_repository.h"

namespace tillit::services {

namespace {

std::string requirement_of(const store::DutyRecord& d) {
  const auto colon = d.requirement.find(':');
  return colon == std::string::npos ? d.requirement : d.requirement.substr(colon + 1);
}

bool within(const std::string& day, const std::string& from_day, const std::string& to_day) {
  return day >= from_day && day <= to_day;  // YYYY-MM-DD compares as text
}

}  // namespace

Status gather_duties(store::Transaction& tx, ActorNames& names, const std::string& from_day, const std::string& to_day,
                     const std::string& today, const std::string& language, std::vector<ReportDuty>& completed,
                     std::vector<ReportDuty>& missed) {
  std::vector<store::DutyRecord> duties;
  store::DutyFilter all;
  all.include_inactive = true;
  if (auto s = store::for_each_duty(tx, all, [&](const store::DutyRecord& d) {
        duties.push_back(d);
        return true;
      });
      !s)
    return s;
  for (const auto& d : duties) {
    auto interval = make_interval(d.interval_count, d.interval_unit);
    auto first = parse_date(d.first_due, "first_due");
    if (!interval || !first) continue;  // a stored duty the rules refuse cannot be replayed; the duties page shows it
    auto history = store::duty_completions(tx, d.id);
    if (!history) return history.error();
    std::reverse(history->begin(), history->end());  // oldest first
    const std::string title = language == "en" && !d.title_en.empty() ? d.title_en : d.title;
    const ReportDuty base{title, requirement_of(d), "", "", ""};

    // Replays the schedule: each completion fulfils the due date before it and sets the next
    // one an interval later; a due date passed before its completion was missed.
    std::string due = format_date(*first);
    for (const auto& c : *history) {
      if (c.completed_on > due && within(due, from_day, to_day)) missed.push_back({title, base.requirement, due, "", ""});
      if (within(c.completed_on, from_day, to_day))
        completed.push_back({title, base.requirement, due, c.completed_on, names(c.recorded_by)});
      auto on = parse_date(c.completed_on, "completed_on");
      if (!on) break;
      due = format_date(add_interval(*on, *interval));
    }
    if (due < today && within(due, from_day, to_day)) missed.push_back({title, base.requirement, due, "", ""});
  }
  const auto by_date = [](const ReportDuty& a, const ReportDuty& b) {
    return (a.completed_at.empty() ? a.due : a.completed_at) < (b.completed_at.empty() ? b.due : b.completed_at);
  };
  std::stable_sort(completed.begin(), completed.end(), by_date);
  std::stable_sort(missed.begin(), missed.end(), by_date);
  return {};
}

}  // namespace tillit::services
