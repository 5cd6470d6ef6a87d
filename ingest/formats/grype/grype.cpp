// Each $.matches[*] is one finding. Grype writes what it scanned ($.source) after all of its
// matches, and every finding needs that asset: so unless the importer names the asset, a
// first pass skims the report for $.source and $.descriptor (skipping the matches, keeping
// nothing else) and a second pass reads the matches. Memory stays flat; a source that cannot
// be read twice (a pipe) must come with an asset name.
#include "grype/grype.h"

#include "identifiers.h"
#include "json/json_reader.h"

namespace tillit::ingest {
namespace {

using json::Action;
using json::any_index;
using json::Node;
using json::Path;
using json::Type;

struct ReportFacts {
  std::string asset;  // $.source.target (a string, or an object with userInput)
  bool seen_source = false;
};

class GrypeHandler final : public json::Handler {
 public:
  // `first_pass`: read only $.source and $.descriptor. `asset_known`: the asset is settled
  // (by a first pass or the importer), so matches may come before $.source.
  GrypeHandler(ParseContext& context, ReportFacts& facts, bool first_pass, bool asset_known)
      : context_(context), facts_(facts), first_pass_(first_pass), asset_known_(asset_known) {}

  Result<Action> on_container(const Path& path, Type type, const Position& at) override {
    if (path.empty()) {
      if (type != Type::object) return json::problem_at(path, at, "expected a Grype report (an object with matches)");
      return Action::descend;
    }
    if (path.size() == 1) {
      const std::string_view key = path.key(0);
      if (key == "matches") {
        if (type != Type::array) return json::problem_at(path, at, std::string("expected an array, found ") + json::type_name(type));
        return first_pass_ ? Action::skip : Action::descend;
      }
      if ((key == "source" || key == "descriptor") && type == Type::object) return Action::capture;
      return Action::skip;
    }
    if (path.is({"matches", any_index})) {
      if (type != Type::object) return json::problem_at(path, at, std::string("expected an object, found ") + json::type_name(type));
      return Action::capture;
    }
    return Action::skip;
  }

  Status on_scalar(const Path& path, const json::Scalar& value) override {
    if (path.empty()) return json::problem_at(path, value.position, "expected a Grype report (an object with matches)");
    if (path.is({"matches"}) && value.type != Type::null) {
      return json::problem_at(path, value.position, std::string("expected an array, found ") + json::type_name(value.type));
    }
    if (path.is({"matches", any_index})) {
      return json::problem_at(path, value.position, std::string("expected an object, found ") + json::type_name(value.type));
    }
    return {};
  }

  Status on_captured(const Path& path, Node root) override {
    json::Fields fields;
    if (path.is({"source"})) {
      const Node target = root.get("target");
      if (target.is(Type::string)) {
        facts_.asset = target.text();
      } else {
        facts_.asset = fields.string(fields.object(root, "target"), "userInput");
      }
      facts_.seen_source = true;
      context_.header.asset = facts_.asset;
      return fields.status();
    }
    if (path.is({"descriptor"})) {
      context_.header.tool_name = fields.string(root, "name");
      context_.header.tool_version = fields.string(root, "version");
      context_.header.scan_time = fields.string(root, "timestamp");
      return fields.status();
    }
    return read_match(root);
  }

 private:
  void add_vectors(Node vulnerability, json::Fields& fields) {
    const std::string_view namespace_ = fields.string(vulnerability, "namespace");
    for (const Node cvss : fields.array(vulnerability, "cvss")) {
      if (!fields.expect(cvss, Type::object)) return;
      std::string_view source = fields.string(cvss, "source");
      if (source.empty()) source = namespace_;
      context_.emitter.add_cvss(finding_, fields.string(cvss, "vector"), source);
    }
    // Grype before 0.10 wrote one object per CVSS version.
    for (const char* key : {"cvssV2", "cvssV3"}) {
      context_.emitter.add_cvss(finding_, fields.string(fields.object(vulnerability, key), "vector"), namespace_);
    }
  }

