// The JSON API for the customer's reports: the compliance report for a period (PDF, HTML,
// CSV, JSON or OSCAL assessment results) and the Statement of Applicability (PDF or CSV).
// Reports come as downloads named by us; the rules, the single read and the audit event
// live in services/compliance_report.h, the gate checks compliance_read first.
#include "api_support.h"
#include "identity.h"
#include "tillit/services/compliance_report.h"
#include "tillit/web/app.h"

namespace tillit::web {

namespace {

using api::download;
using api::query;
using api::error_json;

}  // namespace

void add_report_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/api/v1/reports/compliance", services::Permission::compliance_read,
             [&inst](Request& r, const Identity& who) {
               auto format = services::compliance_format_from_string(query(r, "format", "json"));
               if (!format) return error_json(format.error());
               const std::string from = query(r, "from"), to = query(r, "to");
               if (from.empty() || to.empty())
                 return error_json(make_error(ErrorCode::invalid_argument,
                                              "give the period as from=YYYY-MM-DD&to=YYYY-MM-DD (both days included)"));
               auto file = services::ComplianceReportService(inst).compliance_file(who.actor, from, to, *format,
                                                                                  query(r, "lang"));
               if (!file) return error_json(file.error());
               return download(*file);
             });

  routes.add("GET", "/api/v1/reports/soa", services::Permission::compliance_read,
             [&inst](Request& r, const Identity& who) {
               auto format = services::compliance_format_from_string(query(r, "format", "pdf"));
               if (!format) return error_json(format.error());
               auto file = services::ComplianceReportService(inst).soa_file(who.actor, *format, query(r, "lang"));
               if (!file) return error_json(file.error());
               return download(*file);
             });
}

}  // namespace tillit::web
