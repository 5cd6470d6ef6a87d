// For each $.runs[*]: the tool (driver and extensions, with their rules) is captured once and
// kept as a rule table; each $.runs[*].results[*] is captured and becomes one finding, its
// rule found by index (ruleIndex, rule.index, rule.toolComponent.index) or by id. The asset is
// the run's repository (versionControlProvenance[0].repositoryUri), else the importer's.
// Results of kind pass or notApplicable, and baselineState absent (gone since the baseline),
// are not findings. SARIF writes tool before results; rules of a run whose results come
// first are not known to those results (their rule id still is).
#include "sarif/sarif.h"

#include <algorithm>
#include <unordered_map>

#include "identifiers.h"
#include "json/json_reader.h"

namespace tillit::ingest {
namespace {

using json::Action;
using json::any_index;
using json::Node;
using json::Path;
using json::Type;

struct Rule {
  std::string id, name, short_description, full_description, help_uri;
  std::string default_level;
  std::string security_severity;
  std::vector<std::string> cwes;
};

// Rules of one tool component (the driver is component -1, extensions 0..n-1).
struct RuleTable {
  std::vector<Rule> driver;
  std::vector<std::vector<Rule>> extensions;
  std::unordered_map<std::string, const Rule*> by_id;

  const Rule* at(long long component, long long index) const {
    const std::vector<Rule>* rules = component < 0 ? &driver
                                     : static_cast<std::size_t>(component) < extensions.size()
                                         ? &extensions[static_cast<std::size_t>(component)]
                                         : nullptr;
    if (rules == nullptr || index < 0 || static_cast<std::size_t>(index) >= rules->size()) return nullptr;
    return &(*rules)[static_cast<std::size_t>(index)];
  }
  const Rule* find(std::string_view id) const {
    if (id.empty()) return nullptr;
    if (const auto it = by_id.find(std::string(id)); it != by_id.end()) return it->second;
    // Hierarchical rule ids ("CA2000/1") belong to their base rule.
    if (const auto slash = id.find('/'); slash != std::string_view::npos) return find(id.substr(0, slash));
    return nullptr;
  }
};

long long to_index(std::string_view text) {
  if (text.empty() || text.size() > 9) return -1;
  long long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

class SarifHandler final : public json::Handler {
 public:
  explicit SarifHandler(ParseContext& context) : context_(context) {}

  Result<Action> on_container(const Path& path, Type type, const Position& at) override {
    auto expect = [&](Type wanted) -> Result<Action> {
      if (type == wanted) return Action::descend;
      return json::problem_at(path, at, std::string("expected ") + json::type_name(wanted) + ", found " + json::type_name(type));
    };
    switch (path.size()) {
      case 0: return expect(Type::object);
      case 1: return path.key(0) == "runs" ? expect(Type::array) : Action::skip;
      case 2: {
        auto action = expect(Type::object);
        if (action) start_run();
        return action;
      }
      case 3: {
        const std::string_view key = path.key(2);
        if (key == "results") return expect(Type::array);
        if ((key == "tool" && type == Type::object) || (key == "versionControlProvenance" && type == Type::array)) {
          return Action::capture;
        }
        return Action::skip;
      }
      case 4:
        if (path.key(2) == "results") {
          if (type != Type::object) return json::problem_at(path, at, std::string("expected an object, found ") + json::type_name(type));
          return Action::capture;
        }
        return Action::skip;
      default: return Action::skip;
    }
  }

  Status on_scalar(const Path& path, const json::Scalar& value) override {
    const bool container_expected = path.empty() || path.is({"runs"}) || path.is({"runs", any_index}) ||
                                    path.is({"runs", any_index, "results", any_index});
    if (container_expected && !(value.type == Type::null && path.size() == 1)) {
      return json::problem_at(path, value.position, std::string("expected ") +
                                                        (path.size() == 1 ? "an array" : "an object") + ", found " +
                                                        json::type_name(value.type));
    }
    if (path.is({"runs", any_index, "results"}) && value.type != Type::null) {
      return json::problem_at(path, value.position, std::string("expected an array, found ") + json::type_name(value.type));
    }
    return {};
  }

  Status on_captured(const Path& path, Node root) override {
    if (path.size() == 3 && path.key(2) == "tool") return read_tool(root);
    if (path.size() == 3) return read_provenance(root);
    return read_result(root);
  }

 private:
  void start_run() {
    rules_ = RuleTable();
    tool_name_.clear();
    run_asset_.clear();
  }

  void read_rules(Node component, std::vector<Rule>& rules, json::Fields& fields) {
    for (const Node r : fields.array(component, "rules")) {
      if (!fields.expect(r, Type::object)) return;
      Rule rule;
      rule.id = fields.string(r, "id");
      rule.name = fields.string(r, "name");
      rule.short_description = fields.string(fields.object(r, "shortDescription"), "text");
      rule.full_description = fields.string(fields.object(r, "fullDescription"), "text");
      rule.help_uri = fields.string(r, "helpUri");
      rule.default_level = fields.string(fields.object(r, "defaultConfiguration"), "level");
      const Node properties = fields.object(r, "properties");
      rule.security_severity = fields.scalar(properties, "security-severity");
      std::vector<std::string> tags;
      fields.strings(properties, "tags", tags);
      const Node cwe = properties.get("cwe");
      if (cwe.is(Type::string)) tags.emplace_back(cwe.text());
      if (cwe.is(Type::array)) fields.strings(properties, "cwe", tags);
      for (const auto& tag : tags) {
        if (std::string id = normalize_cwe(tag); !id.empty() && (tag.find("cwe") != std::string::npos ||
                                                                   tag.find("CWE") != std::string::npos)) {
          add_unique(rule.cwes, id);
        }
      }
      for (const Node relationship : fields.array(r, "relationships")) {
        const Node target = relationship.get("target");
        const Node component_name = target.get("toolComponent").get("name");
        if (component_name.is(Type::string) && equals_ci(component_name.text(), "CWE")) {
          add_unique(rule.cwes, normalize_cwe(target.get("id").text()));
        }
      }
      rules.push_back(std::move(rule));
    }
  }

  Status read_tool(Node tool) {
    json::Fields fields;
    const Node driver = fields.object(tool, "driver");
    tool_name_ = fields.string(driver, "name");
    std::string version(fields.string(driver, "version"));
    if (version.empty()) version = fields.string(driver, "semanticVersion");
    if (context_.header.tool_name.empty()) {
      context_.header.tool_name = tool_name_;
      context_.header.tool_version = version;
    }
    read_rules(driver, rules_.driver, fields);
    for (const Node extension : fields.array(tool, "extensions")) {
      if (!fields.expect(extension, Type::object)) break;
      rules_.extensions.emplace_back();
      read_rules(extension, rules_.extensions.back(), fields);
    }
    for (const Rule& rule : rules_.driver) rules_.by_id.emplace(rule.id, &rule);
    for (const auto& extension : rules_.extensions) {
      for (const Rule& rule : extension) rules_.by_id.emplace(rule.id, &rule);
    }
    return fields.status();
  }

  Status read_provenance(Node provenance) {
    json::Fields fields;
    for (const Node entry : provenance) {
      if (!fields.expect(entry, Type::object)) break;
      run_asset_ = fields.string(entry, "repositoryUri");
      if (!run_asset_.empty()) break;
    }
    if (context_.header.asset.empty()) context_.header.asset = run_asset_;
    return fields.status();
  }

  const Rule* rule_of(Node result, json::Fields& fields) const {
    const Node reference = fields.object(result, "rule");
    long long index = to_index(fields.scalar(result, "ruleIndex"));
    if (index < 0) index = to_index(fields.scalar(reference, "index"));
    long long component = -1;
    const Node tool_component = fields.object(reference, "toolComponent");
    if (tool_component.exists()) component = to_index(fields.scalar(tool_component, "index"));
    if (const Rule* rule = rules_.at(component, index)) return rule;
    std::string_view id = fields.string(result, "ruleId");
    if (id.empty()) id = fields.string(reference, "id");
    return rules_.find(id);
  }

  // The tool's id of this occurrence that survives line shifts: primaryLocationLineHash when
  // given (CodeQL, GitHub), else all partial fingerprints in key order.
  static std::string occurrence_fingerprint(Node result, json::Fields& fields) {
    const Node partial = fields.object(result, "partialFingerprints");
    if (const std::string_view hash = fields.string(partial, "primaryLocationLineHash"); !hash.empty()) {
      return "primaryLocationLineHash=" + std::string(hash);
    }
    std::vector<std::string> pairs;
    for (const Node entry : partial) {
      if (entry.is(Type::string)) pairs.push_back(std::string(entry.key()) + "=" + std::string(entry.text()));
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& pair : pairs) out += (out.empty() ? "" : ";") + pair;
    return out;
  }

  Status read_result(Node result) {
    json::Fields fields;
    const std::string_view kind = fields.string(result, "kind");
    const std::string_view baseline = fields.string(result, "baselineState");
    if (kind == "pass" || kind == "notApplicable" || baseline == "absent") return fields.status();

    const Rule* rule = rule_of(result, fields);
    finding_.clear();
    finding_.kind = FindingKind::code;
    finding_.tool = tool_name_;
    finding_.rule_id = fields.string(result, "ruleId");
    if (finding_.rule_id.empty()) finding_.rule_id = fields.string(fields.object(result, "rule"), "id");
    if (finding_.rule_id.empty() && rule != nullptr) finding_.rule_id = rule->id;
    if (finding_.rule_id.empty()) fields.fail(result, "ruleId is missing (and no rule is referenced)");
    finding_.vulnerability_id = leading_vulnerability_id(finding_.rule_id);

    std::string_view level = fields.string(result, "level");
    if (level.empty() && rule != nullptr) level = rule->default_level;
    if (level.empty()) level = "warning";  // SARIF's default level
    std::string_view security_severity = fields.scalar(fields.object(result, "properties"), "security-severity");
    if (security_severity.empty() && rule != nullptr) security_severity = rule->security_severity;
    if (!security_severity.empty()) {
      finding_.tool_severity = security_severity;
      finding_.severity = severity_band(SeverityScale::score, security_severity);
    } else {
      finding_.tool_severity = level;
      finding_.severity = severity_band(SeverityScale::sarif_level, level);
    }

    const Node message = fields.object(result, "message");
    finding_.evidence = fields.string(message, "text");
    if (finding_.evidence.empty()) finding_.evidence = fields.string(message, "markdown");
    if (rule != nullptr) {
      finding_.title = !rule->short_description.empty() ? rule->short_description : rule->name;
      if (rule->full_description != finding_.title) finding_.description = rule->full_description;
      add_unique(finding_.references, rule->help_uri);
      finding_.cwes = rule->cwes;
    }
    if (finding_.title.empty()) {
      const std::string_view first_line = trim(std::string_view(finding_.evidence).substr(0, finding_.evidence.find('\n')));
      finding_.title = first_line.substr(0, 200);
    }
    for (const Node suppression : fields.array(result, "suppressions")) {
      const std::string_view status = fields.string(suppression, "status");
      if (status.empty() || status == "accepted") finding_.status = "suppressed";
    }

    for (const Node location : fields.array(result, "locations")) {
      const Node physical = fields.object(location, "physicalLocation");
      finding_.location.path = fields.string(fields.object(physical, "artifactLocation"), "uri");
      finding_.location.line = to_line_number(fields.scalar(fields.object(physical, "region"), "startLine"));
      break;
    }
    finding_.tool_fingerprint = occurrence_fingerprint(result, fields);
    if (!fields.ok()) return fields.status();
    finding_.asset = run_asset_;
    return context_.emitter.emit(finding_, [&] { return json::describe(result); });
  }

  ParseContext& context_;
  RuleTable rules_;
  std::string tool_name_;
  std::string run_asset_;
  Finding finding_;
};

class SarifFormat final : public Format {
 public:
  std::string_view name() const override { return "sarif"; }
  std::string_view description() const override { return "SARIF 2.1.0"; }
  std::string_view how_to_export() const override {
    return "export it again as SARIF 2.1.0 (e.g. `semgrep --sarif`, `codeql database analyze --format=sarif-latest`)";
  }
  int detect(const Head& head) const override {
    if (head.syntax != Head::Syntax::json_object || !head.has_key("runs")) return 0;
    const std::string_view schema = head.root_string("$schema");
    if (schema.find("sarif") != std::string_view::npos || schema.find("SARIF") != std::string_view::npos) return 95;
    if (head.root_string("version").starts_with("2.")) return 85;
    if (head.has_key("runs[].tool") || head.has_key("runs[].results")) return 70;
    return 0;
  }
  Status parse(ParseContext& context) const override {
    SarifHandler handler(context);
    return json::read(context.input, handler);
  }
};

}  // namespace

const Format& sarif_format() {
  static const SarifFormat format;
  return format;
}

}  // namespace tillit::ingest
