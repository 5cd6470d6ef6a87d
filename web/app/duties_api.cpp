// The JSON API for recurring duties and the personal calendar feed. The feed itself
// (GET /calendar/{token}.ics) is public: the secret in its URL is the credential, so calendar
// programs can subscribe without a session. Rules and authorization: services/duties.h.
#include <charconv>
#include <nlohmann/json.hpp>

#include "api_support.h"
#include "identity.h"
#include "tillit/services/duties.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using api::query;
using api::true_or_false;
using api::path_id;
using api::body_of;
using api::error_json;
using api::ok;
using nlohmann::json;
using services::DutiesService;
using services::Permission;

Error wrong_type(const char* field, const char* kind) {
  return make_error(ErrorCode::invalid_argument, std::string(field) + ": must be " + kind);
}

// The fields present in the body; a field of the wrong type is an error naming it.
Result<services::DutyInput> duty_input(const json& body) {
  services::DutyInput in;
  for (const auto& [field, target] : std::initializer_list<std::pair<const char*, std::optional<std::string>*>>{
           {"title", &in.title},
           {"title_en", &in.title_en},
           {"description", &in.description},
           {"requirement", &in.requirement},
           {"owner", &in.owner},
           {"interval_unit", &in.interval_unit},
           {"first_due", &in.first_due}}) {
    if (!body.contains(field)) continue;
    const auto& v = body[field];
    if (v.is_null() && (std::string(field) == "owner" || std::string(field) == "requirement"))
      *target = std::string();
    else if (v.is_string())
      *target = v.get<std::string>();
    else
      return wrong_type(field, "a string");
  }
  if (body.contains("interval_count")) {
    if (!body["interval_count"].is_number_integer()) return wrong_type("interval_count", "a whole number from 1 to 1000");
    in.interval_count = body["interval_count"].get<long long>();
  }
  if (body.contains("active")) {
    if (!body["active"].is_boolean()) return wrong_type("active", "true or false");
    in.active = body["active"].get<bool>();
  }
  return in;
}

}  // namespace

void add_duties_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/api/v1/duties", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto overdue = true_or_false(r, "overdue");
    if (!overdue) return error_json(overdue.error());
    auto due_soon = true_or_false(r, "due_soon");
    if (!due_soon) return error_json(due_soon.error());
    auto inactive = true_or_false(r, "include_inactive");
    if (!inactive) return error_json(inactive.error());
    services::DutyQuery q;
    q.owner = query(r, "owner");
    q.overdue = *overdue;
    q.due_soon = *due_soon;
    q.include_inactive = *inactive;
    q.requirement = query(r, "requirement");
    auto list = DutiesService(inst).list(who.actor, q);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& d : *list) items.push_back(services::to_json(d, false));
    return ok({{"items", items}, {"total", items.size()}});
  });

  routes.add("POST", "/api/v1/duties", Permission::compliance_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto in = duty_input(*body);
    if (!in) return error_json(in.error());
    auto d = DutiesService(inst).create(who.actor, *in);
    return d ? ok(services::to_json(*d, true), 201) : error_json(d.error());
  });

  routes.add("GET", "/api/v1/duties/{id}", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "the duty id");
    if (!id) return error_json(id.error());
    auto d = DutiesService(inst).get(who.actor, *id);
    return d ? ok(services::to_json(*d, true)) : error_json(d.error());
  });

  routes.add("PATCH", "/api/v1/duties/{id}", Permission::compliance_manage, [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "the duty id");
    if (!id) return error_json(id.error());
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto in = duty_input(*body);
    if (!in) return error_json(in.error());
    auto d = DutiesService(inst).update(who.actor, *id, *in);
    return d ? ok(services::to_json(*d, true)) : error_json(d.error());
  });

  routes.add("POST", "/api/v1/duties/{id}/completions", Permission::evidence_upload,
             [&inst](Request& r, const Identity& who) {
               auto id = path_id(r, "the duty id");
               if (!id) return error_json(id.error());
               auto body = body_of(r);
               if (!body) return error_json(body.error());
               auto completed_on = api::text(*body, "completed_on");
               if (!completed_on) return error_json(completed_on.error());
               auto note = api::text(*body, "note");
               if (!note) return error_json(note.error());
               services::CompletionInput in{*completed_on, *note, std::nullopt};
               if (body->contains("evidence_id") && !(*body)["evidence_id"].is_null()) {
                 if (!(*body)["evidence_id"].is_number_integer())
                   return error_json(wrong_type("evidence_id", "the id of a piece of evidence"));
                 in.evidence_id = (*body)["evidence_id"].get<std::int64_t>();
               }
               auto d = DutiesService(inst).complete(who.actor, *id, in);
               return d ? ok(services::to_json(*d, true), 201) : error_json(d.error());
             });

  // The signed-in person's own feed: the URL is in this answer only.
  routes.add("POST", "/api/v1/calendar-feed", Permission::compliance_read, [&inst](Request&, const Identity& who) {
    auto token = DutiesService(inst).create_calendar_feed(who.actor);
    if (!token) return error_json(token.error());
    return ok({{"url", inst.config().base_url() + "/calendar/" + *token + ".ics"}}, 201);
  });

  routes.add("DELETE", "/api/v1/calendar-feed", Permission::compliance_read, [&inst](Request&, const Identity& who) {
    auto revoked = DutiesService(inst).revoke_calendar_feed(who.actor);
    if (!revoked) return error_json(revoked.error());
    if (!*revoked)
      return error_json(make_error(ErrorCode::not_found, "you have no calendar feed; create one with POST /api/v1/calendar-feed"));
    return ok({{"revoked", true}});
  });

  // Public: the token is the credential. Anything unknown is the same 404.
  routes.add("GET", "/calendar/{id}", [&inst](Request& r, const Identity&) {
    std::string token = r.params.at("id");
    if (token.size() > 4 && token.ends_with(".ics")) token.resize(token.size() - 4);
    auto ics = DutiesService(inst).calendar(token);
    if (!ics) return Response::text(http_status(ics.error().code), ics.error().message + "\n");
    Response res;
    res.status = 200;
    res.content_type = "text/calendar; charset=utf-8";
    res.body = std::move(*ics);
    return res;
  }, false);
}

}  // namespace tillit::web
