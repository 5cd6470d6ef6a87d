#include "tillit/services/catalog_json.h"

#include <mutex>
#include <unordered_map>

namespace tillit::services {

using nlohmann::json;

json to_json(const LocalizedText& t) {
  json j = json::object();
  if (!t.sv.empty()) j["sv"] = t.sv;
  if (!t.en.empty()) j["en"] = t.en;
  return j;
}

json to_json(const Requirement& r) {
  json maps = json::object();
  for (const auto& m : r.maps_to) maps[m.catalog] = m.controls;
  json duties = json::array();
  for (const auto& d : r.duties)
    duties.push_back({{"id", d.id}, {"title", to_json(d.title)}, {"every", format_period(d.every)}});
  return {{"id", r.id},          {"category", to_json(r.category)}, {"title", to_json(r.title)},
          {"text", to_json(r.text)}, {"maps_to", maps},                 {"duties", duties}};
}

std::string requirement_json_text(const CatalogEntry& entry, const Requirement& r) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::string> cache;
  const std::string key = entry.sha256 + "\n" + r.id;
  {
    std::lock_guard lock(mutex);
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
  }
  std::string text = to_json(r).dump(-1, ' ', false, json::error_handler_t::replace);
  std::lock_guard lock(mutex);
  if (cache.size() > 20000) cache.clear();  // catalogues re-imported many times: start over
  cache.emplace(key, text);
  return text;
}

json catalog_summary_json(const CatalogEntry& e) {
  json j = {{"id", e.catalog.id},
            {"name", to_json(e.catalog.name)},
            {"version", e.catalog.version},
            {"source", e.catalog.source},
            {"builtin", e.builtin},
            {"requirements", e.catalog.requirements.size()},
            {"sha256", e.sha256}};
  if (!e.builtin) {
    j["imported_at"] = e.imported_at;
    j["imported_by"] = e.imported_by;
  }
  return j;
}

json remediation_json(const Catalog& c) {
  json bands = json::array();
  for (const auto& b : c.cvss_remediation)
    bands.push_back({{"severity", b.severity},
                     {"min", b.min},
                     {"max", b.max},
                     {"days", b.days ? json(*b.days) : json(nullptr)},
                     {"label", to_json(b.label)}});
  return bands;
}

std::string mappings_text(const Requirement& r) {
  std::string out;
  for (const auto& m : r.maps_to)
    for (const auto& c : m.controls) out += (out.empty() ? "" : " ") + m.catalog + ":" + c;
  return out;
}

}  // namespace tillit::services
