// The JSON API of the mail outbox (services/mail.h), for the security manager: what was
// queued, sent or failed with the server's answer, and a way to send what is due now.
#include <charconv>

#include "api_support.h"
#include "identity.h"
#include "tillit/services/mail.h"
#include "tillit/web/app.h"

namespace tillit::web {

void add_mail_api(AppRoutes& routes) {
  auto& inst = routes.inst();
  using services::Permission;

  routes.add("GET", "/api/v1/mail/outbox", Permission::compliance_manage, [&inst](Request& r, const Identity& who) {
    const auto status = r.query.count("status") ? r.query.at("status") : std::string();
    std::int64_t limit = 200;
    if (r.query.count("limit")) {
      const auto& s = r.query.at("limit");
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), limit);
      if (ec != std::errc{} || end != s.data() + s.size())
        return api::error_json(make_error(ErrorCode::invalid_argument, "limit must be a whole number from 1 to 1000"));
    }
    auto box = services::MailService(inst).outbox(who.actor, status, limit);
    if (!box) return api::error_json(box.error());
    api::json items = api::json::array();
    for (const auto& e : *box) items.push_back(services::to_json(e));
    return api::ok({{"items", items}});
  });

  routes.add("POST", "/api/v1/mail/send-pending", Permission::compliance_manage, [&inst](Request&, const Identity& who) {
    auto sent = services::MailService(inst).send_pending(who.actor);
    if (!sent) return api::error_json(sent.error());
    return api::ok({{"sent", sent->sent}, {"retrying", sent->retrying}, {"failed", sent->failed}});
  });
}

}  // namespace tillit::web
