// The JSON API for patch management: security updates per asset with their deadlines (the
// annex's 30 days for critical updates, 7 days after Patch Tuesday for Microsoft) and the
// patch-latency report. Rules and authorization: services/patches.h.
#include <nlohmann/json.hpp>

#include "api_support.h"
#include "identity.h"
#include "tillit/services/patches.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using api::query;
using api::path_id;
using api::true_or_false;
using api::body_of;
using api::error_json;
using api::ok;
using nlohmann::json;
using services::PatchService;
using services::Permission;

// The body's fields as a PatchInput; a field of another type than string is an error naming it.
Result<services::PatchInput> input_of(const Request& r) {
  auto body = body_of(r);
  if (!body) return body.error();
  services::PatchInput in;
  const std::pair<const char*, std::string*> fields[] = {
      {"asset", &in.asset},           {"product", &in.product},     {"advisory", &in.advisory},
      {"vendor", &in.vendor},         {"severity", &in.severity},   {"released_on", &in.released_on},
      {"planned_on", &in.planned_on}, {"rollout_started_on", &in.rollout_started_on},
      {"applied_on", &in.applied_on}, {"change_ref", &in.change_ref}, {"note", &in.note}};
  for (const auto& [name, target] : fields) {
    auto value = api::text(*body, name);
    if (!value) return value.error();
    *target = *value;
  }
  for (const auto& [key, value] : body->items()) {
    bool known = false;
    for (const auto& f : fields) known = known || key == f.first;
    if (!known) return make_error(ErrorCode::invalid_argument, "unknown field '" + key + "'");
  }
  return in;
}

}  // namespace

void add_patches_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/api/v1/patches", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto late = true_or_false(r, "late");
    if (!late) return error_json(late.error());
    auto list = PatchService(inst).list(who.actor, {query(r, "asset"), query(r, "from"), query(r, "to")}, *late);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& p : *list) items.push_back(services::to_json(p));
    return ok({{"items", items}, {"total", items.size()}});
  });

  routes.add("POST", "/api/v1/patches", Permission::findings_triage, [&inst](Request& r, const Identity& who) {
    auto in = input_of(r);
    if (!in) return error_json(in.error());
    auto p = PatchService(inst).record(who.actor, *in);
    return p ? ok(services::to_json(*p), 201) : error_json(p.error());
  });

  routes.add("GET", "/api/v1/patches/{id}", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "the patch id");
    if (!id) return error_json(id.error());
    auto p = PatchService(inst).get(who.actor, *id);
    return p ? ok(services::to_json(*p)) : error_json(p.error());
  });

  routes.add("POST", "/api/v1/patches/{id}", Permission::findings_triage, [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "the patch id");
    if (!id) return error_json(id.error());
    auto in = input_of(r);
    if (!in) return error_json(in.error());
    auto p = PatchService(inst).update(who.actor, *id, *in);
    return p ? ok(services::to_json(*p)) : error_json(p.error());
  });

  routes.add("GET", "/api/v1/reports/patch-latency", Permission::findings_read,
             [&inst](Request& r, const Identity& who) {
               const std::string format = query(r, "format").empty() ? "json" : query(r, "format");
               if (format != "json" && format != "csv")
                 return error_json(make_error(ErrorCode::invalid_argument, "format must be json or csv"));
               auto report = PatchService(inst).latency_report(who.actor, query(r, "from"), query(r, "to"));
               if (!report) return error_json(report.error());
               if (format == "json") return ok(services::to_json(*report));
               Response csv;
               csv.content_type = "text/csv; charset=utf-8";
               csv.body = services::to_csv(*report);
               csv.headers.emplace_back("Content-Disposition", "attachment; filename=\"patch-latency-" + report->from +
                                                                   "-" + report->to + ".csv\"");
               return csv;
             });
}

}  // namespace tillit::web
