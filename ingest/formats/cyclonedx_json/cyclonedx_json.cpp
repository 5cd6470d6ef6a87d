// $.metadata is captured (tool, time, and metadata.component: the asset). $.components is
// walked without capturing (components nest, and a BOM may list many): each component's
// bom-ref, name, version and purl go into an index. Each $.vulnerabilities[*] is captured and
// becomes one finding per component it affects (affects[].ref through the index). CycloneDX
// writes metadata and components before vulnerabilities; a ref to a component not yet seen
// is read as a purl when it is one.
#include "cyclonedx_json/cyclonedx_json.h"

#include "cyclonedx_common/cyclonedx_common.h"
#include "identifiers.h"
#include "json/json_reader.h"

namespace tillit::ingest {
namespace {

using json::Action;
using json::any_index;
using json::Node;
using json::Path;
using json::Type;

// $.components[i], $.components[i].components[j], ...: the first n steps.
bool is_component(const Path& path, std::size_t n) {
  if (n < 2 || n % 2 != 0) return false;
  for (std::size_t i = 0; i < n; i += 2) {
    if (path.key(i) != "components" || !path.is_index(i + 1)) return false;
  }
  return true;
}

class CycloneDxJsonHandler final : public json::Handler {
 public:
  explicit CycloneDxJsonHandler(ParseContext& context) : context_(context) {}

  Result<Action> on_container(const Path& path, Type type, const Position& at) override {
    auto expect = [&](Type wanted, Action action) -> Result<Action> {
      if (type == wanted) return action;
      return json::problem_at(path, at, std::string("expected ") + json::type_name(wanted) + ", found " + json::type_name(type));
    };
    const std::size_t n = path.size();
    if (n == 0) return expect(Type::object, Action::descend);
    if (n == 1) {
      const std::string_view key = path.key(0);
      if (key == "metadata") return expect(Type::object, Action::capture);
      if (key == "components" || key == "vulnerabilities") return expect(Type::array, Action::descend);
      return Action::skip;
    }
    if (path.is({"vulnerabilities", any_index})) return expect(Type::object, Action::capture);
    if (is_component(path, n)) {
      components_.emplace_back();
      refs_.emplace_back();
      return expect(Type::object, Action::descend);
    }
    if (is_component(path, n - 1) && path.last_key() == "components") return expect(Type::array, Action::descend);
    return Action::skip;
  }

  Status on_scalar(const Path& path, const json::Scalar& value) override {
    const std::size_t n = path.size();
    if (n == 0) return json::problem_at(path, value.position, "expected a CycloneDX BOM (an object)");
    if (path.is({"vulnerabilities", any_index}) || is_component(path, n)) {
      return json::problem_at(path, value.position, std::string("expected an object, found ") + json::type_name(value.type));
    }
    if (!is_component(path, n - 1) || value.type == Type::null) return {};
    const std::string_view key = path.last_key();
    std::string* into = key == "bom-ref" ? &refs_.back()
                        : key == "name"  ? &components_.back().name
                        : key == "version" ? &components_.back().version
                        : key == "purl"    ? &components_.back().purl
                        : key == "type"    ? &components_.back().type
                                           : nullptr;
    if (into == nullptr) return {};
    if (value.type != Type::string) {
      return json::problem_at(path, value.position, std::string("expected a string, found ") + json::type_name(value.type));
    }
    into->assign(value.text);
    return {};
  }

  Status on_container_end(const Path& path) override {
    if (is_component(path, path.size())) {
      index_.add(refs_.back(), std::move(components_.back()));
      components_.pop_back();
      refs_.pop_back();
    }
    return {};
  }

  Status on_captured(const Path& path, Node root) override {
    if (path.is({"metadata"})) return read_metadata(root);
    return read_vulnerability(root);
  }

 private:
  Status read_metadata(Node metadata) {
    json::Fields fields;
    context_.header.scan_time = fields.string(metadata, "timestamp");
    asset_ = fields.string(fields.object(metadata, "component"), "name");
    context_.header.asset = asset_;
    // tools: an array of {vendor, name, version} (1.4), or {components: [...], services: [...]} (1.5+).
    const Node tools = metadata.get("tools");
    Node first;
    if (tools.is(Type::array)) {
      for (const Node tool : tools) {
        first = tool;
        break;
      }
    } else if (tools.is(Type::object)) {
      for (const Node tool : fields.array(tools, "components")) {
        first = tool;
        break;
      }
    }
    if (first.is(Type::object)) {
      context_.header.tool_name = fields.string(first, "name");
      context_.header.tool_version = fields.string(first, "version");
    }
    return fields.status();
  }