  Status read_match(Node match) {
    if (!asset_known_ && !facts_.seen_source) {
      return context_.emitter.ask_for_asset(
          json::describe(match) +
          ": this Grype report names the scanned image ($.source) after its matches and was given as a stream "
          "that cannot be read twice; import it from a file, or name the asset with --asset NAME");
    }
    json::Fields fields;
    finding_.clear();
    finding_.kind = FindingKind::package;
    finding_.tool = context_.header.tool_name.empty() ? "grype" : context_.header.tool_name;

    const Node vulnerability = fields.object(match, "vulnerability");
    if (!vulnerability.exists()) fields.fail(match, "vulnerability is missing");
    finding_.vulnerability_id = fields.required_string(vulnerability, "id");
    finding_.tool_severity = fields.string(vulnerability, "severity");
    finding_.severity = severity_band(SeverityScale::word, finding_.tool_severity);
    finding_.description = fields.string(vulnerability, "description");
    add_unique(finding_.references, fields.string(vulnerability, "dataSource"));
    fields.strings(vulnerability, "urls", finding_.references);
    fields.strings(vulnerability, "links", finding_.references);
    const Node fix = fields.object(vulnerability, "fix");
    finding_.status = fields.string(fix, "state");
    fields.strings(fix, "versions", finding_.fixed_versions);
    for (const Node advisory : fields.array(vulnerability, "advisories")) {
      if (!fields.expect(advisory, Type::object)) break;
      finding_.aliases.emplace_back(fields.string(advisory, "id"));
      add_unique(finding_.references, fields.string(advisory, "link"));
    }
    add_vectors(vulnerability, fields);

    for (const Node related : fields.array(match, "relatedVulnerabilities")) {
      if (!fields.expect(related, Type::object)) break;
      finding_.aliases.emplace_back(fields.string(related, "id"));
      if (finding_.description.empty()) finding_.description = fields.string(related, "description");
      add_unique(finding_.references, fields.string(related, "dataSource"));
      fields.strings(related, "urls", finding_.references);
      add_vectors(related, fields);
    }

    const Node artifact = fields.object(match, "artifact");
    if (!artifact.exists()) fields.fail(match, "artifact is missing");
    finding_.component = fields.required_string(artifact, "name");
    finding_.component_version = fields.string(artifact, "version");
    finding_.package_type = fields.string(artifact, "type");
    finding_.purl = fields.string(artifact, "purl");
    for (const Node location : fields.array(artifact, "locations")) {
      if (!fields.expect(location, Type::object)) break;
      finding_.location.path = fields.string(location, "path");
      break;
    }
    if (!fields.ok()) return fields.status();
    finding_.asset = facts_.asset;
    return context_.emitter.emit(finding_, [&] { return json::describe(match); });
  }

  ParseContext& context_;
  ReportFacts& facts_;
  bool first_pass_;
  bool asset_known_;
  Finding finding_;
};

class GrypeFormat final : public Format {
 public:
  std::string_view name() const override { return "grype"; }
  std::string_view description() const override { return "Grype JSON"; }
  std::string_view how_to_export() const override {
    return "export it again with `grype IMAGE --output json --file report.json`";
  }
  int detect(const Head& head) const override {
    if (head.syntax != Head::Syntax::json_object || !head.has_key("matches")) return 0;
    if (head.has_key("matches[].vulnerability") || head.has_key("matches[].artifact")) return 90;
    if (head.has_key("descriptor.name") || head.has_key("source.target")) return 70;
    return 0;
  }
  Status parse(ParseContext& context) const override {
    ReportFacts facts;
    bool asset_known = !context.emitter.asset_override().empty();
    if (!asset_known && context.input.rewind()) {
      GrypeHandler first(context, facts, /*first_pass=*/true, /*asset_known=*/false);
      if (Status status = json::read(context.input, first); !status) return status;
      if (!context.input.rewind()) {
        return make_error(ErrorCode::unavailable, "could not read the Grype report a second time; import it again");
      }
      asset_known = true;
    }
    GrypeHandler handler(context, facts, /*first_pass=*/false, asset_known);
    return json::read(context.input, handler);
  }
};

}  // namespace

const Format& grype_format() {
  static const GrypeFormat format;
  return format;
}

}  // namespace tillit::ingest
