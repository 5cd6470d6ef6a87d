#include "tillit/content/catalog_loader.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <initializer_list>
#include <optional>
#include <set>
#include <stdexcept>

namespace tillit::content {

namespace embedded {
std::optional<std::string_view> find(std::string_view name);
}

namespace {

// A validation failure that knows its place in the file; thrown only inside this file and
// turned into an Error value at the boundary.
struct Invalid {
  int line;
  std::string message;
};

[[noreturn]] void invalid(const YAML::Node& at, std::string message) { throw Invalid{at.Mark().line + 1, std::move(message)}; }

void only_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed, std::string_view what) {
  if (!map.IsMap()) invalid(map, std::string(what) + " must be a mapping");
  for (const auto& kv : map) {
    const auto key = kv.first.as<std::string>();
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      invalid(kv.first, "unknown key '" + key + "' in " + std::string(what) + " (allowed: " + list + ")");
    }
  }
}

std::string text(const YAML::Node& map, const char* key, std::string_view what, bool required = true) {
  const YAML::Node node = map[key];
  if (!node) {
    if (required) invalid(map, std::string(what) + " needs '" + key + "'");
    return {};
  }
  if (!node.IsScalar()) invalid(node, std::string(what) + " '" + key + "' must be text");
  return node.as<std::string>();
}

LocalizedText localized(const YAML::Node& map, const char* key, std::string_view what, bool required = true) {
  const YAML::Node node = map[key];
  if (!node) {
    if (required) invalid(map, std::string(what) + " needs '" + key + "' with sv and/or en");
    return {};
  }
  const std::string where = std::string(what) + " " + key;
  only_keys(node, {"sv", "en"}, where);
  LocalizedText t{text(node, "sv", where, false), text(node, "en", where, false)};
  if (required && t.sv.empty() && t.en.empty()) invalid(node, where + " needs sv or en text");
  return t;
}

double number(const YAML::Node& map, const char* key, std::string_view what) {
  const YAML::Node node = map[key];
  if (!node || !node.IsScalar()) invalid(map, std::string(what) + " needs a number '" + key + "'");
  double value = 0;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
    invalid(node, std::string(what) + " '" + key + "' must be a number");
  }
  if (!std::isfinite(value)) invalid(node, std::string(what) + " '" + key + "' must be a finite number");
  return value;
}

std::vector<std::string> string_list(const YAML::Node& node, std::string_view what) {
  if (!node.IsSequence()) invalid(node, std::string(what) + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar()) invalid(item, std::string(what) + " entries must be text");
    out.push_back(item.as<std::string>());
  }
  return out;
}

RecurringDuty duty(const YAML::Node& node, const std::string& requirement_id) {
  const std::string what = "duty of requirement " + requirement_id;
  only_keys(node, {"id", "title", "every"}, what);
  RecurringDuty d;
  d.id = text(node, "id", what);
  if (!is_valid_slug(d.id)) invalid(node["id"], "duty id '" + d.id + "' must be lowercase letters, digits and dashes");
  d.title = localized(node, "title", what);
  auto period = parse_period(text(node, "every", what));
  if (!period) invalid(node["every"], period.error().message);
  d.every = *period;
  return d;
}

Requirement requirement(const YAML::Node& node) {
  only_keys(node, {"id", "category", "title", "text", "maps_to", "duties"}, "requirement");
  Requirement r;
  r.id = text(node, "id", "requirement");
  if (!is_valid_requirement_id(r.id))
    invalid(node["id"], "requirement id '" + r.id + "' must be 1-64 letters, digits, '.', '-' or spaces");
  const std::string what = "requirement " + r.id;
  r.category = localized(node, "category", what, false);
  r.title = localized(node, "title", what);
  r.text = localized(node, "text", what, false);
  if (const auto maps = node["maps_to"]) {
    if (!maps.IsMap()) invalid(maps, what + " maps_to must map catalogue ids to lists of ids");
    for (const auto& kv : maps) {
      Mapping m{kv.first.as<std::string>(), string_list(kv.second, what + " maps_to")};
      if (!is_valid_slug(m.catalog)) invalid(kv.first, "'" + m.catalog + "' is not a valid catalogue id");
      r.maps_to.push_back(std::move(m));
    }
  }
  if (const auto duties = node["duties"]) {
    if (!duties.IsSequence()) invalid(duties, what + " duties must be a list");
    for (const auto& d : duties) r.duties.push_back(duty(d, r.id));
  }
  return r;
}

RemediationBand band(const YAML::Node& node) {
  only_keys(node, {"severity", "min", "max", "days", "sv", "en"}, "cvss_remediation entry");
  RemediationBand b;
  b.severity = text(node, "severity", "cvss_remediation entry");
  static const std::set<std::string> severities = {"none", "low", "medium", "high", "critical"};
  if (!severities.count(b.severity))
    invalid(node["severity"], "severity '" + b.severity + "' must be one of none, low, medium, high, critical");
  b.min = number(node, "min", "cvss_remediation entry");
  b.max = number(node, "max", "cvss_remediation entry");
  const auto days = node["days"];
  if (days && !days.IsNull()) {
    try {
      b.days = days.as<int>();
    } catch (const YAML::Exception&) {
      invalid(days, "days must be a whole number or null");
    }
  }
  b.label = {text(node, "sv", "cvss_remediation entry", false), text(node, "en", "cvss_remediation entry", false)};
  return b;
}

