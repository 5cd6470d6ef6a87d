// The compliance report as an OSCAL assessment-results document (NIST OSCAL JSON): one
// result for the period, the annex requirements as reviewed controls, one finding per
// requirement (objective satisfied or not) and one observation per piece of evidence, whose
// SHA-256 travels in a property of its relevant-evidence entry. The schema it is tested
// against is tests/fixtures/oscal/ (see its README for the version and origin).
//
// OSCAL wants every object to carry a UUID; they are random (version 4), because the report
// is a new assessment each time it is made, not a revision of an earlier one.
#include <map>

#include "tillit/crypto/crypto.h"
#include "tillit/services/compliance_report.h"

namespace tillit::services {

namespace {

using json = nlohmann::json;

// The schema version the output is validated against (tests/fixtures/oscal/README.md).
constexpr const char* kOscalVersion = "1.0.4";
// Properties of our own are in our namespace, as OSCAL asks of names it does not define.
constexpr const char* kNamespace = "urn:tillit:oscal";

json prop(const std::string& name, const std::string& value) {
  return {{"name", name}, {"ns", kNamespace}, {"value", value}};
}

// OSCAL strings in properties may not be empty nor start or end with white space.
std::string non_empty(std::string s, const char* fallback) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return fallback;
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// How an annex status reads as an OSCAL objective status. Met and not applicable leave
// nothing owed (satisfied); everything else is not satisfied, "fail" when it was assessed
// and found lacking, "other" when it was never assessed.
json objective_status(const ReportRequirement& q) {
  if (q.status == "met") return {{"state", "satisfied"}, {"reason", "pass"}};
  if (q.status == "not_applicable")
    return {{"state", "satisfied"}, {"reason", "other"},
            {"remarks", "Not applicable: " + non_empty(q.justification, "no justification given")}};
  if (q.status == "not_assessed")
    return {{"state", "not-satisfied"}, {"reason", "other"}, {"remarks", "Not assessed."}};
  return {{"state", "not-satisfied"}, {"reason", "fail"}};
}

}  // namespace

std::string random_uuid() {
  auto b = crypto::random_bytes(16);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = crypto::to_hex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

json oscal_assessment_results(const ComplianceReport& r) {
  json observations = json::array(), findings = json::array(), controls = json::array();
  for (const auto& q : r.requirements) {
    controls.push_back({{"control-id", q.id}});
    json related = json::array();
    for (const auto& e : q.evidence) {
      const std::string uuid = random_uuid();
      json evidence = {{"href", "urn:tillit:evidence:" + std::to_string(e.id) + ":v" + std::to_string(e.version)},
                       {"description", non_empty(e.title, "evidence")}};
      json props = json::array();
      if (!e.sha256.empty()) props.push_back(prop("sha256", e.sha256));
      if (!e.file_name.empty()) props.push_back(prop("file-name", non_empty(e.file_name, "-")));
      if (!e.valid_until.empty()) props.push_back(prop("valid-until", e.valid_until));
      if (!e.via.empty()) props.push_back(prop("linked-via", e.via));
      if (!props.empty()) evidence["props"] = props;
      observations.push_back({{"uuid", uuid},
                              {"title", non_empty(e.title, "evidence")},
                              {"description", "Evidence for requirement " + q.id + (e.current ? "" : " (no longer valid)") + "."},
                              {"methods", json::array({"EXAMINE"})},
                              {"relevant-evidence", json::array({evidence})},
                              {"collected", e.uploaded_at.empty() ? r.generated_at : e.uploaded_at}});
      related.push_back({{"observation-uuid", uuid}});
    }
    json props = json::array({prop("status", q.status)});
    if (!q.owner.empty()) props.push_back(prop("owner", non_empty(q.owner, "-")));
    if (q.deviation) {
      props.push_back(prop("deviation", non_empty(q.deviation->text, "-")));
      if (!q.deviation->planned_date.empty()) props.push_back(prop("deviation-planned-date", q.deviation->planned_date));
      props.push_back(prop("deviation-late", q.deviation->late ? "true" : "false"));
    }
    json finding = {{"uuid", random_uuid()},
                    {"title", q.id + " " + q.title},
                    {"description", non_empty(q.how_met.empty() ? q.title : q.how_met, "-")},
                    {"props", props},
                    {"target", {{"type", "objective-id"}, {"target-id", q.id}, {"status", objective_status(q)}}}};
    if (!related.empty()) finding["related-observations"] = related;
    findings.push_back(std::move(finding));
  }

  json result = {{"uuid", random_uuid()},
                 {"title", "Compliance with " + r.catalog_id + " " + r.catalog_version},
                 {"description", "Assessment of every requirement of " + r.catalog_name + " for the period " +
                                     r.from.substr(0, 10) + " to " + r.to.substr(0, 10) + "."},
                 {"start", r.from},
                 {"end", r.to},
                 {"props", json::array({prop("audit-head-seq", std::to_string(r.audit_head.seq)),
                                         prop("audit-head-hash", non_empty(r.audit_head.hash, "-"))})},
                 {"reviewed-controls", {{"control-selections", json::array({json{{"include-controls", controls}}})}}},
                 {"findings", findings}};
  if (!observations.empty()) result["observations"] = observations;

  json metadata = {{"title", "Compliance report " + r.catalog_id + " " + r.from.substr(0, 10) + " – " + r.to.substr(0, 10)},
                   {"last-modified", r.generated_at},
                   {"version", r.generated_at},
                   {"oscal-version", kOscalVersion},
                   {"props", json::array({prop("generated-by", non_empty(r.generated_by, "-"))})}};
  if (!r.installation_id.empty()) metadata["props"].push_back(prop("installation", r.installation_id));
  return {{"assessment-results",
           {{"uuid", random_uuid()},
            {"metadata", metadata},
            // Tillit keeps no separate assessment plan: the plan is the annex catalogue itself.
            {"import-ap", {{"href", "urn:tillit:catalog:" + r.catalog_id + ":" + r.catalog_version},
                           {"remarks", "The assessment plan is the requirement catalogue " + r.catalog_id + "."}}},
            {"results", json::array({result})}}}};
}

}  // namespace tillit::services
