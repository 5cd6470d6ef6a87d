// Reads $.Results[*] (or $[*] in the list form, or $.Resources[*].Results[*] for Kubernetes)
// and captures each entry of Vulnerabilities, Misconfigurations and Secrets as one finding.
// The asset is ArtifactName (the image, directory or repository scanned); a report without
// one uses the importer's default asset, else the result's Target. Kubernetes findings
// belong to cluster/namespace/kind/name, the workload one fixes. Trivy writes ArtifactName
// and Target before the findings; a report that writes them after has findings named by
// what was known when each was read.
#include "trivy/trivy.h"

#include "identifiers.h"
#include "json/json_reader.h"

namespace tillit::ingest {
namespace {

using json::Action;
using json::any_index;
using json::Node;
using json::Path;
using json::Type;

bool is_resource_list(std::string_view key) {
  return key == "Resources" || key == "Vulnerabilities" || key == "Misconfigurations";
}

bool is_finding_list(std::string_view key) {
  return key == "Vulnerabilities" || key == "Misconfigurations" || key == "Secrets";
}

class TrivyHandler final : public json::Handler {
 public:
  explicit TrivyHandler(ParseContext& context) : context_(context) {
    context_.header.tool_name = "Trivy";
  }

  Result<Action> on_container(const Path& path, Type type, const Position& at) override {
    const std::size_t n = path.size();
    if (n == 0) {
      legacy_ = type == Type::array;
      return Action::descend;
    }
    if (is_result(path, n) || is_resource(path, n)) {
      if (type != Type::object) return json::problem_at(path, at, std::string("expected an object, found ") + json::type_name(type));
      if (is_result(path, n)) {
        target_.clear();
        type_.clear();
      } else {
        namespace_.clear();
        kind_.clear();
        name_.clear();
      }
      return Action::descend;
    }
    if (is_result(path, n - 1)) {
      if (!is_finding_list(path.last_key())) return Action::skip;
      if (type != Type::array) return json::problem_at(path, at, std::string("expected an array, found ") + json::type_name(type));
      return Action::descend;
    }
    if (n >= 2 && is_result(path, n - 2) && path.is_index(n - 1)) {
      if (type != Type::object) return json::problem_at(path, at, std::string("expected an object, found ") + json::type_name(type));
      return Action::capture;
    }
    if (n == 1 && !legacy_) {
      const std::string_view key = path.key(0);
      if (key == "Results" || is_resource_list(key)) {
        if (type != Type::array) return json::problem_at(path, at, std::string("expected an array, found ") + json::type_name(type));
        return Action::descend;
      }
      if (key == "Trivy" && type == Type::object) return Action::capture;
      return Action::skip;
    }
    if (n == 3 && is_resource(path, 2) && path.key(2) == "Results") {
      if (type != Type::array) return json::problem_at(path, at, std::string("expected an array, found ") + json::type_name(type));
      return Action::descend;
    }
    return Action::skip;
  }

  Status on_scalar(const Path& path, const json::Scalar& value) override {
    const std::size_t n = path.size();
    if (n == 0) return json::problem_at(path, value.position, "expected a Trivy report (an object or a list of results)");
    const std::string_view key = path.last_key();
    std::string* into = nullptr;
    if (n == 1 && !legacy_) {
      if (key == "ArtifactName") into = &artifact_name_;
      if (key == "ClusterName") into = &cluster_name_;
      if (key == "CreatedAt") into = &context_.header.scan_time;
      if ((key == "Results" || is_resource_list(key)) && value.type != Type::null) {
        return json::problem_at(path, value.position, std::string("expected an array, found ") + json::type_name(value.type));
      }
    } else if (is_result(path, n - 1)) {
      if (key == "Target") into = &target_;
      if (key == "Type") into = &type_;
      if (is_finding_list(key) && value.type != Type::null) {
        return json::problem_at(path, value.position, std::string("expected an array, found ") + json::type_name(value.type));
      }
    } else if (is_resource(path, n - 1)) {
      if (key == "Namespace") into = &namespace_;
      if (key == "Kind") into = &kind_;
      if (key == "Name") into = &name_;
    } else if (n >= 2 && is_result(path, n - 2) && path.is_index(n - 1)) {
      return json::problem_at(path, value.position, std::string("expected an object, found ") + json::type_name(value.type));
    } else if (is_result(path, n) || is_resource(path, n)) {
      return json::problem_at(path, value.position, std::string("expected an object, found ") + json::type_name(value.type));
    }
    if (into == nullptr || value.type == Type::null) return {};
    if (value.type != Type::string) {
      return json::problem_at(path, value.position, std::string("expected a string, found ") + json::type_name(value.type));
    }
    into->assign(value.text);
    if (into == &artifact_name_ || into == &cluster_name_) context_.header.asset = *into;
    return {};
  }

  Status on_captured(const Path& path, Node root) override {
    if (path.size() == 1) {
      json::Fields fields;
      context_.header.tool_version = fields.string(root, "Version");
      return fields.status();
    }
    const std::string_view list = path.key(path.size() - 2);
    finding_.clear();
    fields_ = json::Fields();
    bool keep = true;
    if (list == "Vulnerabilities") {
      read_vulnerability(root);
    } else if (list == "Misconfigurations") {
      keep = read_misconfiguration(root);
    } else {
      read_secret(root);
    }
    if (!fields_.ok()) return fields_.status();
    if (!keep) return {};
    finding_.tool = "Trivy";
    finding_.asset = asset();
    if (finding_.location.path.empty()) finding_.location.path = target_;
    return context_.emitter.emit(finding_, [&] { return json::describe(root); });
  }

