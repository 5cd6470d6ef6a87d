// For each $.results[*] (one scanned lockfile or SBOM, its path in source.path), each
// packages[*] entry is captured whole: a package with its OSV vulnerability records and the
// groups OSV-Scanner formed of records that are one vulnerability under several ids (GHSA,
// CVE, PYSEC). One finding per group (per record when there are no groups), so a GHSA and
// its CVE are not counted twice. OSV-Scanner does not name the project it scanned: the asset
// comes from the importer.
#include "osv/osv.h"

#include "identifiers.h"
#include "json/json_reader.h"

namespace tillit::ingest {
namespace {

using json::Action;
using json::any_index;
using json::Node;
using json::Path;
using json::Type;

class OsvHandler final : public json::Handler {
 public:
  explicit OsvHandler(ParseContext& context) : context_(context) {
    context_.header.tool_name = "OSV-Scanner";
  }

  Result<Action> on_container(const Path& path, Type type, const Position& at) override {
    auto expect = [&](Type wanted, Action action) -> Result<Action> {
      if (type == wanted) return action;
      return json::problem_at(path, at, std::string("expected ") + json::type_name(wanted) + ", found " + json::type_name(type));
    };
    if (path.empty()) return expect(Type::object, Action::descend);
    if (path.is({"results"})) return expect(Type::array, Action::descend);
    if (path.is({"results", any_index})) {
      source_path_.clear();
      return expect(Type::object, Action::descend);
    }
    if (path.is({"results", any_index, "source"})) return expect(Type::object, Action::capture);
    if (path.is({"results", any_index, "packages"})) return expect(Type::array, Action::descend);
    if (path.is({"results", any_index, "packages", any_index})) return expect(Type::object, Action::capture);
    return Action::skip;
  }

  Status on_scalar(const Path& path, const json::Scalar& value) override {
    if (value.type == Type::null && path.size() > 0) return {};
    if (path.empty() || path.is({"results"}) || path.is({"results", any_index}) ||
        path.is({"results", any_index, "packages"}) || path.is({"results", any_index, "packages", any_index})) {
      return json::problem_at(path, value.position, std::string("expected a container, found ") + json::type_name(value.type));
    }
    return {};
  }

  Status on_captured(const Path& path, Node root) override {
    json::Fields fields;
    if (path.last_key() == "source") {
      source_path_ = fields.string(root, "path");
      return fields.status();
    }
    return read_package(root, fields);
  }

 private:
  // Adds what one OSV record says to the finding being built.
  void add_record(Node record, json::Fields& fields, std::string_view package_name) {
    finding_.aliases.emplace_back(fields.string(record, "id"));
    fields.strings(record, "aliases", finding_.aliases);
    if (finding_.title.empty()) finding_.title = fields.string(record, "summary");
    if (finding_.description.empty()) finding_.description = fields.string(record, "details");
    for (const Node severity : fields.array(record, "severity")) {
      const std::string_view type = fields.string(severity, "type");
      if (type.starts_with("CVSS")) context_.emitter.add_cvss(finding_, fields.string(severity, "score"), "osv");
    }
    const Node database = fields.object(record, "database_specific");
    if (finding_.tool_severity.empty()) {
      finding_.tool_severity = fields.scalar(database, "severity");
      finding_.severity = severity_band(SeverityScale::word, finding_.tool_severity);
    }
    fields.strings(database, "cwe_ids", finding_.cwes);
    for (const Node reference : fields.array(record, "references")) {
      add_unique(finding_.references, fields.string(reference, "url"));
    }
    for (const Node affected : fields.array(record, "affected")) {
      const Node package = fields.object(affected, "package");
      if (fields.string(package, "name") != package_name) continue;
      // A package found by commit (a git source) is the repository the affected ranges name.
      if (package_name.empty() && finding_.component.empty()) {
        for (const Node range : fields.array(affected, "ranges")) {
          if (fields.string(range, "type") == "GIT") finding_.component = fields.string(range, "repo");
          if (!finding_.component.empty()) break;
        }
      }
      if (finding_.purl.empty()) {
        const std::string_view purl = fields.string(package, "purl");
        if (!purl.empty() && !finding_.component_version.empty() && purl.find('@') == std::string_view::npos) {
          finding_.purl = std::string(purl) + "@" + finding_.component_version;
        }
      }
      // Fixed versions of the package's own ecosystem; commit ids only for a package that
      // is itself a git checkout.
      for (const Node range : fields.array(affected, "ranges")) {
        if ((fields.string(range, "type") == "GIT") != package_name.empty()) continue;
        for (const Node event : fields.array(range, "events")) {
          add_unique(finding_.fixed_versions, fields.scalar(event, "fixed"));
        }
      }
    }
  }

