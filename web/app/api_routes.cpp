// The JSON API, /api/v1. Every list is paginated the same way (page, per_page; the answer
// carries page, per_page and total) and every error is {"error": {"code", "message"}}.
// docs/openapi.yaml documents each route; a test keeps the two in step.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include "tillit/services/catalog_json.h"
#include "tillit/services/health.h"
#include "identity.h"
#include "api_support.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using api::dump;
using api::error_json;

using nlohmann::json;

constexpr int kDefaultPerPage = 50;
constexpr int kMaxPerPage = 500;



struct Page {
  int page = 1;
  int per_page = kDefaultPerPage;
};

Result<Page> page_of(const Request& r) {
  Page p;
  auto read = [&](const char* name, int& out, int max) -> Status {
    const auto it = r.query.find(name);
    if (it == r.query.end()) return {};
    int v = 0;
    const auto& s = it->second;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < 1 || v > max)
      return make_error(ErrorCode::invalid_argument,
                        std::string(name) + " must be a whole number from 1 to " + std::to_string(max));
    out = v;
    return {};
  };
  if (auto s = read("page", p.page, 1000000); !s) return s.error();
  if (auto s = read("per_page", p.per_page, kMaxPerPage); !s) return s.error();
  return p;
}

// Cuts one page out of `items` and wraps it with the paging facts.
json paginate(const json& items, const Page& p) {
  json page_items = json::array();
  const std::size_t start = static_cast<std::size_t>(p.page - 1) * static_cast<std::size_t>(p.per_page);
  for (std::size_t i = start; i < items.size() && i < start + static_cast<std::size_t>(p.per_page); ++i)
    page_items.push_back(items[i]);
  return {{"items", page_items}, {"page", p.page}, {"per_page", p.per_page}, {"total", items.size()}};
}

}  // namespace

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return 400;
    case ErrorCode::unauthenticated: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::integrity:
    case ErrorCode::internal: return 500;
  }
  return 500;
}

void add_api_routes(Router& router, services::Installation& inst) {
  AppRoutes routes(router, inst);
  add_identity_api(routes);
  add_access_review_api(routes);
  add_findings_api(routes);
  add_patches_api(routes);
  add_compliance_api(routes);
  add_mail_api(routes);
  add_duties_api(routes);
  add_report_api(routes);
  routes.add("GET", "/healthz", [&inst](Request&, const Identity&) {
    const auto h = services::check_health(inst);
    json j = {{"status", h.healthy() ? "ok" : "degraded"},
              {"version", h.version},
              {"database", {{"backend", h.database_backend}, {"state", h.database_state}}},
              {"clock", {{"state", h.clock_state}, {"max_error_ms", h.clock_max_error_ms}, {"time", h.time}}}};
    if (const auto& m = h.clock_measurement) {
      auto& source = j["clock"]["time_source"];
      source = {{"source", m->source}, {"check", m->state}, {"summary", m->summary}, {"checked_at", m->checked_at}};
      if (m->sample) {
        source["offset_ms"] = static_cast<double>(m->sample->offset.count()) / 1000.0;
        source["delay_ms"] = static_cast<double>(m->sample->delay.count()) / 1000.0;
        source["stratum"] = m->sample->stratum;
      } else {
        source["error"] = m->source_error;
      }
    }
    return Response::json(h.healthy() ? 200 : 503, dump(j));
  }, false);

  routes.add("GET", "/api/v1", [](Request&, const Identity&) {
    return Response::json(200, dump({{"name", "Tillit API"},
                                     {"version", "v1"},
                                     {"links", {{"catalogs", "/api/v1/catalogs"}, {"openapi", "docs/openapi.yaml"}}}}));
  }, false);

  routes.add("GET", "/api/v1/catalogs", services::Permission::catalog_read, [&inst](Request& r, const Identity& who) {
    auto page = page_of(r);
    if (!page) return error_json(page.error());
    auto all = services::CatalogService(inst).list(who.actor);
    if (!all) return error_json(all.error());
    json items = json::array();
    for (const auto& e : *all) items.push_back(services::catalog_summary_json(e));
    return Response::json(200, dump(paginate(items, *page)));
  });

  routes.add("GET", "/api/v1/catalogs/{catalog}", services::Permission::catalog_read, [&inst](Request& r, const Identity& who) {
    auto entry = services::CatalogService(inst).get(who.actor, r.params["catalog"]);
    if (!entry) return error_json(entry.error());
    json j = services::catalog_summary_json(*entry);
    if (!entry->catalog.cvss_remediation.empty()) j["cvss_remediation"] = services::remediation_json(entry->catalog);
    return Response::json(200, dump(j));
  });

  routes.add("GET", "/api/v1/catalogs/{catalog}/requirements", services::Permission::catalog_read, [&inst](Request& r, const Identity& who) {
    auto page = page_of(r);
    if (!page) return error_json(page.error());
    auto entry = services::CatalogService(inst).get(who.actor, r.params["catalog"]);
    if (!entry) return error_json(entry.error());
    const std::string q = r.query.count("q") ? r.query.at("q") : "";
    std::vector<const Requirement*> matching;
    if (q.empty()) {
      for (const auto& req : entry->catalog.requirements) matching.push_back(&req);
    } else {
      auto found = services::CatalogService(inst).search(*entry, q);
      if (!found) return error_json(found.error());
      matching = std::move(*found);
    }
    // Assembled from cached per-requirement JSON: the same shape paginate() gives.
    const std::size_t start = static_cast<std::size_t>(page->page - 1) * static_cast<std::size_t>(page->per_page);
    std::string body = "{\"items\":[";
    for (std::size_t i = start; i < matching.size() && i < start + static_cast<std::size_t>(page->per_page); ++i) {
      if (i > start) body += ',';
      body += services::requirement_json_text(*entry, *matching[i]);
    }
    body += "],\"page\":" + std::to_string(page->page) + ",\"per_page\":" + std::to_string(page->per_page) +
            ",\"total\":" + std::to_string(matching.size()) + "}";
    return Response::json(200, std::move(body));
  });

  routes.add("GET", "/api/v1/catalogs/{catalog}/requirements/{id}", services::Permission::catalog_read, [&inst](Request& r, const Identity& who) {
    const services::CatalogService catalogs(inst);
    const auto actor = who.actor;
    auto found = catalogs.find_requirement(actor, r.params["catalog"] + ":" + r.params["id"]);
    if (!found) return error_json(found.error());
    json j = services::to_json(found->requirement);
    j["catalog"] = found->entry.catalog.id;
    // The reverse direction: requirements elsewhere that map onto this one.
    json mapped_from = json::array();
    auto all = catalogs.list(actor);
    if (!all) return error_json(all.error());
    std::vector<const Catalog*> known;
    for (const auto& e : *all) known.push_back(&e.catalog);
    for (const auto& ref : requirements_mapping_to(known, found->entry.catalog.id, found->requirement.id))
      mapped_from.push_back({{"catalog", known[ref.catalog_index]->id},
                             {"id", ref.requirement->id},
                             {"title", services::to_json(ref.requirement->title)}});
    j["mapped_from"] = mapped_from;
    return Response::json(200, dump(j));
  });
}

}  // namespace tillit::web
