#include "tillit/core/catalog.h"

#include <algorithm>
#include <optional>
#include <set>

namespace tillit {

const std::string& LocalizedText::in(std::string_view lang) const {
  if (lang == "en") return en.empty() ? sv : en;
  return sv.empty() ? en : sv;
}

const Requirement* Catalog::find(std::string_view requirement_id) const {
  for (const auto& r : requirements)
    if (r.id == requirement_id) return &r;
  return nullptr;
}

bool is_valid_slug(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '-') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_valid_requirement_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == ' ' || id.back() == ' ') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ' ';
  });
}

namespace {
Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }
}  // namespace

Status validate_catalog(const Catalog& c) {
  if (!is_valid_slug(c.id))
    return invalid("catalog id '" + c.id + "' is invalid: use 1-64 lowercase letters, digits and dashes");
  if (c.name.sv.empty() && c.name.en.empty()) return invalid("catalog '" + c.id + "' has no name");
  if (c.requirements.empty()) return invalid("catalog '" + c.id + "' has no requirements");
  std::set<std::string> requirement_ids, duty_ids;
  for (const auto& r : c.requirements) {
    if (!is_valid_requirement_id(r.id))
      return invalid("requirement id '" + r.id + "' is invalid: use 1-64 of letters, digits, '.', '-' and space");
    if (!requirement_ids.insert(r.id).second) return invalid("requirement id '" + r.id + "' appears twice");
    if (r.title.sv.empty() && r.title.en.empty()) return invalid("requirement '" + r.id + "' has no title");
    for (const auto& m : r.maps_to)
      if (!is_valid_slug(m.catalog))
        return invalid("requirement '" + r.id + "' maps to an invalid catalog id '" + m.catalog + "'");
    for (const auto& d : r.duties) {
      if (!is_valid_slug(d.id)) return invalid("duty id '" + d.id + "' of requirement '" + r.id + "' is invalid");
      if (!duty_ids.insert(d.id).second) return invalid("duty id '" + d.id + "' appears twice");
      if (d.title.sv.empty() && d.title.en.empty()) return invalid("duty '" + d.id + "' has no title");
    }
  }
  for (const auto& b : c.cvss_remediation) {
    if (!(b.min >= 0 && b.max <= 10 && b.min <= b.max))  // written so that NaN fails too
      return invalid("cvss_remediation band '" + b.severity + "' must lie within 0.0-10.0 with min <= max");
    if (b.days && *b.days < 0) return invalid("cvss_remediation band '" + b.severity + "' has negative days");
  }
  std::vector<RemediationBand> bands = c.cvss_remediation;
  std::sort(bands.begin(), bands.end(), [](const auto& a, const auto& b) { return a.min < b.min; });
  for (std::size_t i = 1; i < bands.size(); ++i)
    if (bands[i - 1].max >= bands[i].min)
      return invalid("cvss_remediation bands '" + bands[i - 1].severity + "' and '" + bands[i].severity + "' overlap");
  return {};
}

Status check_mappings(const Catalog& catalog, const std::vector<const Catalog*>& known) {
  for (const auto& r : catalog.requirements) {
    for (const auto& m : r.maps_to) {
      const auto target = std::find_if(known.begin(), known.end(), [&](const Catalog* k) { return k->id == m.catalog; });
      if (target == known.end())
        return invalid("requirement '" + r.id + "' maps to unknown catalog '" + m.catalog + "'; load it first");
      for (const auto& control : m.controls)
        if (!(*target)->find(control))
          return invalid("requirement '" + r.id + "' maps to '" + m.catalog + ":" + control +
                         "', which that catalog does not contain");
    }
  }
  return {};
}

}  // namespace tillit

namespace tillit {

std::vector<RequirementRef> requirements_mapping_to(const std::vector<const Catalog*>& catalogs,
                                                    std::string_view catalog_id, std::string_view requirement_id) {
  std::vector<RequirementRef> found;
  for (std::size_t i = 0; i < catalogs.size(); ++i)
    for (const auto& r : catalogs[i]->requirements)
      for (const auto& m : r.maps_to)
        if (m.catalog == catalog_id && std::find(m.controls.begin(), m.controls.end(), requirement_id) != m.controls.end()) {
          found.push_back({i, &r});
          break;
        }
  return found;
}

Result<RequirementRef> resolve_requirement(const std::vector<const Catalog*>& catalogs, std::string_view reference,
                                           std::string_view preferred_catalog) {
  std::string_view catalog_id, id = reference;
  if (const auto colon = reference.find(':'); colon != std::string_view::npos) {
    catalog_id = reference.substr(0, colon);
    id = reference.substr(colon + 1);
  }
  auto search = [&](bool preferred_pass) -> std::optional<RequirementRef> {
    for (std::size_t i = 0; i < catalogs.size(); ++i) {
      const auto& c = *catalogs[i];
      if (!catalog_id.empty() && c.id != catalog_id) continue;
      if (catalog_id.empty() && (c.id == preferred_catalog) != preferred_pass) continue;
      if (const auto* r = c.find(id)) return RequirementRef{i, r};
    }
    return std::nullopt;
  };
  if (auto found = search(true)) return *found;
  if (auto found = search(false)) return *found;
  return make_error(ErrorCode::not_found, "no requirement '" + std::string(reference) +
                                              "'; use an id such as K14 or a reference such as iso27001-2022:A.8.8");
}

}  // namespace tillit
