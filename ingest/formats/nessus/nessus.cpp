// /NessusClientData_v2/Report/ReportHost: the host's name attribute is the asset; each
// <ReportItem> in it is captured and becomes one finding about that host and port, the plugin
// being the rule. Every plugin is kept, informational ones (severity 0) too, rated "none":
// what to act on is the service's decision, not the parser's. The policy (often larger than
// the results) is skipped unread.
#include "nessus/nessus.h"

#include <charconv>

#include "identifiers.h"
#include "tillit/core/time.h"
#include "xml/xml_reader.h"

namespace tillit::ingest {
namespace {

using xml::Action;
using xml::Element;
using xml::Path;

const char* const kLevelWords[] = {"Info", "Low", "Medium", "High", "Critical"};

// Nessus gives temporal metrics apart ("CVSS2#E:U/RL:OF/RC:C", "CVSS:3.0/E:U/RL:O/RC:C"):
// appended to the base vector they give the temporal score.
std::string with_temporal(std::string_view base, std::string_view temporal) {
  temporal = clean_cvss_vector(temporal);
  if (starts_with_ci(temporal, "CVSS:")) {
    const auto slash = temporal.find('/');
    temporal = slash == std::string_view::npos ? std::string_view() : temporal.substr(slash + 1);
  }
  if (temporal.empty()) return std::string(clean_cvss_vector(base));
  return std::string(clean_cvss_vector(base)) + "/" + std::string(temporal);
}

class NessusHandler final : public xml::Handler {
 public:
  explicit NessusHandler(ParseContext& context) : context_(context) {
    context_.header.tool_name = "Nessus";
  }

  Result<Action> on_element(const Path& path, const xml::Attributes& attributes, const Position& at) override {
    const std::string_view name = path.last();
    switch (path.size()) {
      case 1:
        if (name != "NessusClientData_v2") {
          return malformed(at, path.to_string(),
                           "expected a Nessus v2 report (<NessusClientData_v2>), found <" + std::string(name) + ">");
        }
        return Action::descend;
      case 2: return name == "Report" ? Action::descend : Action::skip;
      case 3:
        if (name != "ReportHost") return Action::skip;
        host_ = trim(attributes.get("name"));
        return Action::descend;
      case 4: return name == "ReportItem" || name == "HostProperties" ? Action::capture : Action::skip;
      default: return Action::skip;
    }
  }

  Status on_captured(const Path& path, Element element) override {
    if (path.last() == "HostProperties") {
      read_host_properties(element);
      return {};
    }
    return read_item(element);
  }

 private:
  void read_host_properties(Element properties) {
    for (const Element tag : properties) {
      const std::string_view name = tag.attribute("name");
      if (name == "HOST_START_TIMESTAMP" && context_.header.scan_time.empty()) {
        long long seconds = 0;
        const std::string_view text = tag.trimmed_text();
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (ec == std::errc() && end == text.data() + text.size() && seconds > 0 && seconds < 253402300800LL) {
          context_.header.scan_time = format_rfc3339(Timestamp(std::chrono::seconds(seconds)));
        }
      }
    }
  }

  Status read_item(Element item) {
    xml::Problems problems;
    finding_.clear();
    finding_.kind = FindingKind::network;
    finding_.tool = "Nessus";
    finding_.asset = host_;
    finding_.rule_id = problems.required_attribute(item, "pluginID");
    finding_.location.port = trim(item.attribute("port"));
    finding_.location.protocol = trim(item.attribute("protocol"));
    finding_.location.service = trim(item.attribute("svc_name"));
    finding_.title = trim(item.attribute("pluginName"));
    if (finding_.title.empty()) finding_.title = item.child_text("plugin_name");

    const std::string_view level = trim(item.attribute("severity"));
    const std::string_view risk = item.child_text("risk_factor");
    const SeverityBand level_band = severity_band(SeverityScale::nessus_level, level);
    finding_.severity = level_band != SeverityBand::unknown ? level_band : severity_band(SeverityScale::word, risk);
    if (!risk.empty()) {
      finding_.tool_severity = risk;
    } else if (level_band != SeverityBand::unknown) {
      finding_.tool_severity = kLevelWords[level[0] - '0'];
    }

    const std::string_view synopsis = item.child_text("synopsis");
    const std::string_view description = item.child_text("description");
    finding_.description = synopsis;
    if (!description.empty() && description != synopsis) {
      if (!finding_.description.empty()) finding_.description += "\n\n";
      finding_.description += description;
    }
    finding_.solution = item.child_text("solution");
    finding_.evidence = item.child_text("plugin_output");

    std::vector<std::string> cves;
    for (const Element child : item) {
      const std::string_view name = child.local_name();
      if (name == "cve") {
        add_unique(cves, child.trimmed_text());
      } else if (name == "cwe") {
        add_unique(finding_.cwes, child.trimmed_text());
      } else if (name == "xref" && starts_with_ci(child.trimmed_text(), "CWE:")) {
        add_unique(finding_.cwes, child.trimmed_text().substr(4));
      } else if (name == "see_also") {
        split_whitespace_into(child.trimmed_text(), finding_.references);
      }
    }
    if (!cves.empty()) {
      finding_.vulnerability_id = cves.front();
      finding_.aliases.assign(cves.begin() + 1, cves.end());
    }

    struct VectorPair {
      const char* base;
      const char* temporal;
    };
    for (const auto& pair : {VectorPair{"cvss_vector", "cvss_temporal_vector"},
                             VectorPair{"cvss3_vector", "cvss3_temporal_vector"},
                             VectorPair{"cvss4_vector", "cvss4_threat_vector"}}) {
      const std::string_view base = item.child_text(pair.base);
      if (base.empty()) continue;
      const std::string combined = with_temporal(base, item.child_text(pair.temporal));
      context_.emitter.add_cvss(finding_, context_.emitter.is_valid_cvss(combined) ? std::string_view(combined) : base,
                                "Nessus");
    }
    if (!problems.ok()) return problems.status();
    return context_.emitter.emit(finding_, [&] { return xml::describe(item); });
  }

  ParseContext& context_;
  std::string host_;
  Finding finding_;
};

class NessusFormat final : public Format {
 public:
  std::string_view name() const override { return "nessus"; }
  std::string_view description() const override { return "Nessus v2 (.nessus)"; }
  std::string_view how_to_export() const override {
    return "export the scan again from Nessus as \"Nessus\" (.nessus, format v2)";
  }
  int detect(const Head& head) const override {
    return head.syntax == Head::Syntax::xml && head.xml_root == "NessusClientData_v2" ? 95 : 0;
  }
  Status parse(ParseContext& context) const override {
    NessusHandler handler(context);
    return xml::read(context.input, handler);
  }
};

}  // namespace

const Format& nessus_format() {
  static const NessusFormat format;
  return format;
}

}  // namespace tillit::ingest
