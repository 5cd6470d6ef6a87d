// Each <result> directly under a report's <results> is captured and becomes one finding
// about its host (the asset: the address OpenVAS names) and port. Results nested elsewhere
// (notes, overrides, delta reports) are not findings of this scan. The check is the NVT
// (its OID is the rule id); its CVEs are identifiers; its severity number is the tool's
// severity (OpenVAS computes it from CVSS), the threat word when there is none.
#include "openvas/openvas.h"

#include "identifiers.h"
#include "xml/xml_reader.h"

namespace tillit::ingest {
namespace {

using xml::Action;
using xml::Element;
using xml::Path;

// The NVT's tags: "cvss_base_vector=AV:N/...|summary=...|insight=...".
std::string_view tag(std::string_view tags, std::string_view name) {
  while (!tags.empty()) {
    const auto bar = tags.find('|');
    const std::string_view item = tags.substr(0, bar);
    const auto equals = item.find('=');
    if (equals != std::string_view::npos && trim(item.substr(0, equals)) == name) return trim(item.substr(equals + 1));
    if (bar == std::string_view::npos) break;
    tags.remove_prefix(bar + 1);
  }
  return {};
}

void append_paragraph(std::string& text, std::string_view paragraph) {
  paragraph = trim(paragraph);
  if (paragraph.empty()) return;
  if (!text.empty()) text += "\n\n";
  text += paragraph;
}

class OpenVasHandler final : public xml::Handler {
 public:
  explicit OpenVasHandler(ParseContext& context) : context_(context) {
    context_.header.tool_name = "OpenVAS";
  }

  Result<Action> on_element(const Path& path, const xml::Attributes&, const Position& at) override {
    const std::string_view name = path.last();
    if (path.size() == 1) {
      if (name != "report" && name != "get_reports_response") {
        return malformed(at, path.to_string(), "expected an OpenVAS report (<report>), found <" + std::string(name) + ">");
      }
      return Action::descend;
    }
    const std::string_view parent = path.ancestor(1);
    if (name == "report" && (parent == "report" || parent == "get_reports_response")) return Action::descend;
    if (parent == "report") {
      if (name == "results") return Action::descend;
      if (name == "scan_start" || name == "timestamp" || name == "gmp") return Action::capture;
      return Action::skip;
    }
    if (name == "result" && parent == "results") return Action::capture;
    return Action::skip;
  }

  Status on_captured(const Path& path, Element element) override {
    const std::string_view name = path.last();
    if (name == "scan_start" || name == "timestamp") {
      if (name == "scan_start" || context_.header.scan_time.empty()) {
        if (!element.trimmed_text().empty()) context_.header.scan_time = element.trimmed_text();
      }
      return {};
    }
    if (name == "gmp") {
      context_.header.tool_version = element.child_text("version");
      return {};
    }
    return read_result(element);
  }

