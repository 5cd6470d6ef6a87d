// The JSON API for scanner imports and vulnerability findings. CI uploads a report with an
// API token holding findings_import: POST /api/v1/imports with the report as the body. The
// server reads a request body whole and refuses one above max_request_bytes (1 MiB by
// default) with 413 before any route runs; larger reports go through `tillit import` on the
// server, which streams the file. Rules and authorization: services/findings.h.
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "identity.h"
#include "tillit/ingest/source.h"
#include "tillit/services/findings.h"
#include "api_support.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using api::body_of;
using api::dump;
using api::error_json;
using api::ok;

using nlohmann::json;
using services::FindingService;
using services::Permission;


std::string query(const Request& r, const char* name) {
  const auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

std::vector<std::string> list_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

Result<std::int64_t> number(const std::string& s, const char* name, std::int64_t fallback, std::int64_t max) {
  if (s.empty()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 1 || v > max)
    return make_error(ErrorCode::invalid_argument,
                      std::string(name) + " must be a whole number from 1 to " + std::to_string(max));
  return v;
}

Result<std::int64_t> id_param(const Request& r) {
  return number(r.params.at("id"), "the finding id", 0, INT64_MAX);
}


std::string text(const json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : std::string();
}

json page_json(json items, std::int64_t page, std::int64_t per_page, std::int64_t total) {
  return {{"items", std::move(items)}, {"page", page}, {"per_page", per_page}, {"total", total}};
}

}  // namespace

void add_findings_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("POST", "/api/v1/imports", Permission::findings_import, [&inst](Request& r, const Identity& who) {
    if (r.body.empty())
      return error_json(make_error(ErrorCode::invalid_argument,
                                   "send the scanner report as the request body (curl --data-binary @report.json)"));
    ingest::MemorySource source(r.body);
    auto done = FindingService(inst).import(who.actor, source, {query(r, "format"), query(r, "asset"), query(r, "scope")});
    if (!done) return error_json(done.error());
    auto j = services::to_json(done->record);
    j["duplicates"] = done->duplicates;
    return ok(j, 201);
  });

  routes.add("GET", "/api/v1/imports", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto page = number(query(r, "page"), "page", 1, 1000000);
    auto per_page = number(query(r, "per_page"), "per_page", 50, 500);
    if (!page) return error_json(page.error());
    if (!per_page) return error_json(per_page.error());
    std::int64_t total = 0;
    auto list = FindingService(inst).imports(who.actor, *page, *per_page, &total);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& i : *list) items.push_back(services::to_json(i));
    return ok(page_json(items, *page, *per_page, total));
  });

  routes.add("GET", "/api/v1/findings", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto page = number(query(r, "page"), "page", 1, 1000000);
    auto per_page = number(query(r, "per_page"), "per_page", 50, 500);
    if (!page) return error_json(page.error());
    if (!per_page) return error_json(per_page.error());
    const std::string overdue = query(r, "overdue");
    if (!overdue.empty() && overdue != "true" && overdue != "false")
      return error_json(make_error(ErrorCode::invalid_argument, "overdue must be true or false"));
    services::FindingQuery q{list_of(query(r, "status")), list_of(query(r, "severity")), query(r, "asset"),
                             query(r, "scope"), overdue == "true", *page, *per_page};
    std::int64_t total = 0;
    auto list = FindingService(inst).list(who.actor, q, &total);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& f : *list) items.push_back(services::to_json(f, false));
    return ok(page_json(items, *page, *per_page, total));
  });

  routes.add("GET", "/api/v1/findings/{id}", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto id = id_param(r);
    if (!id) return error_json(id.error());
    auto f = FindingService(inst).get(who.actor, *id);
    return f ? ok(services::to_json(*f, true)) : error_json(f.error());
  });

  routes.add("POST", "/api/v1/findings/{id}/status", Permission::findings_triage,
             [&inst](Request& r, const Identity& who) {
               auto id = id_param(r);
               if (!id) return error_json(id.error());
               auto body = body_of(r);
               if (!body) return error_json(body.error());
               services::StatusChange c{text(*body, "status"), text(*body, "reason"), text(*body, "mitigation_kind"),
                                        text(*body, "requested_by"), text(*body, "until")};
               auto f = FindingService(inst).change_status(who.actor, *id, c);
               return f ? ok(services::to_json(*f, true)) : error_json(f.error());
             });

  routes.add("POST", "/api/v1/findings/{id}/known-date", Permission::findings_triage,
             [&inst](Request& r, const Identity& who) {
               auto id = id_param(r);
               if (!id) return error_json(id.error());
               auto body = body_of(r);
               if (!body) return error_json(body.error());
               auto f = FindingService(inst).set_known_at(who.actor, *id, text(*body, "known_at"), text(*body, "reason"));
               return f ? ok(services::to_json(*f, true)) : error_json(f.error());
             });
}

}  // namespace tillit::web
