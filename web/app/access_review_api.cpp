// The JSON API for access-review campaigns (annex req. 54) and the privileged-roles report
// (req. 24, 40). Reports come as files (CSV or PDF) with a Content-Disposition that names
// them; the rules and the authorization live in services/access_reviews.h and
// services/identity_reports.h, the gate checks the permission first.
#include <charconv>
#include <nlohmann/json.hpp>

#include "identity.h"
#include "tillit/services/access_reviews.h"
#include "tillit/services/identity_reports.h"
#include "api_support.h"
#include "tillit/web/app.h"

namespace tillit::web {

namespace {

using api::download;
using api::query;
using api::path_id;
using api::body_of;
using api::dump;
using api::error_json;
using api::ok;
using api::text;

using nlohmann::json;
using services::AccessReviewService;
using services::Permission;




}  // namespace

void add_access_review_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/api/v1/access-reviews", Permission::access_review, [&inst](Request&, const Identity& who) {
    auto all = AccessReviewService(inst).list(who.actor);
    if (!all) return error_json(all.error());
    json items = json::array();
    for (const auto& r : *all) items.push_back(services::to_json(r, false));
    return ok({{"items", items}, {"total", items.size()}});
  });

  routes.add("POST", "/api/v1/access-reviews", Permission::access_review, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto title = text(*body, "title");
    if (!title) return error_json(title.error());
    auto started = AccessReviewService(inst).start(who.actor, *title);
    if (!started) return error_json(started.error());
    auto res = ok(services::to_json(*started, true), 201);
    res.headers.emplace_back("Location", "/api/v1/access-reviews/" + std::to_string(started->id));
    return res;
  });

  routes.add("GET", "/api/v1/access-reviews/{id}", Permission::access_review, [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "the access review id");
    if (!id) return error_json(id.error());
    auto review = AccessReviewService(inst).show(who.actor, *id);
    if (!review) return error_json(review.error());
    return ok(services::to_json(*review, true));
  });

  routes.add("POST", "/api/v1/access-reviews/{id}/items/{username}", Permission::access_review,
             [&inst](Request& r, const Identity& who) {
               auto id = path_id(r, "the access review id");
               if (!id) return error_json(id.error());
               auto body = body_of(r);
               if (!body) return error_json(body.error());
               auto decision = text(*body, "decision"), note = text(*body, "note");
               if (!decision) return error_json(decision.error());
               if (!note) return error_json(note.error());
               auto item = AccessReviewService(inst).decide(who.actor, *id, r.params["username"], *decision, *note);
               if (!item) return error_json(item.error());
               return ok(services::to_json(*item));
             });

  routes.add("POST", "/api/v1/access-reviews/{id}/close", Permission::access_review,
             [&inst](Request& r, const Identity& who) {
               auto id = path_id(r, "the access review id");
               if (!id) return error_json(id.error());
               auto closed = AccessReviewService(inst).close(who.actor, *id);
               if (!closed) return error_json(closed.error());
               return ok(services::to_json(*closed, true));
             });

  routes.add("GET", "/api/v1/access-reviews/{id}/report", Permission::identity_reports,
             [&inst](Request& r, const Identity& who) {
               auto id = path_id(r, "the access review id");
               if (!id) return error_json(id.error());
               auto format = services::report_format_from_string(query(r, "format", "pdf"), false);
               if (!format) return error_json(format.error());
               auto lang = services::report_language_from_string(query(r, "lang"));
               if (!lang) return error_json(lang.error());
               auto file = AccessReviewService(inst).report(who.actor, *id, *format, *lang);
               if (!file) return error_json(file.error());
               return download(*file);
             });

  routes.add("GET", "/api/v1/reports/privileged-roles", Permission::identity_reports,
             [&inst](Request& r, const Identity& who) {
               auto format = services::report_format_from_string(query(r, "format", "json"), true);
               if (!format) return error_json(format.error());
               auto lang = services::report_language_from_string(query(r, "lang"));
               if (!lang) return error_json(lang.error());
               const std::string from = query(r, "from"), to = query(r, "to");
               if (from.empty() || to.empty())
                 return error_json(make_error(ErrorCode::invalid_argument,
                                              "give the period as from=YYYY-MM-DD&to=YYYY-MM-DD (both days included)"));
               services::IdentityReportService reports(inst);
               if (*format == services::ReportFormat::json) {
                 auto report = reports.privileged_roles(who.actor, from, to);
                 if (!report) return error_json(report.error());
                 return ok(services::to_json(*report));
               }
               auto file = reports.privileged_roles_file(who.actor, from, to, *format, *lang);
               if (!file) return error_json(file.error());
               return download(*file);
             });
}

}  // namespace tillit::web
