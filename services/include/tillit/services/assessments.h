// Requirement assessments: for each requirement of a catalogue, its status, owner, how it is
// met, a deviation with its planned date, the next review, and every change kept with who,
// when and the whole assessment before and after (assessment_history; one audit event each).
//
// Rules (core/assessment.h): not_applicable needs a justification; "met" needs at least one
// piece of current evidence linked to the requirement or to a requirement mapped to or from
// it (an ISO 27001 control's evidence serves the annex requirements it covers, and the other
// way round); a deviation past its planned date is flagged as overdue.
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tillit/core/assessment.h"
#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/compliance_repository.h"

namespace tillit::services {

// A piece of evidence as it bears on a requirement: linked directly or through a mapping.
struct RequirementEvidence {
  store::EvidenceRecord evidence;
  std::string linked_to;  // "CATALOG:ID" the link names
  bool through_mapping = false;
  bool current = false;
};

struct AssessmentView {
  std::string catalog_id, requirement_id;
  std::string title;  // the requirement's title in the wanted language
  Assessment assessment;
  bool assessed = false;  // false: no assessment stored yet (status not_assessed)
  std::string updated_at, updated_by;
  std::int64_t revision = 0;
  bool deviation_overdue = false;
  bool has_current_evidence = false;
  std::vector<RequirementEvidence> evidence;              // filled by get
  std::vector<store::AssessmentHistoryRecord> history;    // filled by get
};

nlohmann::json to_json(const Assessment& a);
// `detail`: the evidence and the history as well.
nlohmann::json to_json(const AssessmentView& v, bool detail);
// Reads the writable fields of an assessment from JSON; an absent member keeps `base`'s value.
// Errors name the member.
Result<Assessment> assessment_from_json(const nlohmann::json& j, Assessment base);

struct AssessmentQuery {
  std::string catalog_id = "annex";
  std::string status;          // one of assessment_statuses(); "" for any
  bool overdue_only = false;   // only deviations past their planned date
  std::string lang = "sv";
};

class AssessmentService {
 public:
  explicit AssessmentService(Installation& inst, TimeSource clock = now_utc);

  // Every requirement of the catalogue, assessed or not, in catalogue order.
  Result<std::vector<AssessmentView>> list(const Actor& actor, const AssessmentQuery& q);
  // `reference`: "CATALOG:ID" or a bare annex id ("K14").
  Result<AssessmentView> get(const Actor& actor, std::string_view reference, std::string_view lang = "sv");
  // Replaces the assessment (validated as a whole; nothing is stored when a rule fails).
  Result<AssessmentView> set(const Actor& actor, std::string_view reference, const Assessment& a);

 private:
  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
