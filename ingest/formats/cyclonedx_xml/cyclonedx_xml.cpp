// /bom/metadata is captured (tool, time, the asset); components are walked, not captured
// (they nest and may be many): their bom-ref attribute and name, version, purl children go
// into an index. Each /bom/vulnerabilities/vulnerability is captured and becomes one finding
// per affects/target/ref. A v:vulnerability of the extension is captured inside its
// component and becomes a finding about that component.
#include "cyclonedx_xml/cyclonedx_xml.h"

#include "cyclonedx_common/cyclonedx_common.h"
#include "identifiers.h"
#include "xml/xml_reader.h"

namespace tillit::ingest {
namespace {

using xml::Action;
using xml::Element;
using xml::Path;

bool is_extension(std::string_view namespace_uri) {
  return namespace_uri.find("cyclonedx.org/schema/ext/vulnerability") != std::string_view::npos;
}

struct OpenComponent {
  std::string ref;
  cyclonedx::Component component;
};

class CycloneDxXmlHandler final : public xml::Handler {
 public:
  explicit CycloneDxXmlHandler(ParseContext& context) : context_(context) {}

  Result<Action> on_element(const Path& path, const xml::Attributes& attributes, const Position& at) override {
    const std::size_t n = path.size();
    const std::string_view name = path.last();
    const std::string_view parent = path.ancestor(1);
    if (n == 1) {
      if (name != "bom") return malformed(at, path.to_string(), "expected a CycloneDX BOM (<bom>), found <" + std::string(name) + ">");
      return Action::descend;
    }
    const bool extension = is_extension(path.namespace_uri(n - 1));
    if (n == 2) {
      if (name == "metadata") return Action::capture;
      if (name == "components" || name == "vulnerabilities") return Action::descend;
      return Action::skip;
    }
    if (name == "vulnerability" && parent == "vulnerabilities") {
      const bool core = n == 3 && !extension;
      const bool in_component = n >= 4 && extension && path.ancestor(2) == "component" && !open_.empty();
      return core || in_component ? Action::capture : Action::skip;
    }
    if (!in_components(path, n - 1)) return Action::skip;
    // Inside the component tree: components/component/(components/component)*
    if (name == "component" && parent == "components") {
      open_.push_back(OpenComponent{std::string(trim(attributes.get("bom-ref"))), {}});
      open_.back().component.type = attributes.get("type");
      return Action::descend;
    }
    if (parent == "component" && !open_.empty()) {
      if (name == "name" || name == "version" || name == "purl") return Action::capture;
      if (name == "components") return Action::descend;
      if (name == "vulnerabilities" && extension) return Action::descend;
    }
    return Action::skip;
  }

  Status on_element_end(const Path& path) override {
    if (path.last() == "component" && !open_.empty() && in_components(path, path.size() - 1)) {
      index_.add(open_.back().ref, open_.back().component);
      open_.pop_back();
    }
    return {};
  }

  Status on_captured(const Path& path, Element element) override {
    const std::string_view name = path.last();
    if (path.size() == 2) return read_metadata(element);
    if (name == "vulnerability") {
      return is_extension(element.namespace_uri()) ? read_extension(element) : read_vulnerability(element);
    }
    cyclonedx::Component& component = open_.back().component;
    const std::string_view text = element.trimmed_text();
    if (name == "name") component.name = text;
    if (name == "version") component.version = text;
    if (name == "purl") component.purl = text;
    return {};
  }

 private:
  // True when the first n steps are /bom/components/component(/components/component)*
  // or end at a components element of that tree.
  static bool in_components(const Path& path, std::size_t n) {
    if (n < 2 || path.local(0) != "bom" || path.local(1) != "components") return false;
    for (std::size_t i = 2; i < n; ++i) {
      const std::string_view expected = (i % 2 == 0) ? "component" : "components";
      if (path.local(i) != expected) return false;
    }
    return true;
  }

  Status read_metadata(Element metadata) {
    context_.header.scan_time = metadata.child_text("timestamp");
    asset_ = metadata.child("component").child_text("name");
    context_.header.asset = asset_;
    const Element tools = metadata.child("tools");
    Element tool = tools.child("tool");
    if (!tool.exists()) tool = tools.child("components").child("component");
    context_.header.tool_name = tool.child_text("name");
    context_.header.tool_version = tool.child_text("version");
    return {};
  }

  void start_finding() {
    finding_.clear();
    finding_.kind = FindingKind::package;
    finding_.tool = context_.header.tool_name.empty() ? "CycloneDX" : context_.header.tool_name;
  }

