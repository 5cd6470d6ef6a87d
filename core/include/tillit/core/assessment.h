// Requirement assessments as domain rules: the five statuses, what each needs, calendar dates
// ("YYYY-MM-DD", compared as text, which orders them correctly for years 1000-9999), and when
// a deviation is overdue or a piece of evidence no longer current. Pure: "today" is a
// parameter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"
#include "tillit/core/time.h"

namespace tillit {

// not_assessed, not_met, partly_met, met, not_applicable (in the order a report lists them).
const std::vector<std::string>& assessment_statuses();
bool is_assessment_status(std::string_view status);

// A record the assessment points at: a control in another catalogue ("requirement",
// "iso27001-2022:A.5.1"), a policy, a risk, or any other record by kind and id.
struct AssessmentLink {
  std::string type;  // a lowercase slug: requirement, policy, risk, asset, supplier, change, document, url, ...
  std::string id;
  bool operator==(const AssessmentLink&) const = default;
};

struct Assessment {
  std::string status = "not_assessed";
  std::string justification;  // required for not_applicable
  std::string owner;
  std::string how_met;
  std::vector<AssessmentLink> links;
  std::string deviation;      // what is not yet as required; '' when none
  std::string deviation_due;  // YYYY-MM-DD: when the deviation is planned to be closed
  std::string next_review;    // YYYY-MM-DD
};

// A calendar date "YYYY-MM-DD" that exists (no 2026-02-30); the error names `field`.
Status check_date(std::string_view field, std::string_view text);
// The UTC calendar date of `t` as "YYYY-MM-DD".
std::string date_of(Timestamp t);

// Every rule an assessment must meet before it is stored; the error names the field:
// a known status, a justification for not_applicable, a deviation together with its planned
// date, valid dates, well-formed links, bounded text. "met" needs current evidence: the
// caller says whether there is any.
Status validate_assessment(const Assessment& a, bool has_current_evidence);

// A deviation past its planned date (strictly after it) is flagged.
bool deviation_overdue(const Assessment& a, std::string_view today);

// Evidence counts as current until and including its validity end date; none means no end.
bool evidence_current(std::string_view valid_until, std::string_view today);

}  // namespace tillit
