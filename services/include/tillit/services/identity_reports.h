// Reports on Tillit's own identities, the evidence the customer asks for (annex req. 24, 40):
// the privileged-roles report for a period: who held a privileged role (admin,
// security_manager) when the period began, every grant and removal within it with who
// requested and who approved it, and who held one when it ended. Built from the role
// history, which every role change appends to in the same transaction as the change.
//
// The CSV and the PDF are made from one table (render/), so they always show the same rows;
// the PDF carries the SHA-256 of the CSV file so that a customer holding both can tie them
// together. Reading a report changes nothing, so nothing is audited.
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/render/document.h"
#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"

namespace tillit::services {

enum class ReportFormat { json, csv, pdf };
// "json", "csv" or "pdf"; anything else is invalid_argument naming the choices.
Result<ReportFormat> report_format_from_string(std::string_view text, bool json_allowed);
// "sv" (default when empty) or "en": the language of the report's own words.
Result<std::string> report_language_from_string(std::string_view text);

// A report file ready to be sent or written: its bytes, MIME type and a file name.
struct ReportFile {
  std::string content;
  std::string content_type;  // "text/csv; charset=utf-8", "application/pdf", "application/json"
  std::string filename;      // e.g. "access-review-3.pdf"
  std::string csv_sha256;    // hex SHA-256 of the CSV file made from the same data
};

// The file of a report in `format` (csv or pdf): the CSV is `table` (UTF-8 with a byte order
// mark so that Excel reads å ä ö, spreadsheet formulas neutralised); the PDF is `doc` with
// the CSV's SHA-256 as its data hash. `stem` names the file ("access-review-3").
Result<ReportFile> report_file(render::Document doc, const render::Table& table, ReportFormat format,
                               const std::string& stem);

// A stored time for a narrow PDF column: "2026-11-23T09:00:00.000Z" -> "2026-11-23\n09:00:00 UTC".
// The CSV keeps the stored form, to the millisecond.
std::string pdf_time(const std::string& rfc3339);

// An actor id as a person reads it: "user:7" -> "ana", "token:3" -> "ana (API token 3)";
// "cli" and "system" stay as they are.
class ActorNames {
 public:
  explicit ActorNames(store::Transaction& tx) : tx_(tx) {}
  std::string operator()(const std::string& actor_id);

 private:
  store::Transaction& tx_;
  std::map<std::string, std::string> known_;
};

struct PrivilegedHolding {
  std::string username;
  std::string role;
  std::string since;         // when it was granted
  std::string requested_by;  // actor ids, as recorded
  std::string approved_by;
  std::string requested_by_name;  // the same as people read them
  std::string approved_by_name;
  std::optional<std::int64_t> request_id;
};

struct PrivilegedChange {
  std::string at;
  std::string username;
  std::string role;
  std::string change;  // "granted" or "removed"
  std::string requested_by;
  std::string approved_by;
  std::string requested_by_name;
  std::string approved_by_name;
  std::optional<std::int64_t> request_id;  // the four-eyes request, if one was needed
};

struct PrivilegedRolesReport {
  std::string from;  // RFC 3339: the first instant of the period
  std::string to;    // RFC 3339: the last instant of the period (inclusive)
  std::vector<PrivilegedHolding> at_start;
  std::vector<PrivilegedChange> changes;  // oldest first
  std::vector<PrivilegedHolding> at_end;
};

nlohmann::json to_json(const PrivilegedRolesReport& report);

class IdentityReportService {
 public:
  explicit IdentityReportService(Installation& inst, TimeSource clock = now_utc)
      : inst_(inst), clock_(std::move(clock)) {}

  // `from` and `to` are dates ("2026-01-01") or RFC 3339 times; a date as `to` means the
  // whole of that day. Needs Permission::identity_reports.
  Result<PrivilegedRolesReport> privileged_roles(const Actor& actor, const std::string& from, const std::string& to);
  // The same as JSON, CSV or PDF; `language` "sv" or "en".
  Result<ReportFile> privileged_roles_file(const Actor& actor, const std::string& from, const std::string& to,
                                           ReportFormat format, const std::string& language);

 private:
  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
