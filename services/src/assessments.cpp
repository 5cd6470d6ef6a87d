#include "tillit/services/assessments.h"

#include <algorithm>
#include <set>

#include "compliance_support.h"

namespace tillit::services {
namespace {

using nlohmann::json;
json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

Assessment assessment_of(const store::AssessmentRecord& r) {
  Assessment a{r.status, r.justification, r.owner, r.how_met, {}, r.deviation, r.deviation_due, r.next_review};
  const auto links = json::parse(r.links, nullptr, false);
  if (links.is_array())
    for (const auto& l : links)
      if (l.is_object()) a.links.push_back({l.value("type", ""), l.value("id", "")});
  return a;
}

json links_json(const std::vector<AssessmentLink>& links) {
  json out = json::array();
  for (const auto& l : links) out.push_back({{"type", l.type}, {"id", l.id}});
  return out;
}

// The view of one requirement: its stored assessment (if any) and the evidence bearing on it.
AssessmentView view_of(const compliance::Catalogues& c, const compliance::ResolvedRequirement& r,
                       const std::optional<store::AssessmentRecord>& stored,
                       const std::map<std::string, std::vector<store::LinkedEvidence>>& evidence,
                       const std::string& today, std::string_view lang) {
  AssessmentView v;
  v.catalog_id = r.catalog->id;
  v.requirement_id = r.requirement->id;
  v.title = r.requirement->title.in(lang);
  if (stored) {
    v.assessment = assessment_of(*stored);
    v.assessed = true;
    v.updated_at = stored->updated_at;
    v.updated_by = stored->updated_by;
    v.revision = stored->revision;
  }
  v.deviation_overdue = deviation_overdue(v.assessment, today);
  std::set<std::int64_t> seen;
  const auto keys = compliance::related_keys(c, r);
  for (const auto& key : keys) {
    const auto found = evidence.find(key);
    if (found == evidence.end()) continue;
    for (const auto& l : found->second) {
      if (!seen.insert(l.evidence.id).second) continue;
      const bool current = evidence_current(l.evidence.valid_until, today);
      v.has_current_evidence = v.has_current_evidence || current;
      v.evidence.push_back({l.evidence, key, key != keys.front(), current});
    }
  }
  return v;
}

}  // namespace

nlohmann::json to_json(const Assessment& a) {
  return {{"status", a.status},
          {"justification", a.justification},
          {"owner", a.owner},
          {"how_met", a.how_met},
          {"links", links_json(a.links)},
          {"deviation", a.deviation},
          {"deviation_due", opt(a.deviation_due)},
          {"next_review", opt(a.next_review)}};
}

nlohmann::json to_json(const AssessmentView& v, bool detail) {
  json j = to_json(v.assessment);
  j["requirement"] = v.catalog_id + ":" + v.requirement_id;
  j["catalog"] = v.catalog_id;
  j["requirement_id"] = v.requirement_id;
  j["title"] = v.title;
  j["assessed"] = v.assessed;
  j["updated_at"] = opt(v.updated_at);
  j["updated_by"] = opt(v.updated_by);
  j["revision"] = v.revision;
  j["deviation_overdue"] = v.deviation_overdue;
  j["has_current_evidence"] = v.has_current_evidence;
  if (detail) {
    json evidence = json::array();
    for (const auto& e : v.evidence)
      evidence.push_back({{"id", e.evidence.id},
                          {"title", e.evidence.title},
                          {"valid_until", opt(e.evidence.valid_until)},
                          {"current", e.current},
                          {"linked_to", e.linked_to},
                          {"through_mapping", e.through_mapping}});
    j["evidence"] = evidence;
    json history = json::array();
    for (const auto& h : v.history)
      history.push_back({{"revision", h.revision},
                         {"at", h.at},
                         {"actor", h.actor},
                         {"before", h.before_state.empty() ? json(nullptr) : json::parse(h.before_state, nullptr, false)},
                         {"after", json::parse(h.after_state, nullptr, false)}});
    j["history"] = history;
  }
  return j;
}

Result<Assessment> assessment_from_json(const nlohmann::json& j, Assessment a) {
  if (!j.is_object()) return make_error(ErrorCode::invalid_argument, "the body must be a JSON object");
  static const std::set<std::string> known = {"status",    "justification", "owner",        "how_met",
                                              "links",     "deviation",     "deviation_due", "next_review"};
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key))
      return make_error(ErrorCode::invalid_argument,
                        key.substr(0, 40) + ": unknown field; use status, justification, owner, how_met, links, "
                                            "deviation, deviation_due or next_review");
    if (key == "links") continue;
    if (value.is_null() && (key == "deviation_due" || key == "next_review")) {
      (key == "deviation_due" ? a.deviation_due : a.next_review).clear();
      continue;
    }
    if (!value.is_string()) return make_error(ErrorCode::invalid_argument, key + ": must be a string");
    const auto text = value.get<std::string>();
    if (key == "status") a.status = text;
    if (key == "justification") a.justification = text;
    if (key == "owner") a.owner = text;
    if (key == "how_met") a.how_met = text;
    if (key == "deviation") a.deviation = text;
    if (key == "deviation_due") a.deviation_due = text;
    if (key == "next_review") a.next_review = text;
  }
  if (j.contains("links")) {
    const auto& links = j["links"];
    if (!links.is_array())
      return make_error(ErrorCode::invalid_argument, "links: must be an array of {\"type\": ..., \"id\": ...}");
    a.links.clear();
    for (std::size_t i = 0; i < links.size(); ++i) {
      const auto& l = links[i];
      const std::string where = "links[" + std::to_string(i) + "]";
      if (!l.is_object() || !l.contains("type") || !l.contains("id") || !l["type"].is_string() || !l["id"].is_string())
        return make_error(ErrorCode::invalid_argument, where + ": must be an object with string members type and id");
      a.links.push_back({l["type"].get<std::string>(), l["id"].get<std::string>()});
    }
  }
  return a;
}

