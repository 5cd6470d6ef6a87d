// Renderers of the compliance report and the Statement of Applicability: pure functions of
// the gathered structs (services/compliance_report.h). PDF and CSV go through render/ (one
// Document, one Table, so the two always show the same rows), HTML through an embedded
// mustache template (which escapes every value), JSON through nlohmann_json.
#include <kainjow/mustache.hpp>

#include <map>

#include "tillit/crypto/crypto.h"
#include "tillit/render/csv.h"
#include "tillit/render/pdf.h"
#include "tillit/services/compliance_report.h"

namespace tillit::services::embedded {
std::optional<std::string_view> find(std::string_view name);  // generated: tillit_services_files
}

namespace tillit::services {

namespace {

using json = nlohmann::json;

// The words a report adds itself, in its language.
struct Words {
  const char *title, *intro, *summary, *requirements, *evidence, *deviations, *duties_completed, *duties_missed,
      *no_duty_records, *none;
  const char *col_section, *col_id, *col_title, *col_category, *col_status, *col_justification, *col_owner,
      *col_evidence, *col_deviation, *col_date, *col_late, *col_iso, *col_count, *col_version, *col_sha256,
      *col_valid_until, *col_completed, *col_duty;
  const char *yes, *no, *via, *catalogue, *audit_head, *installation;
  const char *section_requirement, *section_duty_completed, *section_duty_missed;
  const char *soa_title, *soa_intro, *col_control, *col_theme, *col_applicable, *col_implementation, *col_annex,
      *col_basis;
  std::map<std::string, const char*> statuses;
  std::map<std::string, const char*> bases;
};

// clang-format off
const Words kSwedish{
    "Efterlevnadsrapport – säkerhetsbilagan",
    "Rapporten redovisar för varje krav i säkerhetsbilagan dess status, motivering, ansvarig, bevis med "
    "SHA-256-kontrollsummor, avvikelser med planerade datum och de återkommande uppgifter som utförts eller "
    "missats under perioden. Uppgifterna lästes i en och samma databastransaktion; granskningsloggens huvud "
    "(sekvensnummer och hash) anges ovan och binder rapporten till loggen vid just den tidpunkten.",
    "Sammanfattning", "Krav", "Bevis", "Avvikelser", "Utförda uppgifter under perioden",
    "Missade uppgifter under perioden",
    "Installationen för inga register över återkommande uppgifter ännu.",
    "Inga.",
    "Avsnitt", "Krav", "Rubrik", "Kategori", "Status", "Motivering", "Ansvarig", "Bevis", "Avvikelse",
    "Planerat datum", "Försenad", "ISO/IEC 27001", "Antal", "Version", "SHA-256", "Giltigt till och med",
    "Utförd", "Uppgift",
    "ja", "nej", "via", "Katalog", "Granskningsloggens huvud", "Installation",
    "krav", "utförd uppgift", "missad uppgift",
    "Uttalande om tillämplighet – ISO/IEC 27001:2022 bilaga A",
    "Varje säkerhetsåtgärd i ISO/IEC 27001:2022 bilaga A med om den är tillämplig, motivering när den inte är "
    "det, genomförandestatus och de krav i säkerhetsbilagan som avbildas på den. En åtgärd som inte bedömts "
    "själv får sin status från de krav som avbildas på den; en åtgärd utan sådana krav redovisas som tillämplig "
    "och ej bedömd, eftersom undantag alltid kräver en motivering.",
    "Åtgärd", "Tema", "Tillämplig", "Genomförande", "Krav i bilagan", "Grund",
    {{"not_assessed", "ej bedömt"}, {"not_met", "ej uppfyllt"}, {"partly_met", "delvis uppfyllt"},
     {"met", "uppfyllt"}, {"not_applicable", "ej tillämpligt"}},
    {{"own_assessment", "egen bedömning"}, {"mapped_requirements", "krav i bilagan"},
     {"no_mapping", "inget krav avbildat"}},
};

const Words kEnglish{
    "Compliance report – security annex",
    "For every requirement of the security annex, this report gives its status, justification, owner, evidence "
    "with SHA-256 checksums, deviations with planned dates, and the recurring duties completed or missed in the "
    "period. The data was read in one database transaction; the audit log's head (sequence number and hash) "
    "above ties the report to the log at that moment.",
    "Summary", "Requirements", "Evidence", "Deviations", "Duties completed in the period",
    "Duties missed in the period",
    "This installation keeps no records of recurring duties yet.",
    "None.",
    "Section", "Requirement", "Title", "Category", "Status", "Justification", "Owner", "Evidence", "Deviation",
    "Planned date", "Late", "ISO/IEC 27001", "Count", "Version", "SHA-256", "Valid until",
    "Completed", "Duty",
    "yes", "no", "via", "Catalogue", "Audit log head", "Installation",
    "requirement", "duty completed", "duty missed",
    "Statement of Applicability – ISO/IEC 27001:2022 Annex A",
    "Every information security control of ISO/IEC 27001:2022 Annex A: whether it applies, why not when it does "
    "not, its implementation status and the annex requirements mapped to it. A control not assessed itself takes "
    "its status from the requirements mapped to it; one with no such requirement is listed as applicable and not "
    "assessed, because an exclusion always needs a justification.",
    "Control", "Theme", "Applicable", "Implementation", "Annex requirements", "Basis",
    {{"not_assessed", "not assessed"}, {"not_met", "not met"}, {"partly_met", "partly met"},
     {"met", "met"}, {"not_applicable", "not applicable"}},
    {{"own_assessment", "own assessment"}, {"mapped_requirements", "annex requirements"},
     {"no_mapping", "no requirement mapped"}},
};
// clang-format on

const Words& words(const std::string& language) { return language == "en" ? kEnglish : kSwedish; }

std::string word(const std::map<std::string, const char*>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? key : it->second;
}

std::string joined(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string period_text(const std::string& from, const std::string& to) {
  return from.substr(0, 10) + " – " + to.substr(0, 10);
}

std::string audit_head_text(const AuditHeadAtReport& h) { return std::to_string(h.seq) + " / " + h.hash; }

// "Policy (v2, policy.pdf)" and, for evidence that reaches the requirement through a mapped
// control, "via iso27001-2022:A.5.1".
std::string evidence_label(const Words& w, const ReportEvidence& e) {
  std::string s = e.title;
  if (e.version > 0) s += " (v" + std::to_string(e.version) + (e.file_name.empty() ? "" : ", " + e.file_name) + ")";
  if (!e.via.empty()) s += " " + std::string(w.via) + " " + e.via;
  return s;
}

std::string stem_of(const ComplianceReport& r) {
  return "compliance-" + r.catalog_id + "-" + r.from.substr(0, 10) + "-" + r.to.substr(0, 10);
}

Timestamp timestamp_of(const std::string& rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  return t ? *t : Timestamp{};
}

// The one CSV table: a section column first, so requirements and duties share the file.
render::Table csv_table(const ComplianceReport& r) {
  const Words& w = words(r.language);
  render::Table t;
  for (const char* h : {w.col_section, w.col_id, w.col_title, w.col_category, w.col_status, w.col_justification,
                        w.col_owner, w.col_evidence, w.col_deviation, w.col_date, w.col_late, w.col_iso})
    t.columns.push_back({h});
  for (const auto& q : r.requirements) {
    std::vector<std::string> evidence;
    for (const auto& e : q.evidence)
      evidence.push_back(evidence_label(w, e) + " sha256:" + (e.sha256.empty() ? "-" : e.sha256) +
                         (e.valid_until.empty() ? "" : " " + std::string(w.col_valid_until) + " " + e.valid_until));
    t.rows.push_back({w.section_requirement, q.id, q.title, q.category, word(w.statuses, q.status), q.justification,
                      q.owner, joined(evidence, "; "), q.deviation ? q.deviation->text : "",
                      q.deviation ? q.deviation->planned_date : "", q.deviation ? (q.deviation->late ? w.yes : w.no) : "",
                      joined(q.iso_controls)});
  }
  auto duty_row = [&](const char* section, const ReportDuty& d, const std::string& status) {
    t.rows.push_back({section, d.requirement, d.duty, "", status, d.completed_at, d.completed_by, "", "", d.due, "", ""});
  };
  for (const auto& d : r.duties_completed) duty_row(w.section_duty_completed, d, w.col_completed);
  for (const auto& d : r.duties_missed) duty_row(w.section_duty_missed, d, w.section_duty_missed);
  return t;
}

render::Document pdf_document(const ComplianceReport& r, const std::string& csv_sha256) {
  const Words& w = words(r.language);
  render::Document doc;
  doc.language = r.language == "en" ? render::Language::en : render::Language::sv;
  doc.title = w.title;
  doc.subtitle = r.catalog_name;
  doc.metadata.period = period_text(r.from, r.to);
  doc.metadata.generated_at = timestamp_of(r.generated_at);
  doc.metadata.generated_by = r.generated_by;
  doc.metadata.report_id = stem_of(r);
  doc.metadata.data_sha256 = csv_sha256;
  doc.metadata.extra = {{w.catalogue, r.catalog_id + " " + r.catalog_version},
                        {w.installation, r.installation_id},
                        {w.audit_head, audit_head_text(r.audit_head)}};
  doc.footer_note = std::string(w.title) + " · " + period_text(r.from, r.to);
  doc.blocks.push_back(render::Paragraph{w.intro});

  std::map<std::string, int> counts;
  for (const auto& q : r.requirements) ++counts[q.status];
  render::Table summary{{{w.col_status, 2}, {w.col_count, 1, render::Align::right}}, {}};
  for (const char* s : {"met", "partly_met", "not_met", "not_applicable", "not_assessed"})
    summary.rows.push_back({word(w.statuses, s), std::to_string(counts[s])});
  doc.blocks.push_back(render::Heading{1, w.summary});
  doc.blocks.push_back(summary);

  render::Table reqs{{{w.col_id, 0.6}, {w.col_title, 2.2}, {w.col_status, 1.0}, {w.col_owner, 1.0},
                      {w.col_justification, 1.8}, {w.col_iso, 1.0}},
                     {}};
  render::Table evidence{{{w.col_id, 0.6}, {w.col_evidence, 2.0}, {w.col_valid_until, 1.0}, {w.col_sha256, 2.4}}, {}};
  render::Table deviations{{{w.col_id, 0.6}, {w.col_deviation, 3.0}, {w.col_date, 1.0}, {w.col_late, 0.7}}, {}};
  for (const auto& q : r.requirements) {
    reqs.rows.push_back({q.id, q.title, word(w.statuses, q.status), q.owner, q.justification, joined(q.iso_controls)});
    for (const auto& e : q.evidence)
      evidence.rows.push_back({q.id, evidence_label(w, e), e.valid_until.empty() ? "–" : e.valid_until,
                               e.sha256.empty() ? "–" : e.sha256});
    if (q.deviation)
      deviations.rows.push_back({q.id, q.deviation->text, q.deviation->planned_date, q.deviation->late ? w.yes : w.no});
  }
  auto section = [&](const char* heading, const render::Table& table) {
    doc.blocks.push_back(render::Heading{1, heading});
    if (table.rows.empty())
      doc.blocks.push_back(render::Paragraph{w.none});
    else
      doc.blocks.push_back(table);
  };
  section(w.requirements, reqs);
  section(w.evidence, evidence);
  section(w.deviations, deviations);
  if (!r.duties_available) {
    doc.blocks.push_back(render::Heading{1, w.duties_completed});
    doc.blocks.push_back(render::Paragraph{w.no_duty_records});
    return doc;
  }
  render::Table done{{{w.col_id, 0.6}, {w.col_duty, 2.4}, {w.col_date, 1.0}, {w.col_completed, 1.4}, {w.col_owner, 1.0}},
                     {}};
  for (const auto& d : r.duties_completed) done.rows.push_back({d.requirement, d.duty, d.due, d.completed_at, d.completed_by});
  render::Table missed{{{w.col_id, 0.6}, {w.col_duty, 3.0}, {w.col_date, 1.0}}, {}};
  for (const auto& d : r.duties_missed) missed.rows.push_back({d.requirement, d.duty, d.due});
  section(w.duties_completed, done);
  section(w.duties_missed, missed);
  return doc;
}

std::string html_report(const ComplianceReport& r) {
  using kainjow::mustache::data;
  using kainjow::mustache::list;
  const Words& w = words(r.language);
  auto text = services::embedded::find("compliance_report.mustache");
  data view{data::type::object};
  view.set("lang", r.language);
  view.set("title", w.title);
  view.set("intro", w.intro);
  view.set("catalog", r.catalog_name + " (" + r.catalog_id + " " + r.catalog_version + ")");
  view.set("period", period_text(r.from, r.to));
  view.set("from", r.from);
  view.set("to", r.to);
  view.set("generated_at", r.generated_at);
  view.set("generated_by", r.generated_by);
  view.set("installation", r.installation_id);
  view.set("audit_seq", std::to_string(r.audit_head.seq));
  view.set("audit_hash", r.audit_head.hash);
  data labels{data::type::object};
  const std::pair<const char*, const char*> label_list[] = {
      {"catalogue", w.catalogue},  {"audit_head", w.audit_head},   {"installation", w.installation},
      {"requirements", w.requirements}, {"evidence", w.evidence}, {"deviations", w.deviations},
      {"duties_completed", w.duties_completed}, {"duties_missed", w.duties_missed}, {"none", w.none},
      {"no_duty_records", w.no_duty_records}, {"col_id", w.col_id}, {"col_title", w.col_title},
      {"col_category", w.col_category}, {"col_status", w.col_status}, {"col_justification", w.col_justification},
      {"col_owner", w.col_owner}, {"col_evidence", w.col_evidence}, {"col_deviation", w.col_deviation},
      {"col_date", w.col_date}, {"col_late", w.col_late}, {"col_iso", w.col_iso}, {"col_sha256", w.col_sha256},
      {"col_valid_until", w.col_valid_until}, {"col_completed", w.col_completed}, {"col_duty", w.col_duty}};
  for (const auto& [key, value] : label_list) labels.set(key, value);
  labels.set("period", "Period");  // the same word in both languages
  labels.set("generated", r.language == "en" ? "Generated" : "Skapad");
  view.set("w", labels);

  list reqs, evidence, deviations, done, missed;
  for (const auto& q : r.requirements) {
    data row{data::type::object};
    row.set("id", q.id);
    row.set("title", q.title);
    row.set("category", q.category);
    row.set("status", word(w.statuses, q.status));
    row.set("status_key", q.status);
    row.set("justification", q.justification);
    row.set("owner", q.owner);
    row.set("iso", joined(q.iso_controls));
    reqs.push_back(row);
    for (const auto& e : q.evidence) {
      data er{data::type::object};
      er.set("id", q.id);
      er.set("label", evidence_label(w, e));
      er.set("valid_until", e.valid_until.empty() ? "–" : e.valid_until);
      er.set("sha256", e.sha256.empty() ? "–" : e.sha256);
      evidence.push_back(er);
    }
    if (q.deviation) {
      data dr{data::type::object};
      dr.set("id", q.id);
      dr.set("text", q.deviation->text);
      dr.set("date", q.deviation->planned_date);
      dr.set("late", q.deviation->late ? w.yes : w.no);
      deviations.push_back(dr);
    }
  }
  for (const auto& d : r.duties_completed) {
    data row{data::type::object};
    row.set("id", d.requirement);
    row.set("duty", d.duty);
    row.set("due", d.due);
    row.set("completed_at", d.completed_at);
    row.set("completed_by", d.completed_by);
    done.push_back(row);
  }
  for (const auto& d : r.duties_missed) {
    data row{data::type::object};
    row.set("id", d.requirement);
    row.set("duty", d.duty);
    row.set("due", d.due);
    missed.push_back(row);
  }
  const auto put = [&](const char* name, list& l) {
    view.set("has_" + std::string(name), data(l.empty() ? data::type::bool_false : data::type::bool_true));
    view.set(name, l);
  };
  put("requirements", reqs);
  put("evidence", evidence);
  put("deviations", deviations);
  put("done", done);
  put("missed", missed);
  view.set("duties_available", data(r.duties_available ? data::type::bool_true : data::type::bool_false));
  kainjow::mustache::mustache tmpl{std::string(text.value_or(""))};
  return tmpl.render(view);
}

json evidence_json(const ReportEvidence& e) {
  return {{"id", e.id},           {"title", e.title},          {"version", e.version},
          {"file_name", e.file_name}, {"sha256", e.sha256},    {"uploaded_at", e.uploaded_at},
          {"valid_until", e.valid_until.empty() ? json(nullptr) : json(e.valid_until)},
          {"current", e.current}, {"via", e.via.empty() ? json(nullptr) : json(e.via)}};
}

json duty_json(const ReportDuty& d) {
  return {{"duty", d.duty}, {"requirement", d.requirement}, {"due", d.due},
          {"completed_at", d.completed_at.empty() ? json(nullptr) : json(d.completed_at)},
          {"completed_by", d.completed_by.empty() ? json(nullptr) : json(d.completed_by)}};
}

ReportFile csv_file(const render::Table& table, const std::string& stem) {
  std::string csv = render::render_csv(table, {.byte_order_mark = true});
  std::string digest = crypto::to_hex(crypto::sha256(csv));
  return {std::move(csv), "text/csv; charset=utf-8", stem + ".csv", std::move(digest)};
}

}  // namespace

json to_json(const ComplianceReport& r) {
  json reqs = json::array();
  for (const auto& q : r.requirements) {
    json evidence = json::array();
    for (const auto& e : q.evidence) evidence.push_back(evidence_json(e));
    json deviation = nullptr;
    if (q.deviation)
      deviation = {{"text", q.deviation->text},
                   {"planned_date", q.deviation->planned_date.empty() ? json(nullptr) : json(q.deviation->planned_date)},
                   {"late", q.deviation->late}};
    reqs.push_back({{"id", q.id},
                    {"title", q.title},
                    {"category", q.category},
                    {"status", q.status},
                    {"justification", q.justification},
                    {"owner", q.owner},
                    {"how_met", q.how_met},
                    {"assessed_at", q.assessed_at.empty() ? json(nullptr) : json(q.assessed_at)},
                    {"assessed_by", q.assessed_by.empty() ? json(nullptr) : json(q.assessed_by)},
                    {"iso27001_controls", q.iso_controls},
                    {"evidence", evidence},
                    {"deviation", deviation}});
  }
  json done = json::array(), missed = json::array();
  for (const auto& d : r.duties_completed) done.push_back(duty_json(d));
  for (const auto& d : r.duties_missed) missed.push_back(duty_json(d));
  return {{"from", r.from},
          {"to", r.to},
          {"generated_at", r.generated_at},
          {"generated_by", r.generated_by},
          {"installation_id", r.installation_id},
          {"catalog", {{"id", r.catalog_id}, {"name", r.catalog_name}, {"version", r.catalog_version}}},
          {"language", r.language},
          {"audit_head", {{"seq", r.audit_head.seq}, {"hash", r.audit_head.hash}}},
          {"requirements", reqs},
          {"duties", {{"recorded", r.duties_available}, {"completed", done}, {"missed", missed}}}};
}

json to_json(const StatementOfApplicability& s) {
  json controls = json::array();
  for (const auto& c : s.controls)
    controls.push_back({{"id", c.id},
                        {"title", c.title},
                        {"theme", c.theme},
                        {"applicable", c.applicable},
                        {"implementation", c.implementation.empty() ? json(nullptr) : json(c.implementation)},
                        {"justification", c.justification},
                        {"basis", c.basis},
                        {"annex_requirements", c.annex_requirements}});
  return {{"generated_at", s.generated_at}, {"generated_by", s.generated_by},
          {"installation_id", s.installation_id}, {"catalog_version", s.catalog_version},
          {"audit_head", {{"seq", s.audit_head.seq}, {"hash", s.audit_head.hash}}}, {"controls", controls}};
}

Result<ReportFile> render_compliance_report(const ComplianceReport& r, ComplianceFormat format) {
  const std::string stem = stem_of(r);
  switch (format) {
    case ComplianceFormat::json:
      return ReportFile{to_json(r).dump(2) + "\n", "application/json", stem + ".json", ""};
    case ComplianceFormat::oscal:
      return ReportFile{oscal_assessment_results(r).dump(2) + "\n", "application/json", stem + ".oscal.json", ""};
    case ComplianceFormat::html:
      return ReportFile{html_report(r), "text/html; charset=utf-8", stem + ".html", ""};
    case ComplianceFormat::csv:
      return csv_file(csv_table(r), stem);
    case ComplianceFormat::pdf: {
      // The PDF carries the SHA-256 of the CSV made from the same data, tying the two together.
      const ReportFile csv = csv_file(csv_table(r), stem);
      auto pdf = render::render_pdf(pdf_document(r, csv.csv_sha256));
      if (!pdf) return pdf.error();
      return ReportFile{std::move(*pdf), "application/pdf", stem + ".pdf", csv.csv_sha256};
    }
  }
  return make_error(ErrorCode::invalid_argument, "unknown report format");
}

Result<ReportFile> render_soa(const StatementOfApplicability& s, ComplianceFormat format) {
  const Words& w = words(s.language);
  const std::string stem = "statement-of-applicability-" + s.generated_at.substr(0, 10);
  render::Table csv;
  for (const char* h : {w.col_control, w.col_title, w.col_theme, w.col_applicable, w.col_justification,
                        w.col_implementation, w.col_annex, w.col_basis})
    csv.columns.push_back({h});
  render::Table pdf{{{w.col_control, 0.6}, {w.col_title, 2.2}, {w.col_applicable, 0.8}, {w.col_implementation, 1.0},
                     {w.col_annex, 1.0}, {w.col_justification, 1.6}},
                    {}};
  for (const auto& c : s.controls) {
    const std::string applicable = c.applicable ? w.yes : w.no;
    const std::string implementation = c.applicable ? word(w.statuses, c.implementation) : "–";
    csv.rows.push_back({c.id, c.title, c.theme, applicable, c.justification, implementation,
                        joined(c.annex_requirements), word(w.bases, c.basis)});
    pdf.rows.push_back({c.id, c.title, applicable, implementation, joined(c.annex_requirements), c.justification});
  }
  ReportFile file = csv_file(csv, stem);
  if (format == ComplianceFormat::csv) return file;
  if (format != ComplianceFormat::pdf)
    return make_error(ErrorCode::invalid_argument, "the Statement of Applicability is pdf or csv");
  render::Document doc;
  doc.language = s.language == "en" ? render::Language::en : render::Language::sv;
  doc.title = w.soa_title;
  doc.metadata.generated_at = timestamp_of(s.generated_at);
  doc.metadata.generated_by = s.generated_by;
  doc.metadata.report_id = stem;
  doc.metadata.data_sha256 = file.csv_sha256;
  doc.metadata.extra = {{w.catalogue, "iso27001-2022 " + s.catalog_version},
                        {w.installation, s.installation_id},
                        {w.audit_head, audit_head_text(s.audit_head)}};
  doc.footer_note = w.soa_title;
  doc.blocks.push_back(render::Paragraph{w.soa_intro});
  doc.blocks.push_back(pdf);
  auto bytes = render::render_pdf(doc);
  if (!bytes) return bytes.error();
  return ReportFile{std::move(*bytes), "application/pdf", stem + ".pdf", file.csv_sha256};
}

}  // namespace tillit::services
