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

namespace tillit::web {

namespace embedded {
std::optional<std::string_view> find(std::string_view name);
}

namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::mustache;
using kainjow::mustache::object;

// UI strings. Keys are the template's t.NAME; each has Swedish and English.
const std::map<std::string, std::pair<const char*, const char*>>& ui_strings() {
  static const std::map<std::string, std::pair<const char*, const char*>> strings = {
      {"skip_to_content", {"Hoppa till innehållet", "Skip to content"}},
      {"main_navigation", {"Huvudmeny", "Main navigation"}},
      {"nav_home", {"Översikt", "Overview"}},
      {"nav_catalog", {"Kravkatalog", "Requirement catalogue"}},
      {"other_language", {"English", "Svenska"}},
      {"home_heading", {"Ledningssystem för informationssäkerhet", "Information security management system"}},
      {"home_intro", {"Tillit håller kraven i avtalets säkerhetsbilaga, deras koppling till ISO/IEC 27001:2022 och GDPR, och bevisen för att de uppfylls.",
                      "Tillit holds the requirements of the contract's security annex, their mapping to ISO/IEC 27001:2022 and GDPR, and the evidence that they are met."}},
      {"requirements_word", {"krav", "requirements"}},
      {"catalogs_heading", {"Kravkataloger", "Requirement catalogues"}},
      {"catalogs_caption", {"Inbyggda och importerade kataloger", "Built-in and imported catalogues"}},
      {"col_catalog", {"Katalog", "Catalogue"}},
      {"col_version", {"Version", "Version"}},
      {"col_requirements", {"Krav", "Requirements"}},
      {"col_origin", {"Ursprung", "Origin"}},
      {"origin_builtin", {"inbyggd", "built-in"}},
      {"origin_imported", {"importerad", "imported"}},
      {"filter_label", {"Filtrera", "Filter"}},
      {"filter_button", {"Visa", "Show"}},
      {"of_word", {"av", "of"}},
      {"col_id", {"Id", "Id"}},
      {"col_category", {"Kategori", "Category"}},
      {"col_title", {"Rubrik", "Title"}},
      {"col_severity", {"Allvarlighetsgrad", "Severity"}},
      {"col_deadline", {"Tid till åtgärd", "Time to remediation"}},
      {"remediation_heading", {"Åtgärdstider efter CVSS", "Remediation times by CVSS"}},
      {"mappings_heading", {"Motsvarar", "Maps to"}},
      {"mapped_from_heading", {"Täcker krav", "Covers requirements"}},
      {"duties_heading", {"Återkommande åtaganden", "Recurring duties"}},
      {"back_home", {"Till översikten", "Back to the overview"}},
      {"source_label", {"Källa", "Source"}},
      {"severity_none", {"ingen", "none"}},
      {"severity_low", {"låg", "low"}},
      {"severity_medium", {"medel", "medium"}},
      {"severity_high", {"hög", "high"}},
      {"severity_critical", {"kritisk", "critical"}},
      {"error_404", {"Sidan finns inte", "Page not found"}},
      {"error_other", {"Något gick fel", "Something went wrong"}},
  };
  return strings;
}

std::string language_of(const Request& r) {
  if (const auto it = r.query.find("lang"); it != r.query.end()) return it->second == "en" ? "en" : "sv";
  const auto accept = r.header("Accept-Language").value_or("");
  return accept.rfind("en", 0) == 0 ? "en" : "sv";
}

std::string percent_encode_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
      out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string template_text(std::string_view name) {
  const auto text = embedded::find(name);
  if (!text) throw std::logic_error("missing template " + std::string(name));
  return std::string(*text);
}

// Renders `page` with `view` into the layout.
Response render(const Request& r, int status, std::string_view page, data view, const std::string& title,
                std::string_view nav) {
  const std::string lang = language_of(r);
  data t{data::type::object};
  for (const auto& [key, texts] : ui_strings()) t.set(key, lang == "en" ? texts.second : texts.first);
  view.set("t", t);
  view.set("lang", lang);
  mustache body_template{template_text(std::string(page) + ".mustache")};
  const std::string body = body_template.render(view);

  data layout{data::type::object};
  layout.set("t", t);
  layout.set("lang", lang);
  layout.set("title", title);
  layout.set("content", body);
  layout.set("version", kVersion);
  layout.set(std::string("nav_") + std::string(nav), data::type::bool_true);
  const std::string other = lang == "en" ? "sv" : "en";
  layout.set("other_lang", other);
  std::string href = r.path + "?lang=" + other;
  for (const auto& [k, v] : r.query)
    if (k == "q") href += "&q=" + percent_encode_segment(v);
  layout.set("other_lang_href", href);
  mustache layout_template{template_text("layout.mustache")};
  return Response::html(status, layout_template.render(layout));
}

std::string t(const Request& r, const std::string& key) {
  const auto& s = ui_strings().at(key);
  return language_of(r) == "en" ? s.second : s.first;
}

Response error_page(const Request& r, int status, std::string_view message) {
  data view{data::type::object};
  const std::string heading = t(r, status == 404 ? "error_404" : "error_other");
  view.set("heading", heading);
  view.set("message", std::string(message));
  return render(r, status, "error", view, heading, "none");
}

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
  router.add("GET", "/assets/tillit.css", [](Request&) {
    Response css;
    css.content_type = "text/css; charset=utf-8";
    css.body = std::string(embedded::find("tillit.css").value_or(""));
    css.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return css;
  });

  auto catalog_rows = [&inst](Request& r, data& view) -> Status {
    auto all = services::CatalogService(inst).list(services::anonymous(r.client_address));
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

  router.add("GET", "/", [catalog_rows](Request& r) {
    data view{data::type::object};
    if (auto s = catalog_rows(r, view); !s) return error_page(r, http_status(s.error().code), s.error().message);
    return render(r, 200, "home", view, "Tillit", "home");
  });

  router.add("GET", "/catalog", [catalog_rows](Request& r) {
    data view{data::type::object};
    if (auto s = catalog_rows(r, view); !s) return error_page(r, http_status(s.error().code), s.error().message);
    return render(r, 200, "catalog_list", view, t(r, "catalogs_heading"), "catalog");
  });

  router.add("GET", "/catalog/{catalog}", [&inst](Request& r) {
    auto entry = services::CatalogService(inst).get(services::anonymous(r.client_address), r.params["catalog"]);
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
    return render(r, 200, "catalog", view, entry->catalog.name.in(lang), "catalog");
  });

  router.add("GET", "/catalog/{catalog}/{id}", [&inst](Request& r) {
    const services::CatalogService catalogs(inst);
    const auto actor = services::anonymous(r.client_address);
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
    return render(r, 200, "requirement", view, req.id + " " + req.title.in(lang), "catalog");
  });
}

}  // namespace tillit::web