AssessmentService::AssessmentService(Installation& inst, TimeSource clock) : inst_(inst), clock_(std::move(clock)) {}

Result<std::vector<AssessmentView>> AssessmentService::list(const Actor& actor, const AssessmentQuery& q) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  if (!q.status.empty() && !is_assessment_status(q.status))
    return make_error(ErrorCode::invalid_argument,
                      "status: unknown status '" + q.status.substr(0, 40) +
                          "'; use not_assessed, not_met, partly_met, met or not_applicable");
  auto catalogues = compliance::load_catalogues(inst_);
  if (!catalogues) return catalogues.error();
  const Catalog* catalog = catalogues->find(q.catalog_id);
  if (!catalog)
    return make_error(ErrorCode::not_found,
                      "catalog: no catalogue '" + q.catalog_id.substr(0, 64) + "'; 'tillit catalog list' shows them");
  std::vector<compliance::ResolvedRequirement> requirements;
  std::vector<std::string> keys;
  for (const auto& r : catalog->requirements) {
    requirements.push_back({catalog, &r});
    for (auto& k : compliance::related_keys(*catalogues, requirements.back())) keys.push_back(std::move(k));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto stored = store::list_assessments(**tx, catalog->id);
  if (!stored) return stored.error();
  auto evidence = compliance::evidence_for(**tx, keys);
  if (!evidence) return evidence.error();
  std::map<std::string, store::AssessmentRecord> by_id;
  for (auto& a : *stored) by_id.emplace(a.requirement_id, std::move(a));
  const auto today = date_of(clock_());
  std::vector<AssessmentView> out;
  for (const auto& r : requirements) {
    const auto found = by_id.find(r.requirement->id);
    auto v = view_of(*catalogues, r,
                     found == by_id.end() ? std::nullopt : std::optional<store::AssessmentRecord>(found->second),
                     *evidence, today, q.lang);
    if (!q.status.empty() && v.assessment.status != q.status) continue;
    if (q.overdue_only && !v.deviation_overdue) continue;
    v.evidence.clear();  // the list shows whether there is current evidence; get shows which
    out.push_back(std::move(v));
  }
  return out;
}

Result<AssessmentView> AssessmentService::get(const Actor& actor, std::string_view reference, std::string_view lang) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  auto catalogues = compliance::load_catalogues(inst_);
  if (!catalogues) return catalogues.error();
  auto r = compliance::resolve(*catalogues, reference, "requirement");
  if (!r) return r.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto stored = store::find_assessment(**tx, r->catalog->id, r->requirement->id);
  if (!stored) return stored.error();
  auto evidence = compliance::evidence_for(**tx, compliance::related_keys(*catalogues, *r));
  if (!evidence) return evidence.error();
  auto history = store::assessment_history(**tx, r->catalog->id, r->requirement->id);
  if (!history) return history.error();
  auto v = view_of(*catalogues, *r, *stored, *evidence, date_of(clock_()), lang);
  v.history = std::move(*history);
  return v;
}

Result<AssessmentView> AssessmentService::set(const Actor& actor, std::string_view reference, const Assessment& a) {
  if (auto s = authorize(actor, Permission::compliance_manage); !s) return s.error();
  auto catalogues = compliance::load_catalogues(inst_);
  if (!catalogues) return catalogues.error();
  auto r = compliance::resolve(*catalogues, reference, "requirement");
  if (!r) return r.error();
  const Timestamp now = clock_();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  // The evidence is read in the same write transaction, so "met" cannot slip past a
  // concurrent unlink.
  auto evidence = compliance::evidence_for(**tx, compliance::related_keys(*catalogues, *r));
  if (!evidence) return evidence.error();
  const auto today = date_of(now);
  bool has_current = false;
  for (const auto& [key, links] : *evidence)
    for (const auto& l : links) has_current = has_current || evidence_current(l.evidence.valid_until, today);
  if (auto s = validate_assessment(a, has_current); !s) return s.error();

  auto before = store::find_assessment(**tx, r->catalog->id, r->requirement->id);
  if (!before) return before.error();
  const json before_json = *before ? to_json(assessment_of(**before)) : json(nullptr);
  const json after_json = to_json(a);
  if (*before && before_json == after_json) return get(actor, r->key());  // nothing changed: no history row
  store::AssessmentRecord record{r->catalog->id, r->requirement->id, a.status, a.justification, a.owner, a.how_met,
                                 links_json(a.links).dump(), a.deviation, a.deviation_due, a.next_review,
                                 format_rfc3339(now), actor.id, *before ? (*before)->revision + 1 : 1};
  if (auto s = store::save_assessment(**tx, record); !s) return s.error();
  if (auto s = store::insert_assessment_history(
          **tx, {0, record.catalog_id, record.requirement_id, record.revision, record.updated_at, actor.id,
                 before_json.is_null() ? "" : before_json.dump(), after_json.dump()});
      !s)
    return s.error();
  if (auto e = inst_.record(**tx, actor, "assessment.set", "requirement", r->key(),
                            {{"revision", record.revision}, {"before", before_json}, {"after", after_json}});
      !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, r->key());
}

}  // namespace tillit::services