 private:
  // A result object: $[i] (list form), $.Results[i], $.<resources>[i].Results[j].
  bool is_result(const Path& path, std::size_t n) const {
    if (legacy_) return n == 1 && path.is_index(0);
    if (n == 2) return path.key(0) == "Results" && path.is_index(1);
    if (n == 4) return is_resource(path, 2) && path.key(2) == "Results" && path.is_index(3);
    return false;
  }
  bool is_resource(const Path& path, std::size_t n) const {
    return !legacy_ && n == 2 && is_resource_list(path.key(0)) && path.is_index(1);
  }

  std::string asset() const {
    if (!cluster_name_.empty() || !kind_.empty()) {
      std::string out = cluster_name_;
      for (const std::string* part : {&namespace_, &kind_, &name_}) {
        if (part->empty()) continue;
        if (!out.empty()) out += '/';
        out += *part;
      }
      return out;
    }
    if (!artifact_name_.empty()) return artifact_name_;
    return context_.options.default_asset.empty() ? target_ : std::string();
  }

  void read_common(Node entry) {
    finding_.title = fields_.string(entry, "Title");
    finding_.description = fields_.string(entry, "Description");
    finding_.tool_severity = fields_.string(entry, "Severity");
    finding_.severity = severity_band(SeverityScale::word, finding_.tool_severity);
    add_unique(finding_.references, fields_.string(entry, "PrimaryURL"));
    fields_.strings(entry, "References", finding_.references);
  }

  void read_vulnerability(Node v) {
    finding_.kind = FindingKind::package;
    finding_.vulnerability_id = fields_.required_string(v, "VulnerabilityID");
    fields_.strings(v, "VendorIDs", finding_.aliases);
    finding_.component = fields_.required_string(v, "PkgName");
    finding_.component_version = fields_.string(v, "InstalledVersion");
    finding_.purl = fields_.string(fields_.object(v, "PkgIdentifier"), "PURL");
    finding_.package_type = type_;
    finding_.location.path = fields_.string(v, "PkgPath");
    split_into(fields_.string(v, "FixedVersion"), ',', finding_.fixed_versions);
    finding_.status = fields_.string(v, "Status");
    fields_.strings(v, "CweIDs", finding_.cwes);
    read_common(v);
    for (const Node source : fields_.object(v, "CVSS")) {
      if (!fields_.expect(source, Type::object)) return;
      for (const char* key : {"V2Vector", "V3Vector", "V40Vector"}) {
        context_.emitter.add_cvss(finding_, fields_.string(source, key), source.key());
      }
    }
  }

  // Only failed checks are findings; Trivy lists passed ones with --include-non-failures.
  bool read_misconfiguration(Node m) {
    const std::string_view status = fields_.string(m, "Status");
    if (!status.empty() && status != "FAIL") return false;
    finding_.kind = FindingKind::configuration;
    finding_.rule_id = fields_.string(m, "ID");
    if (finding_.rule_id.empty()) finding_.rule_id = fields_.required_string(m, "AVDID");
    finding_.evidence = fields_.string(m, "Message");
    finding_.solution = fields_.string(m, "Resolution");
    read_common(m);
    finding_.location.line = to_line_number(fields_.scalar(fields_.object(m, "CauseMetadata"), "StartLine"));
    return true;
  }

  // Never Match or Code: they hold the secret itself, which must not spread further.
  void read_secret(Node s) {
    finding_.kind = FindingKind::code;
    finding_.rule_id = fields_.required_string(s, "RuleID");
    finding_.title = fields_.string(s, "Title");
    finding_.description = fields_.string(s, "Category");
    finding_.tool_severity = fields_.string(s, "Severity");
    finding_.severity = severity_band(SeverityScale::word, finding_.tool_severity);
    finding_.location.line = to_line_number(fields_.scalar(s, "StartLine"));
  }

  ParseContext& context_;
  bool legacy_ = false;
  std::string artifact_name_, cluster_name_;
  std::string target_, type_;
  std::string namespace_, kind_, name_;
  Finding finding_;
  json::Fields fields_;
};

class TrivyFormat final : public Format {
 public:
  std::string_view name() const override { return "trivy"; }
  std::string_view description() const override { return "Trivy JSON (schema 2, pre-0.20 list, Kubernetes)"; }
  std::string_view how_to_export() const override {
    return "export it again with `trivy image --format json --output report.json IMAGE` (or trivy fs, repo, "
           "k8s with --format json)";
  }
  int detect(const Head& head) const override {
    if (head.syntax == Head::Syntax::json_object) {
      if (head.has_key("SchemaVersion") &&
          (head.has_key("Results") || head.has_key("ArtifactName") || head.has_key("ArtifactType"))) {
        return 90;
      }
      if (head.has_key("ClusterName") &&
          (head.has_key("Resources") || head.has_key("Vulnerabilities") || head.has_key("Misconfigurations"))) {
        return 90;
      }
      if (head.has_key("Results[].Target")) return 60;
    }
    if (head.syntax == Head::Syntax::json_array && head.has_key("[].Target")) return 80;
    return 0;
  }
  Status parse(ParseContext& context) const override {
    TrivyHandler handler(context);
    return json::read(context.input, handler);
  }
};

}  // namespace

const Format& trivy_format() {
  static const TrivyFormat format;
  return format;
}

}  // namespace tillit::ingest
