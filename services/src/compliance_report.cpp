// Gathering the compliance report and the Statement of Applicability: one read transaction
// each, so the audit head printed on a report is the head at the moment its data was read.
#include "tillit/services/compliance_report.h"

#include "compliance_report_duties.h"

#include <map>
#include <set>

#include "tillit/content/catalog_loader.h"
#include "tillit/core/applicability.h"
#include "tillit/core/assessment.h"
#include "tillit/crypto/crypto.h"
#include "tillit/store/audit_store.h"
#include "tillit/store/compliance_repository.h"
#include "tillit/store/repositories.h"

namespace tillit::services {

namespace {

constexpr const char* kAnnex = "annex";
constexpr const char* kIso = "iso27001-2022";

// A date alone is midnight UTC at its start; as the end of a period, the whole of that day.
Result<Timestamp> period_bound(const std::string& text, const char* name, bool end) {
  if (text.empty())
    return make_error(ErrorCode::invalid_argument, std::string("'") + name + "' is missing; give a date (YYYY-MM-DD)");
  auto t = parse_rfc3339(text);
  if (!t) return make_error(ErrorCode::invalid_argument, std::string("'") + name + "': " + t.error().message);
  if (end && text.size() == 10) return *t + std::chrono::days(1) - std::chrono::milliseconds(1);
  return *t;
}

const Catalog* builtin(std::string_view id) {
  for (const auto& c : content::builtin_catalogs())
    if (c.id == id) return &c;
  return nullptr;
}

std::string display_name(const Actor& actor) { return actor.username.empty() ? actor.id : actor.username; }

// What every report carries about where it came from: the installation and the audit head,
// read in the caller's transaction.
Status read_provenance(store::Transaction& tx, std::string& installation_id, AuditHeadAtReport& head) {
  auto installation = store::load_installation(tx);
  if (!installation) return installation.error();
  if (*installation) installation_id = (*installation)->installation_id;
  auto h = store::AuditStore::head(tx);
  if (!h) return h.error();
  if (*h) head = {(*h)->seq, (*h)->hash};
  return {};
}

// The assessments of one catalogue by requirement id.
Result<std::map<std::string, store::AssessmentRecord>> assessments_of(store::Transaction& tx, const char* catalog) {
  auto all = store::list_assessments(tx, catalog);
  if (!all) return all.error();
  std::map<std::string, store::AssessmentRecord> by_id;
  for (auto& a : *all) by_id.emplace(a.requirement_id, std::move(a));
  return by_id;
}

// Evidence for one requirement: linked to it, or to a control it maps to (the compliance
// feature lets evidence for a control serve every requirement mapped to it). The current
// version is the newest; `today` decides whether the evidence is still valid.
Result<std::vector<ReportEvidence>> evidence_for(store::Transaction& tx, const Requirement& req,
                                                 const std::string& last_day) {
  std::vector<std::string> targets{std::string(kAnnex) + ":" + req.id};
  for (const auto& m : req.maps_to)
    for (const auto& c : m.controls) targets.push_back(m.catalog + ":" + c);
  auto linked = store::evidence_linked_to(tx, "requirement", targets);
  if (!linked) return linked.error();
  std::vector<ReportEvidence> out;
  std::set<std::int64_t> seen;
  for (const auto& l : *linked) {
    if (!seen.insert(l.evidence.id).second) continue;
    ReportEvidence e;
    e.id = l.evidence.id;
    e.title = l.evidence.title;
    e.valid_until = l.evidence.valid_until;
    e.current = evidence_current(e.valid_until, last_day);
    e.via = l.link.target_id == targets.front() ? "" : l.link.target_id;
    auto versions = store::evidence_versions(tx, e.id);
    if (!versions) return versions.error();
    if (!versions->empty()) {
      const auto& v = versions->front();
      e.version = v.version;
      e.file_name = v.file_name;
      e.sha256 = v.sha256;
      e.uploaded_at = v.uploaded_at;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<ComplianceFormat> compliance_format_from_string(std::string_view text) {
  if (text == "pdf") return ComplianceFormat::pdf;
  if (text == "html") return ComplianceFormat::html;
  if (text == "csv") return ComplianceFormat::csv;
  if (text == "json") return ComplianceFormat::json;
  if (text == "oscal") return ComplianceFormat::oscal;
  return make_error(ErrorCode::invalid_argument, "unknown report format '" + std::string(text.substr(0, 20)) +
                                                     "'; choose pdf, html, csv, json or oscal");
}

const char* to_string(ComplianceFormat f) {
  switch (f) {
    case ComplianceFormat::pdf: return "pdf";
    case ComplianceFormat::html: return "html";
    case ComplianceFormat::csv: return "csv";
    case ComplianceFormat::json: return "json";
    case ComplianceFormat::oscal: return "oscal";
  }
  return "pdf";
}

Result<ComplianceReport> ComplianceReportService::gather(const Actor& actor, const std::string& from,
                                                         const std::string& to, const std::string& language) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  auto lang = report_language_from_string(language);
  if (!lang) return lang.error();
  auto begin = period_bound(from, "from", false);
  if (!begin) return begin.error();
  auto end = period_bound(to, "to", true);
  if (!end) return end.error();
  if (*end < *begin) return make_error(ErrorCode::invalid_argument, "the period ends before it begins; swap 'from' and 'to'");
  const Catalog* annex = builtin(kAnnex);
  if (!annex) return make_error(ErrorCode::internal, "the built-in annex catalogue is missing");

  const Timestamp now = clock_();
  ComplianceReport report;
  report.from = format_rfc3339(*begin);
  report.to = format_rfc3339(*end);
  report.generated_at = format_rfc3339(now);
  report.generated_by = display_name(actor);
  report.catalog_id = annex->id;
  report.catalog_name = annex->name.in(*lang);
  report.catalog_version = annex->version;
  report.language = *lang;
  const std::string today = date_of(now);
  const std::string last_day = report.to.substr(0, 10);

  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  if (auto s = read_provenance(**tx, report.installation_id, report.audit_head); !s) return s.error();
  auto assessments = assessments_of(**tx, kAnnex);
  if (!assessments) return assessments.error();
  ActorNames names(**tx);

  for (const auto& req : annex->requirements) {
    ReportRequirement r;
    r.id = req.id;
    r.title = req.title.in(*lang);
    r.category = req.category.in(*lang);
    for (const auto& m : req.maps_to)
      if (m.catalog == kIso) r.iso_controls = m.controls;
    if (auto it = assessments->find(req.id); it != assessments->end()) {
      const auto& a = it->second;
      r.status = a.status;
      r.justification = a.justification;
      r.owner = a.owner;
      r.how_met = a.how_met;
      r.assessed_at = a.updated_at;
      r.assessed_by = names(a.updated_by);
      if (!a.deviation.empty()) {
        Assessment as;
        as.deviation = a.deviation;
        as.deviation_due = a.deviation_due;
        r.deviation = ReportDeviation{a.deviation, a.deviation_due, deviation_overdue(as, today)};
      }
    }
    auto evidence = evidence_for(**tx, req, last_day);
    if (!evidence) return evidence.error();
    r.evidence = std::move(*evidence);
    report.requirements.push_back(std::move(r));
  }
  report.duties_available = true;
  if (auto s = gather_duties(**tx, names, report.from.substr(0, 10), last_day, today, *lang, report.duties_completed,
                             report.duties_missed);
      !s)
    return s.error();
  return report;
}

Result<StatementOfApplicability> ComplianceReportService::gather_soa(const Actor& actor, const std::string& language) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  auto lang = report_language_from_string(language);
  if (!lang) return lang.error();
  const Catalog* iso = builtin(kIso);
  const Catalog* annex = builtin(kAnnex);
  if (!iso || !annex) return make_error(ErrorCode::internal, "the built-in ISO/IEC 27001 or annex catalogue is missing");

  StatementOfApplicability soa;
  soa.generated_at = format_rfc3339(clock_());
  soa.generated_by = display_name(actor);
  soa.catalog_version = iso->version;
  soa.language = *lang;

  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  if (auto s = read_provenance(**tx, soa.installation_id, soa.audit_head); !s) return s.error();
  auto own = assessments_of(**tx, kIso);
  if (!own) return own.error();
  auto annex_assessed = assessments_of(**tx, kAnnex);
  if (!annex_assessed) return annex_assessed.error();

  const std::vector<const Catalog*> catalogs{annex};
  for (const auto& control : iso->requirements) {
    SoaControl c;
    c.id = control.id;
    c.title = control.title.in(*lang);
    c.theme = control.category.in(*lang);
    std::optional<AssessedStatus> own_status;
    if (auto it = own->find(control.id); it != own->end())
      own_status = AssessedStatus{it->second.status, it->second.justification};
    std::vector<AssessedStatus> mapped;
    for (const auto& ref : requirements_mapping_to(catalogs, kIso, control.id)) {
      c.annex_requirements.push_back(ref.requirement->id);
      auto it = annex_assessed->find(ref.requirement->id);
      mapped.push_back(it == annex_assessed->end() ? AssessedStatus{"not_assessed", ""}
                                                   : AssessedStatus{it->second.status, it->second.justification});
    }
    const Applicability a = decide_applicability(own_status, mapped);
    c.applicable = a.applicable;
    c.implementation = a.implementation;
    c.justification = a.justification;
    c.basis = a.basis == ApplicabilityBasis::own_assessment        ? "own_assessment"
              : a.basis == ApplicabilityBasis::mapped_requirements ? "mapped_requirements"
                                                                   : "no_mapping";
    soa.controls.push_back(std::move(c));
  }
  return soa;
}

Status ComplianceReportService::record_report(const Actor& actor, const std::string& which,
                                              const nlohmann::json& details) {
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto e = inst_.record(**tx, actor, "report." + which, "report", which, details); !e) return e.error();
  return (*tx)->commit();
}

Result<ReportFile> ComplianceReportService::compliance_file(const Actor& actor, const std::string& from,
                                                            const std::string& to, ComplianceFormat format,
                                                            const std::string& language) {
  auto report = gather(actor, from, to, language);
  if (!report) return report.error();
  auto file = render_compliance_report(*report, format);
  if (!file) return file.error();
  // Who took which report of which period, and a hash that identifies the file they got.
  if (auto s = record_report(actor, "compliance",
                             {{"from", report->from},
                              {"to", report->to},
                              {"format", to_string(format)},
                              {"audit_seq", report->audit_head.seq},
                              {"sha256", crypto::to_hex(crypto::sha256(file->content))}});
      !s)
    return s.error();
  return file;
}

Result<ReportFile> ComplianceReportService::soa_file(const Actor& actor, ComplianceFormat format,
                                                     const std::string& language) {
  if (format != ComplianceFormat::pdf && format != ComplianceFormat::csv)
    return make_error(ErrorCode::invalid_argument, "the Statement of Applicability is pdf or csv");
  auto soa = gather_soa(actor, language);
  if (!soa) return soa.error();
  auto file = render_soa(*soa, format);
  if (!file) return file.error();
  if (auto s = record_report(actor, "soa",
                             {{"format", to_string(format)},
                              {"audit_seq", soa->audit_head.seq},
                              {"sha256", crypto::to_hex(crypto::sha256(file->content))}});
      !s)
    return s.error();
  return file;
}

}  // namespace tillit::services
