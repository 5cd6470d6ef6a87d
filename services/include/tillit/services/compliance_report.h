// The compliance report for the customer (the contracting authority and Inköpscentralen) and
// the Statement of Applicability for ISO/IEC 27001:2022 Annex A.
//
// Gathering is separate from rendering: ComplianceReportService reads everything a report
// shows in ONE read transaction (so the audit log's head printed on the report is the head at
// the moment the data was read, and nothing written in between can slip in) into a plain
// struct, and the renderers (compliance_report_render.cpp) turn that struct into PDF, HTML,
// CSV, JSON or an OSCAL assessment-results document without touching the database again.
// Producing a report file is audited (who, which report, which period, the file's SHA-256).
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/services/actor.h"
#include "tillit/services/identity_reports.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"

namespace tillit::services {

// The formats of the compliance report; the SoA is pdf or csv only.
enum class ComplianceFormat { pdf, html, csv, json, oscal };
// "pdf", "html", "csv", "json" or "oscal"; anything else is invalid_argument naming the choices.
Result<ComplianceFormat> compliance_format_from_string(std::string_view text);
const char* to_string(ComplianceFormat f);

struct ReportEvidence {
  std::int64_t id = 0;
  std::string title;
  std::int64_t version = 0;  // the current (newest) version; 0 when nothing was uploaded yet
  std::string file_name;
  std::string sha256;        // hex SHA-256 of the current version's content
  std::string uploaded_at;
  std::string valid_until;   // YYYY-MM-DD, "" for no end
  bool current = true;       // still valid on the last day of the period
  std::string via;           // "" when linked to the requirement itself, else the mapped control ("iso27001-2022:A.5.1")
};

struct ReportDeviation {
  std::string text;
  std::string planned_date;  // YYYY-MM-DD
  bool late = false;         // the planned date had passed on the day the report was made
};

struct ReportRequirement {
  std::string id, title, category;
  std::string status = "not_assessed";  // not_assessed, not_met, partly_met, met, not_applicable
  std::string justification;            // why not applicable
  std::string owner, how_met;
  std::string assessed_at, assessed_by;  // "" when never assessed
  std::vector<std::string> iso_controls;  // the ISO/IEC 27001 controls it maps to
  std::vector<ReportEvidence> evidence;
  std::optional<ReportDeviation> deviation;
};

// One due date of a recurring duty that fell within the period.
struct ReportDuty {
  std::string duty;         // its title
  std::string requirement;  // the requirement that sets it ("K14"), "" for a duty of its own
  std::string due;          // YYYY-MM-DD
  std::string completed_at;  // "" when missed
  std::string completed_by;
};

struct AuditHeadAtReport {
  std::int64_t seq = 0;
  std::string hash;
};

struct ComplianceReport {
  std::string from, to;  // RFC 3339: first and last instant of the period (inclusive)
  std::string generated_at;
  std::string generated_by;  // the person (or "cli")
  std::string installation_id;
  std::string catalog_id, catalog_name, catalog_version;
  std::string language;  // "sv" or "en": the language of titles and the report's words
  std::vector<ReportRequirement> requirements;  // in catalogue order
  bool duties_available = false;  // false: this installation keeps no duty records (yet)
  std::vector<ReportDuty> duties_completed, duties_missed;
  AuditHeadAtReport audit_head;
};

struct SoaControl {
  std::string id, title, theme;
  bool applicable = true;
  std::string implementation;  // not_assessed, not_met, partly_met, met; "" when not applicable
  std::string justification;
  std::string basis;  // own_assessment, mapped_requirements, no_mapping
  std::vector<std::string> annex_requirements;  // annex requirements that map to it ("K1")
};

struct StatementOfApplicability {
  std::string generated_at, generated_by, installation_id;
  std::string catalog_version;  // of the ISO/IEC 27001 catalogue
  std::string language;
  std::vector<SoaControl> controls;  // every Annex A control, in catalogue order
  AuditHeadAtReport audit_head;
};

// The report as the JSON API and `--format json` give it.
nlohmann::json to_json(const ComplianceReport& report);
nlohmann::json to_json(const StatementOfApplicability& soa);

// Renderers. Each is a pure function of the gathered data; `random_uuid` makes the OSCAL
// document's identifiers (version 4, random), injectable so a test can fix them.
Result<ReportFile> render_compliance_report(const ComplianceReport& report, ComplianceFormat format);
Result<ReportFile> render_soa(const StatementOfApplicability& soa, ComplianceFormat format);
nlohmann::json oscal_assessment_results(const ComplianceReport& report);
std::string random_uuid();

class ComplianceReportService {
 public:
  explicit ComplianceReportService(Installation& inst, TimeSource clock = now_utc)
      : inst_(inst), clock_(std::move(clock)) {}

  // `from` and `to` are dates ("2026-01-01") or RFC 3339 times; a date as `to` means the whole
  // of that day. `language` "sv" (default when empty) or "en". Needs Permission::compliance_read.
  Result<ComplianceReport> gather(const Actor& actor, const std::string& from, const std::string& to,
                                  const std::string& language);
  Result<StatementOfApplicability> gather_soa(const Actor& actor, const std::string& language);

  // The report as a file in `format`, audited as "report.compliance" with the period, format
  // and the file's SHA-256.
  Result<ReportFile> compliance_file(const Actor& actor, const std::string& from, const std::string& to,
                                     ComplianceFormat format, const std::string& language);
  // The SoA as PDF or CSV, audited as "report.soa".
  Result<ReportFile> soa_file(const Actor& actor, ComplianceFormat format, const std::string& language);

 private:
  Status record_report(const Actor& actor, const std::string& which, const nlohmann::json& details);

  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