Catalog catalog_from(const YAML::Node& root) {
  if (!root.IsMap()) throw Invalid{1, "a catalogue file must be a YAML mapping with format, catalog and requirements"};
  only_keys(root, {"format", "catalog", "requirements", "cvss_remediation"}, "the file");
  if (text(root, "format", "the file") != "tillit-catalog/1")
    invalid(root["format"], "format must be 'tillit-catalog/1'");
  const YAML::Node header = root["catalog"];
  if (!header) invalid(root, "the file needs a 'catalog' section");
  only_keys(header, {"id", "name", "version", "source"}, "catalog");
  Catalog c;
  c.id = text(header, "id", "catalog");
  if (!is_valid_slug(c.id)) invalid(header["id"], "catalog id '" + c.id + "' must be lowercase letters, digits and dashes");
  c.name = localized(header, "name", "catalog");
  c.version = text(header, "version", "catalog", false);
  c.source = text(header, "source", "catalog", false);
  const YAML::Node requirements = root["requirements"];
  if (!requirements || !requirements.IsSequence() || requirements.size() == 0)
    invalid(root, "the file needs a non-empty 'requirements' list");
  std::set<std::string> seen, duty_ids;
  for (const auto& node : requirements) {
    c.requirements.push_back(requirement(node));
    if (!seen.insert(c.requirements.back().id).second)
      invalid(node["id"], "requirement id '" + c.requirements.back().id + "' appears twice");
    const auto duties = node["duties"];
    for (std::size_t i = 0; i < c.requirements.back().duties.size(); ++i)
      if (!duty_ids.insert(c.requirements.back().duties[i].id).second)
        invalid(duties[i]["id"], "duty id '" + c.requirements.back().duties[i].id + "' appears twice in the catalogue");
  }
  if (const auto bands = root["cvss_remediation"]) {
    if (!bands.IsSequence()) invalid(bands, "cvss_remediation must be a list");
    for (const auto& b : bands) {
      c.cvss_remediation.push_back(band(b));
      const auto& added = c.cvss_remediation.back();
      if (added.min > added.max) invalid(b, "cvss_remediation entry '" + added.severity + "' has min above max");
      if (added.min < 0 || added.max > 10) invalid(b, "cvss_remediation entry '" + added.severity + "' must lie within 0.0-10.0");
      for (std::size_t i = 0; i + 1 < c.cvss_remediation.size(); ++i) {
        const auto& other = c.cvss_remediation[i];
        if (added.min <= other.max && other.min <= added.max)
          invalid(b, "cvss_remediation entries '" + other.severity + "' and '" + added.severity + "' overlap");
      }
    }
  }
  return c;
}

struct BuiltinFile {
  const char* catalog_id;
  const char* file_name;
};
constexpr BuiltinFile kBuiltins[] = {
    {"annex", "annex.yaml"},
    {"iso27001-2022", "iso27001-2022.yaml"},
    {"gdpr", "gdpr.yaml"},
};

}  // namespace

Result<Catalog> parse_catalog(std::string_view yaml_text) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    Catalog c = catalog_from(root);
    // The reader above checks every rule with its line; this is the model's own guard.
    if (auto s = validate_catalog(c); !s) return make_error(s.error().code, "line 1: " + s.error().message);
    return c;
  } catch (const Invalid& e) {
    return make_error(ErrorCode::invalid_argument, "line " + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::invalid_argument,
                      "line " + std::to_string(e.mark.line + 1) + ": not valid YAML (" + e.msg + ")");
  }
}

std::string_view builtin_catalog_source(std::string_view catalog_id) {
  for (const auto& b : kBuiltins)
    if (catalog_id == b.catalog_id) return embedded::find(b.file_name).value_or(std::string_view{});
  return {};
}

const std::vector<Catalog>& builtin_catalogs() {
  static const std::vector<Catalog> catalogs = [] {
    std::vector<Catalog> out;
    for (const auto& b : kBuiltins) {
      auto parsed = parse_catalog(builtin_catalog_source(b.catalog_id));
      if (!parsed) throw std::logic_error(std::string("built-in catalogue ") + b.file_name + ": " + parsed.error().message);
      out.push_back(std::move(*parsed));
    }
    std::vector<const Catalog*> known;
    for (const auto& c : out) known.push_back(&c);
    for (const auto& c : out)
      if (auto s = check_mappings(c, known); !s) throw std::logic_error("built-in catalogue " + c.id + ": " + s.error().message);
    return out;
  }();
  return catalogs;
}

}  // namespace tillit::content