  Status read_vulnerability(Node v) {
    json::Fields fields;
    finding_.clear();
    finding_.kind = FindingKind::package;
    finding_.tool = context_.header.tool_name.empty() ? "CycloneDX" : context_.header.tool_name;
    finding_.vulnerability_id = fields.required_string(v, "id");
    const Node source = fields.object(v, "source");
    const std::string_view source_name = fields.string(source, "name");
    add_unique(finding_.references, fields.string(source, "url"));
    for (const Node reference : fields.array(v, "references")) {
      finding_.aliases.emplace_back(fields.string(reference, "id"));
      add_unique(finding_.references, fields.string(fields.object(reference, "source"), "url"));
    }
    cyclonedx::SeverityChoice severity(source_name);
    for (const Node rating : fields.array(v, "ratings")) {
      if (!fields.expect(rating, Type::object)) break;
      const std::string_view rating_source = fields.string(fields.object(rating, "source"), "name");
      severity.add(rating_source, fields.string(rating, "severity"), fields.scalar(rating, "score"));
      context_.emitter.add_cvss(
          finding_, cyclonedx::cvss_vector(fields.string(rating, "method"), fields.string(rating, "vector")),
          rating_source);
    }
    severity.apply(finding_);
    for (const Node cwe : fields.array(v, "cwes")) {
      if (cwe.is(Type::number) || cwe.is(Type::string)) finding_.cwes.emplace_back(cwe.text());
    }
    finding_.description = fields.string(v, "description");
    const std::string_view detail = fields.string(v, "detail");
    if (!detail.empty() && detail != finding_.description) {
      finding_.description += finding_.description.empty() ? "" : "\n\n";
      finding_.description += detail;
    }
    finding_.solution = fields.string(v, "recommendation");
    for (const Node advisory : fields.array(v, "advisories")) {
      add_unique(finding_.references, fields.string(advisory, "url"));
    }
    const Node analysis = fields.object(v, "analysis");
    finding_.analysis.state = fields.string(analysis, "state");
    finding_.analysis.justification = fields.string(analysis, "justification");
    fields.strings(analysis, "response", finding_.analysis.responses);
    finding_.analysis.detail = fields.string(analysis, "detail");

    std::vector<std::string> refs;
    for (const Node affected : fields.array(v, "affects")) {
      add_unique(refs, fields.string(affected, "ref"));
    }
    if (!fields.ok()) return fields.status();
    if (refs.empty()) refs.emplace_back();
    for (const auto& ref : refs) {
      if (!ref.empty()) index_.resolve(ref, finding_);
      finding_.asset = asset_;
      if (Status status = context_.emitter.emit(finding_, [&] { return json::describe(v); }); !status) return status;
    }
    return {};
  }

  ParseContext& context_;
  std::string asset_;
  cyclonedx::ComponentIndex index_;
  std::vector<cyclonedx::Component> components_;  // the open components, outermost first
  std::vector<std::string> refs_;
  Finding finding_;
};

class CycloneDxJsonFormat final : public Format {
 public:
  std::string_view name() const override { return "cyclonedx-json"; }
  std::string_view description() const override { return "CycloneDX JSON 1.4-1.6 with vulnerabilities"; }
  std::string_view how_to_export() const override {
    return "export it again as CycloneDX JSON with vulnerabilities (e.g. `trivy image --format cyclonedx "
           "--scanners vuln`, `grype -o cyclonedx-json`)";
  }
  int detect(const Head& head) const override {
    if (head.syntax != Head::Syntax::json_object) return 0;
    if (equals_ci(head.root_string("bomFormat"), "CycloneDX")) return 95;
    if (head.root_string("$schema").find("cyclonedx") != std::string_view::npos) return 90;
    return 0;
  }
  Status parse(ParseContext& context) const override {
    CycloneDxJsonHandler handler(context);
    return json::read(context.input, handler);
  }
};

}  // namespace

const Format& cyclonedx_json_format() {
  static const CycloneDxJsonFormat format;
  return format;
}

}  // namespace tillit::ingest
