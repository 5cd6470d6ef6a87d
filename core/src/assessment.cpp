#include "tillit/core/assessment.h"

#include <algorithm>
#include <chrono>

namespace tillit {
namespace {

constexpr std::size_t kMaxText = 20000;   // free text: how met, deviation, justification
constexpr std::size_t kMaxShort = 200;    // owner, link ids
constexpr std::size_t kMaxLinks = 200;

Error field_error(std::string_view field, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, std::string(field) + ": " + what);
}

bool is_link_type(std::string_view t) {
  if (t.empty() || t.size() > 32) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_' || c == '-'; });
}

bool has_control_characters(std::string_view text, bool allow_newlines) {
  return std::any_of(text.begin(), text.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

const std::vector<std::string>& assessment_statuses() {
  static const std::vector<std::string> all = {"not_assessed", "not_met", "partly_met", "met", "not_applicable"};
  return all;
}

bool is_assessment_status(std::string_view status) {
  const auto& all = assessment_statuses();
  return std::find(all.begin(), all.end(), status) != all.end();
}

Status check_date(std::string_view field, std::string_view text) {
  const auto bad = [&] {
    return field_error(field, "'" + std::string(text.substr(0, 40)) + "' is not a date; use YYYY-MM-DD such as 2027-12-31");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9') return bad();
  const auto number = [&](std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year{number(0, 4)},
                                        std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                        std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!ymd.ok() || number(0, 4) < 1000)
    return field_error(field, "'" + std::string(text) + "' is not a day of the calendar");
  return {};
}

std::string date_of(Timestamp t) { return format_rfc3339(t).substr(0, 10); }

Status validate_assessment(const Assessment& a, bool has_current_evidence) {
  if (!is_assessment_status(a.status))
    return field_error("status", "unknown status '" + a.status.substr(0, 40) +
                                     "'; use not_assessed, not_met, partly_met, met or not_applicable");
  struct TextField {
    const char* name;
    const std::string& value;
    std::size_t max;
    bool multiline;
  };
  for (const TextField& f : {TextField{"justification", a.justification, kMaxText, true},
                             TextField{"owner", a.owner, kMaxShort, false},
                             TextField{"how_met", a.how_met, kMaxText, true},
                             TextField{"deviation", a.deviation, kMaxText, true}}) {
    if (f.value.size() > f.max)
      return field_error(f.name, "is longer than " + std::to_string(f.max) + " bytes");
    if (has_control_characters(f.value, f.multiline)) return field_error(f.name, "contains control characters");
  }
  const auto blank = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  };
  if (a.status == "not_applicable" && blank(a.justification))
    return field_error("justification", "is required when the status is not_applicable: say why the requirement does not apply");
  if (a.status == "met" && !has_current_evidence)
    return field_error("status", "cannot be met without at least one piece of current evidence linked to the "
                                 "requirement (or to a requirement mapped to it); upload or link evidence first");
  if (!a.deviation_due.empty())
    if (auto s = check_date("deviation_due", a.deviation_due); !s) return s;
  if (!a.next_review.empty())
    if (auto s = check_date("next_review", a.next_review); !s) return s;
  if (!blank(a.deviation) && a.deviation_due.empty())
    return field_error("deviation_due", "is required with a deviation: the date it is planned to be closed");
  if (blank(a.deviation) && !a.deviation_due.empty())
    return field_error("deviation", "is required when deviation_due is set: describe what deviates");
  if (a.links.size() > kMaxLinks) return field_error("links", "more than " + std::to_string(kMaxLinks) + " links");
  for (std::size_t i = 0; i < a.links.size(); ++i) {
    const auto& l = a.links[i];
    const std::string where = "links[" + std::to_string(i) + "]";
    if (!is_link_type(l.type))
      return field_error(where + ".type", "'" + l.type.substr(0, 40) +
                                              "' is not a record kind; use lowercase letters, such as requirement, "
                                              "policy, risk or document");
    if (l.id.empty() || l.id.size() > kMaxShort || has_control_characters(l.id, false))
      return field_error(where + ".id", "must be 1-" + std::to_string(kMaxShort) + " characters without control characters");
  }
  return {};
}

bool deviation_overdue(const Assessment& a, std::string_view today) {
  return !a.deviation_due.empty() && a.deviation_due < today;
}

bool evidence_current(std::string_view valid_until, std::string_view today) {
  return valid_until.empty() || valid_until >= today;
}

}  // namespace tillit