 private:
  Status read_result(Element result) {
    xml::Problems problems;
    finding_.clear();
    finding_.kind = FindingKind::network;
    finding_.tool = "OpenVAS";

    const Element host = result.child("host");
    finding_.asset = host.trimmed_text();
    if (finding_.asset.empty()) finding_.asset = host.child_text("hostname");
    const std::string_view port = result.child_text("port");
    const auto slash = port.find('/');
    finding_.location.port = trim(port.substr(0, slash));
    if (slash != std::string_view::npos) finding_.location.protocol = trim(port.substr(slash + 1));

    const Element nvt = result.child("nvt");
    if (!nvt.exists()) problems.fail(result, "<nvt> is missing");
    finding_.rule_id = problems.required_attribute(nvt, "oid");
    finding_.title = nvt.child_text("name");
    if (finding_.title.empty()) finding_.title = result.child_text("name");

    const std::string_view threat = result.child_text("threat");
    const std::string_view severity = result.child_text("severity");
    finding_.tool_severity = !severity.empty() ? severity : threat;
    finding_.severity = severity.empty() ? severity_band(SeverityScale::word, threat)
                                         : severity_band(SeverityScale::score, severity);
    if (threat == "Log" || threat == "Debug") finding_.severity = SeverityBand::none;
    if (threat == "False Positive") finding_.status = "false_positive";

    const std::string_view tags = nvt.child_text("tags");
    append_paragraph(finding_.description, tag(tags, "summary"));
    append_paragraph(finding_.description, tag(tags, "insight"));
    append_paragraph(finding_.description, tag(tags, "impact"));
    finding_.solution = nvt.child_text("solution");
    if (finding_.solution.empty()) finding_.solution = tag(tags, "solution");
    finding_.evidence = trim(result.child("description").text());

    // Vectors: <severities> (GVM 21.04+) with their origin, else the tags' cvss_base_vector.
    for (const Element entry : nvt.child("severities")) {
      if (entry.local_name() != "severity") continue;
      std::string_view origin = entry.child_text("origin");
      context_.emitter.add_cvss(finding_, entry.child_text("value"), origin.empty() ? "OpenVAS" : origin);
    }
    if (finding_.cvss.empty() && finding_.rejected_cvss.empty()) {
      std::string_view vector = tag(tags, "cvss_base_vector");
      if (vector.empty()) vector = nvt.child_text("cvss_base_vector");
      context_.emitter.add_cvss(finding_, vector, "OpenVAS");
    }

    std::vector<std::string> cves;
    for (const Element ref : nvt.child("refs")) {
      const std::string_view type = ref.attribute("type");
      const std::string_view id = trim(ref.attribute("id"));
      if (equals_ci(type, "cve")) add_unique(cves, id);
      if (equals_ci(type, "url")) add_unique(finding_.references, id);
      if (equals_ci(type, "cwe")) add_unique(finding_.cwes, id);
    }
    // Reports before GVM 9 list CVEs and references as text: "CVE-1, CVE-2" / "NOCVE",
    // "URL:https://..., CERT:...".
    for (const Element child : nvt) {
      if (child.local_name() == "cve") {
        std::vector<std::string> listed;
        split_into(child.trimmed_text(), ',', listed);
        for (const auto& id : listed) {
          if (id != "NOCVE") add_unique(cves, id);
        }
      } else if (child.local_name() == "xref") {
        std::vector<std::string> listed;
        split_into(child.trimmed_text(), ',', listed);
        for (const auto& item : listed) {
          if (starts_with_ci(item, "URL:")) add_unique(finding_.references, std::string_view(item).substr(4));
        }
      }
    }
    if (!cves.empty()) {
      finding_.vulnerability_id = cves.front();
      finding_.aliases.assign(cves.begin() + 1, cves.end());
    }
    if (!problems.ok()) return problems.status();
    return context_.emitter.emit(finding_, [&] { return xml::describe(result); });
  }

  ParseContext& context_;
  Finding finding_;
};

class OpenVasFormat final : public Format {
 public:
  std::string_view name() const override { return "openvas"; }
  std::string_view description() const override { return "OpenVAS/GVM XML"; }
  std::string_view how_to_export() const override {
    return "download the report again from Greenbone in the XML report format";
  }
  int detect(const Head& head) const override {
    if (head.syntax != Head::Syntax::xml) return 0;
    if (head.xml_root == "get_reports_response") return 90;
    if (head.xml_root == "report" && head.xml_namespace.empty()) {
      // OpenVAS's <report> has format_id/content_type attributes and gmp/results inside.
      const std::string_view b = head.bytes;
      if (b.find("format_id=") != std::string_view::npos || b.find("<results") != std::string_view::npos ||
          b.find("<gmp>") != std::string_view::npos || b.find("<omp>") != std::string_view::npos) {
        return 90;
      }
      return 50;
    }
    return 0;
  }
  Status parse(ParseContext& context) const override {
    OpenVasHandler handler(context);
    return xml::read(context.input, handler);
  }
};

}  // namespace

const Format& openvas_format() {
  static const OpenVasFormat format;
  return format;
}

}  // namespace tillit::ingest
