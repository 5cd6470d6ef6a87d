// The reports page: a form for the compliance report's period and format, and links to the
// Statement of Applicability. The downloads themselves are served by the API (report_api.cpp),
// which accepts the session cookie for GET, so the page holds no report logic.
#include "tillit/services/compliance_report.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web {

void add_report_pages(AppRoutes& routes) {
  routes.add("GET", "/reports", services::Permission::compliance_read, [](Request& r, const Identity& who) {
    data view{data::type::object};
    // The calendar year so far is the period a customer asks for most often.
    const std::string today = format_rfc3339(services::now_utc()).substr(0, 10);
    view.set("default_from", today.substr(0, 4) + "-01-01");
    view.set("default_to", today);
    view.set("lang", language_of(r));
    return render(r, &who, 200, "reports", view, t(r, "rep_heading"), "reports");
  });
}

}  // namespace tillit::web
