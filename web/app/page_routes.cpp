// Server-rendered HTML pages in Swedish (default) and English. Templates are mustache files
// compiled into the binary; every value is HTML-escaped by the template engine. No inline
// script or style, so the strict Content-Security-Policy holds.
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "tillit/core/version.h"
#include "tillit/services/catalog_service.h"
#include "tillit/web/app.h"
#include "dashboard.h"
#include "view.h"

namespace tillit::web {

namespace {

// "kvartalsvis" / "quarterly" rather than P3M; the ISO form stays in the API.
std::string describe_period(const Period& p, const std::string& lang) {
  const bool en = lang == "en";
  const auto n = [](int v) { return std::to_string(v); };
  if (p.years && !p.months && !p.days)
    return p.years == 1 ? (en ? "yearly" : "årligen") : (en ? "every " + n(p.years) + " years" : "vart " + n(p.years) + ":e år");
  if (p.months && !p.years && !p.days) {
    if (p.months == 1) return en ? "monthly" : "månadsvis";
    if (p.months == 3) return en ? "quarterly" : "kvartalsvis";
    if (p.months == 6) return en ? "twice a year" : "halvårsvis";
    return en ? "every " + n(p.months) + " months" : "var " + n(p.months) + ":e månad";
  }
  if (p.days && !p.years && !p.months) {
    if (p.days == 7) return en ? "weekly" : "veckovis";
    return en ? "every " + n(p.days) + " days" : "var " + n(p.days) + ":e dag";
  }
  return format_period(p);
}

std::string format_score(double v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

Response error_page_or_json(const Request& request, int status, std::string_view code, std::string_view message) {
  if (request.path.rfind("/api/", 0) == 0 || request.path == "/api" || request.path == "/healthz")
    return json_error(status, code, message);
  return error_page(request, status, message);
}

void add_page_routes(Router& router, services::Installation& inst) {
  AppRoutes routes(router, inst);
  add_sign_in_pages(routes);
  add_access_review_pages(routes);
  add_findings_pages(routes);
  add_admin_pages(routes);
  add_approval_pages(routes);
  add_account_pages(routes);
  add_duty_pages(routes);
  add_report_pages(routes);
  add_compliance_pages(routes);
  routes.add("GET", "/assets/tillit.css", [](Request&, const Identity&) {
    Response css;
    css.content_type = "text/css; charset=utf-8";
    css.body = std::string(embedded::find("tillit.css").value_or(""));
    css.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return css;
  }, false);

  auto catalog_rows = [&inst](Request& r, const Identity& who, data& view) -> Status {
    auto all = services::CatalogService(inst).list(who.actor);
    if (!all) return all.error();
    const std::string lang = language_of(r);
    list rows;
    for (const auto& e : *all) {
      data row{data::type::object};
      row.set("id", e.catalog.id);
      row.set("name", e.catalog.name.in(lang));
      row.set("version", e.catalog.version);
      row.set("count", std::to_string(e.catalog.requirements.size()));
      row.set("origin", t(r, e.builtin ? "origin_builtin" : "origin_imported"));
      rows.push_back(row);
    }
    view.set("catalogs", rows);
    return {};
  };

  routes.add("GET", "/", [catalog_rows, &inst](Request& r, const Identity& who) {
    data view{data::type::object};
    if (auto s = add_dashboard(r, who, inst, view); !s) return error_page(r, http_status(s.error().code), s.error().message);
    if (services::authorize(who.actor, services::Permission::catalog_read)) {
      if (auto s = catalog_rows(r, who, view); !s) return error_page(r, http_status(s.error().code), s.error().message);
      view.set("show_catalogs", data::type::bool_true);
    }
    return render(r, &who, 200, "home", view, "Tillit", "home");
  });

  routes.add("GET", "/catalog", services::Permission::catalog_read, [catalog_rows](Request& r, const Identity& who) {
    data view{data::type::object};
    if (auto s = catalog_rows(r, who, view); !s) return error_page(r, http_status(s.error().code), s.error().message);
    return render(r, &who, 200, "catalog_list", view, t(r, "catalogs_heading"), "catalog");
  });

  routes.add("GET", "/catalog/{catalog}", services::Permission::catalog_read, [&inst](Request& r, const Identity& who) {
    auto entry = services::CatalogService(inst).get(who.actor, r.params["catalog"]);
    if (!entry) return error_page(r, http_status(entry.error().code), entry.error().message);
    const std::string lang = language_of(r);
    const std::string q = r.query.count("q") ? r.query.at("q") : "";
    std::vector<const Requirement*> shown;
    if (q.empty()) {
      for (const auto& req : entry->catalog.requirements) shown.push_back(&req);
    } else {
      auto found = services::CatalogService(inst).search(*entry, q);
      if (!found) return error_page(r, http_status(found.error().code), found.error().message);
      shown = std::move(*found);
    }
    list rows;
    for (const auto* found_req : shown) {
      const auto& req = *found_req;
      data row{data::type::object};
      row.set("id", req.id);
      row.set("id_path", percent_encode_segment(req.id));
      row.set("catalog", entry->catalog.id);
      row.set("category", req.category.in(lang));
      row.set("title", req.title.in(lang));
      row.set("lang", lang);
      rows.push_back(row);
    }
    data view{data::type::object};
    view.set("id", entry->catalog.id);
    view.set("name", entry->catalog.name.in(lang));
    view.set("source", entry->catalog.source);
    view.set("q", q);
    view.set("shown", std::to_string(rows.size()));
    view.set("total", std::to_string(entry->catalog.requirements.size()));
    view.set("requirements", rows);
    list bands;
    for (const auto& b : entry->catalog.cvss_remediation) {
      data band{data::type::object};
      band.set("severity", t(r, "severity_" + b.severity));
      band.set("range", format_score(b.min) + "–" + format_score(b.max));
      band.set("label", b.label.in(lang));
      bands.push_back(band);
    }
    view.set("has_bands", bands.empty() ? data::type::bool_false : data::type::bool_true);
    view.set("bands", bands);
    return render(r, &who, 200, "catalog", view, entry->catalog.name.in(lang), "catalog");
  });

  routes.add("GET", "/catalog/{catalog}/{id}", services::Permission::catalog_read, [&inst](Request& r, const Identity& who) {
    const services::CatalogService catalogs(inst);
    const auto& actor = who.actor;
    auto found = catalogs.find_requirement(actor, r.params["catalog"] + ":" + r.params["id"]);
    if (!found) return error_page(r, http_status(found.error().code), found.error().message);
    auto all = catalogs.list(actor);
    if (!all) return error_page(r, http_status(all.error().code), all.error().message);
    const std::string lang = language_of(r);
    const auto& req = found->requirement;
    auto title_of = [&](const std::string& catalog, const std::string& id) -> std::string {
      for (const auto& e : *all)
        if (e.catalog.id == catalog)
          if (const auto* target = e.catalog.find(id)) return target->title.in(lang);
      return {};
    };
    auto link = [&](const std::string& catalog, const std::string& id) {
      data item{data::type::object};
      item.set("catalog", catalog);
      item.set("id", id);
      item.set("id_path", percent_encode_segment(id));
      item.set("title", title_of(catalog, id));
      item.set("lang", lang);
      return item;
    };
    list mappings, mapped_from, duties;
    for (const auto& m : req.maps_to)
      for (const auto& id : m.controls) mappings.push_back(link(m.catalog, id));
    std::vector<const Catalog*> known;
    for (const auto& e : *all) known.push_back(&e.catalog);
    for (const auto& ref : requirements_mapping_to(known, found->entry.catalog.id, req.id))
      mapped_from.push_back(link(known[ref.catalog_index]->id, ref.requirement->id));
    for (const auto& d : req.duties) {
      data item{data::type::object};
      item.set("title", d.title.in(lang));
      item.set("every", describe_period(d.every, lang));
      duties.push_back(item);
    }
    data view{data::type::object};
    view.set("catalog", found->entry.catalog.id);
    view.set("catalog_name", found->entry.catalog.name.in(lang));
    view.set("id", req.id);
    view.set("title", req.title.in(lang));
    view.set("category", req.category.in(lang));
    const std::string& text = req.text.in(lang);
    view.set("text", text);
    view.set("has_text", text.empty() ? data::type::bool_false : data::type::bool_true);
    view.set("text_lang", text == req.text.sv ? "sv" : "en");
    view.set("has_mappings", mappings.empty() ? data::type::bool_false : data::type::bool_true);
    view.set("mappings", mappings);
    view.set("has_mapped_from", mapped_from.empty() ? data::type::bool_false : data::type::bool_true);
    view.set("mapped_from", mapped_from);
    view.set("has_duties", duties.empty() ? data::type::bool_false : data::type::bool_true);
    view.set("duties", duties);
    return render(r, &who, 200, "requirement", view, req.id + " " + req.title.in(lang), "catalog");
  });
}

}  // namespace tillit::web
