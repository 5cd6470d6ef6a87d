// Tillit's routes: the JSON API under /api/v1, the HTML pages, /healthz and the static
// assets. Handlers translate HTTP to service calls and back; the rules live in services/.
//
// Thread safety: the routes share the Installation read-only and are safe to run
// concurrently.
#pragma once

#include "tillit/core/result.h"
#include "tillit/services/installation.h"
#include "tillit/web/router.h"

namespace tillit::web {

// HTTP status for an expected failure, decided once for the whole API.
int http_status(ErrorCode code);

// Every route goes through AppRoutes (web/app/identity.h): identity, origin and CSRF checks.
void add_api_routes(Router& router, services::Installation& inst);
void add_page_routes(Router& router, services::Installation& inst);

class AppRoutes;
void add_identity_api(AppRoutes& routes);
void add_sign_in_pages(AppRoutes& routes);
void add_access_review_api(AppRoutes& routes);
void add_access_review_pages(AppRoutes& routes);
void add_findings_pages(AppRoutes& routes);  // /findings, /findings/{id}, /patches
void add_findings_api(AppRoutes& routes);  // /api/v1/imports, /api/v1/findings
void add_patches_api(AppRoutes& routes);   // /api/v1/patches, /api/v1/reports/patch-latency
void add_compliance_api(AppRoutes& routes);  // /api/v1/assessments, /api/v1/evidence
void add_compliance_pages(AppRoutes& routes);  // /assessments/{catalog}/{id}, /evidence, /evidence/{id}
void add_mail_api(AppRoutes& routes);      // /api/v1/mail/outbox, /api/v1/mail/send-pending
void add_duties_api(AppRoutes& routes);    // /api/v1/duties, /api/v1/calendar-feed, /calendar/{token}.ics
void add_admin_pages(AppRoutes& routes);     // /admin/users, /admin/users/{username}
void add_approval_pages(AppRoutes& routes);  // /admin/approvals
void add_account_pages(AppRoutes& routes);   // /account and its API tokens
void add_duty_pages(AppRoutes& routes);      // /duties, /duties/{id}, /account/calendar
void add_report_api(AppRoutes& routes);      // /api/v1/reports/compliance, /api/v1/reports/soa
void add_report_pages(AppRoutes& routes);    // /reports

// Errors are JSON for /api/ and /healthz, a readable HTML page elsewhere.
Response error_page_or_json(const Request& request, int status, std::string_view code, std::string_view message);

}  // namespace tillit::web