  void start_finding(Node package, json::Fields& fields) {
    finding_.clear();
    finding_.kind = FindingKind::package;
    finding_.tool = "OSV-Scanner";
    finding_.component = fields.string(package, "name");
    finding_.component_version = fields.string(package, "version");
    finding_.package_type = fields.string(package, "ecosystem");
    const std::string_view commit = fields.string(package, "commit");
    if (finding_.component.empty()) {
      if (commit.empty()) fields.fail(package, "the package has neither a name nor a commit");
      finding_.component_version = commit;
      finding_.package_type = "git";
    }
    finding_.location.path = source_path_;
  }

  Status read_package(Node entry, json::Fields& fields) {
    const Node package = fields.object(entry, "package");
    if (!package.exists()) fields.fail(entry, "package is missing");
    const Node records = fields.array(entry, "vulnerabilities");
    const Node groups = fields.array(entry, "groups");
    if (!fields.ok()) return fields.status();
    const std::string package_name(package.get("name").text());

    auto finish = [&](Node at) -> Status {
      if (!fields.ok()) return fields.status();
      if (finding_.component.empty()) finding_.component = source_path_;
      // The primary id: the first record of the group (its own OSV id), as OSV-Scanner shows it.
      if (!finding_.aliases.empty()) {
        finding_.vulnerability_id = finding_.aliases.front();
        finding_.aliases.erase(finding_.aliases.begin());
      }
      if (finding_.vulnerability_id.empty()) fields.fail(at, "the vulnerability has no id");
      if (!fields.ok()) return fields.status();
      return context_.emitter.emit(finding_, [&] { return json::describe(at); });
    };

    if (groups.size() == 0) {
      for (const Node record : records) {
        if (!fields.expect(record, Type::object)) return fields.status();
        start_finding(package, fields);
        add_record(record, fields, package_name);
        if (Status status = finish(record); !status) return status;
      }
      return fields.status();
    }
    for (const Node group : groups) {
      if (!fields.expect(group, Type::object)) return fields.status();
      start_finding(package, fields);
      std::vector<std::string> ids;
      fields.strings(group, "ids", ids);
      for (const auto& id : ids) {
        for (const Node record : records) {
          if (record.get("id").text() == id) add_record(record, fields, package_name);
        }
      }
      if (finding_.aliases.empty() && !ids.empty()) finding_.aliases = ids;
      fields.strings(group, "aliases", finding_.aliases);
      if (finding_.tool_severity.empty()) {
        finding_.tool_severity = fields.scalar(group, "max_severity");
        finding_.severity = severity_band(SeverityScale::score, finding_.tool_severity);
      }
      if (Status status = finish(group); !status) return status;
    }
    return fields.status();
  }

  ParseContext& context_;
  std::string source_path_;
  Finding finding_;
};

class OsvFormat final : public Format {
 public:
  std::string_view name() const override { return "osv"; }
  std::string_view description() const override { return "OSV-Scanner JSON"; }
  std::string_view how_to_export() const override {
    return "export it again with `osv-scanner --format json --output report.json DIR`";
  }
  int detect(const Head& head) const override {
    if (head.syntax != Head::Syntax::json_object || !head.has_key("results")) return 0;
    if (head.has_key("results[].packages") || head.has_key("results[].source")) return 85;
    return 0;
  }
  Status parse(ParseContext& context) const override {
    OsvHandler handler(context);
    return json::read(context.input, handler);
  }
};

}  // namespace

const Format& osv_format() {
  static const OsvFormat format;
  return format;
}

}  // namespace tillit::ingest