  Status read_vulnerability(Element v) {
    xml::Problems problems;
    start_finding();
    finding_.vulnerability_id = problems.required_text(v, "id");
    const Element source = v.child("source");
    add_unique(finding_.references, source.child_text("url"));
    for (const Element reference : v.child("references")) {
      finding_.aliases.emplace_back(reference.child_text("id"));
      add_unique(finding_.references, reference.child("source").child_text("url"));
    }
    cyclonedx::SeverityChoice severity(source.child_text("name"));
    for (const Element rating : v.child("ratings")) {
      const std::string_view rating_source = rating.child("source").child_text("name");
      severity.add(rating_source, rating.child_text("severity"), rating.child_text("score"));
      context_.emitter.add_cvss(finding_, cyclonedx::cvss_vector(rating.child_text("method"), rating.child_text("vector")),
                                rating_source);
    }
    severity.apply(finding_);
    for (const Element cwe : v.child("cwes")) finding_.cwes.emplace_back(cwe.trimmed_text());
    finding_.description = v.child_text("description");
    const std::string_view detail = v.child_text("detail");
    if (!detail.empty() && detail != finding_.description) {
      finding_.description += finding_.description.empty() ? "" : "\n\n";
      finding_.description += detail;
    }
    finding_.solution = v.child_text("recommendation");
    for (const Element advisory : v.child("advisories")) add_unique(finding_.references, advisory.child_text("url"));
    const Element analysis = v.child("analysis");
    finding_.analysis.state = analysis.child_text("state");
    finding_.analysis.justification = analysis.child_text("justification");
    for (const Element response : analysis.child("responses")) {
      add_unique(finding_.analysis.responses, response.trimmed_text());
    }
    finding_.analysis.detail = analysis.child_text("detail");
    if (!problems.ok()) return problems.status();

    std::vector<std::string> refs;
    for (const Element target : v.child("affects")) add_unique(refs, target.child_text("ref"));
    if (refs.empty()) refs.emplace_back();
    for (const auto& ref : refs) {
      if (!ref.empty()) index_.resolve(ref, finding_);
      finding_.asset = asset_;
      if (Status status = context_.emitter.emit(finding_, [&] { return xml::describe(v); }); !status) return status;
    }
    return {};
  }

  Status read_extension(Element v) {
    xml::Problems problems;
    start_finding();
    finding_.vulnerability_id = problems.required_text(v, "id");
    const Element source = v.child("source");
    add_unique(finding_.references, source.child_text("url"));
    cyclonedx::SeverityChoice severity(source.attribute("name"));
    for (const Element rating : v.child("ratings")) {
      severity.add("", rating.child_text("severity"), rating.child("score").child_text("base"));
      context_.emitter.add_cvss(finding_, cyclonedx::cvss_vector(rating.child_text("method"), rating.child_text("vector")),
                                source.attribute("name"));
    }
    severity.apply(finding_);
    for (const Element cwe : v.child("cwes")) finding_.cwes.emplace_back(cwe.trimmed_text());
    finding_.description = v.child_text("description");
    for (const Element recommendation : v.child("recommendations")) {
      if (!finding_.solution.empty()) finding_.solution += "\n";
      finding_.solution += recommendation.trimmed_text();
    }
    for (const Element advisory : v.child("advisories")) add_unique(finding_.references, advisory.trimmed_text());
    if (!problems.ok()) return problems.status();
    const cyclonedx::Component& component = open_.back().component;
    finding_.component = component.name;
    finding_.component_version = component.version;
    finding_.purl = component.purl;
    if (!finding_.purl.empty()) finding_.package_type = percent_decode(parse_purl(finding_.purl).type);
    if (finding_.package_type.empty()) finding_.package_type = component.type;
    finding_.asset = asset_;
    return context_.emitter.emit(finding_, [&] { return xml::describe(v); });
  }

  ParseContext& context_;
  std::string asset_;
  cyclonedx::ComponentIndex index_;
  std::vector<OpenComponent> open_;
  Finding finding_;
};

class CycloneDxXmlFormat final : public Format {
 public:
  std::string_view name() const override { return "cyclonedx-xml"; }
  std::string_view description() const override { return "CycloneDX XML with vulnerabilities"; }
  std::string_view how_to_export() const override {
    return "export it again as CycloneDX XML with vulnerabilities (e.g. `grype -o cyclonedx`)";
  }
  int detect(const Head& head) const override {
    if (head.syntax != Head::Syntax::xml || head.xml_root != "bom") return 0;
    return head.xml_namespace.starts_with("http://cyclonedx.org/schema/bom/") ? 95 : 40;
  }
  Status parse(ParseContext& context) const override {
    CycloneDxXmlHandler handler(context);
    return xml::read(context.input, handler);
  }
};

}  // namespace

const Format& cyclonedx_xml_format() {
  static const CycloneDxXmlFormat format;
  return format;
}

}  // namespace tillit::ingest
