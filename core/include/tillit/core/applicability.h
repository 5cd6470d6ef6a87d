// The Statement of Applicability rule: whether an ISO/IEC 27001:2022 Annex A control applies
// and how far it is implemented, decided from the control's own assessment when it has one,
// and otherwise from the annex requirements that map to it. Pure: no I/O.
//
// Why this rule: ISO/IEC 27001 (6.1.3 d) expects every Annex A control to be listed, with a
// justification for each one left out. Leaving a control out is therefore the decision that
// needs a reason, so a control nobody has assessed and no annex requirement maps to is listed
// as applicable and not assessed, never silently excluded.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tillit {

// An assessment as the rule needs it: its status (not_assessed, not_met, partly_met, met,
// not_applicable) and, for not_applicable, why.
struct AssessedStatus {
  std::string status;
  std::string justification;
};

enum class ApplicabilityBasis {
  own_assessment,     // the control was assessed itself
  mapped_requirements,  // derived from the annex requirements that map to it
  no_mapping,         // neither: applicable by default, not assessed
};

struct Applicability {
  bool applicable = true;
  std::string implementation;  // not_assessed, not_met, partly_met, met; "" when not applicable
  std::string justification;   // for a control left out: why (joined from the requirements' reasons)
  ApplicabilityBasis basis = ApplicabilityBasis::no_mapping;
};

// `own`: the control's own assessment, when it has one other than not_assessed.
// `mapped`: the assessments of the annex requirements that map to the control (a requirement
// without an assessment counts as not_assessed).
// Derived implementation: met when every applicable mapped requirement is met; not_assessed
// when none of them is assessed; not_met when none is met or partly met; partly_met otherwise.
// Not applicable only when every mapped requirement is not applicable.
Applicability decide_applicability(const std::optional<AssessedStatus>& own, const std::vector<AssessedStatus>& mapped);

}  // namespace tillit
