#include "tillit/ingest/fingerprint.h"

#include "identifiers.h"
#include "sha256.h"

namespace tillit::ingest {
namespace {

// Each field as "<length>:<value>\n", so no value can imitate a field boundary.
void append_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

std::string asset_key(std::string_view asset) { return to_lower(trim(asset)); }

// Paths as tools write them: "file:///src/a.py", "./src/a.py", "src\\a.py" are one file.
std::string path_key(std::string_view path) {
  path = trim(path);
  if (starts_with_ci(path, "file://")) path.remove_prefix(7);
  while (path.starts_with("./")) path.remove_prefix(2);
  std::string out(path);
  for (char& c : out) {
    if (c == '\\') c = '/';
  }
  return out;
}

bool is_major_version_segment(std::string_view segment) {
  if (segment.size() < 2 || (segment[0] != 'v' && segment[0] != 'V')) return false;
  for (std::size_t i = 1; i < segment.size(); ++i) {
    if (segment[i] < '0' || segment[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::string vulnerability_key(const Finding& finding) {
  if (is_cve(trim(finding.vulnerability_id))) return to_upper(trim(finding.vulnerability_id));
  // The smallest CVE among the aliases, so the choice does not depend on the tool's order.
  std::string best;
  for (const auto& alias : finding.aliases) {
    const std::string_view id = trim(alias);
    if (!is_cve(id)) continue;
    std::string upper = to_upper(id);
    if (best.empty() || upper < best) best = std::move(upper);
  }
  if (!best.empty()) return best;
  return to_upper(trim(finding.vulnerability_id));
}

std::string component_key(std::string_view name, std::string_view purl) {
  std::string base(trim(name));
  if (base.empty()) base = percent_decode(parse_purl(trim(purl)).name);
  // The bare package name: the last part after '/' or ':' ("group:artifact", Go module paths,
  // npm scopes), keeping a Go major-version suffix with its module ("redis/v8").
  std::string_view text = base;
  std::size_t cut = text.find_last_of("/:");
  if (cut != std::string_view::npos && is_major_version_segment(text.substr(cut + 1)) && cut > 0) {
    const std::size_t before = text.find_last_of("/:", cut - 1);
    cut = before;
  }
  if (cut != std::string_view::npos) text = text.substr(cut + 1);
  std::string out;
  out.reserve(text.size());
  bool in_separator_run = false;
  for (const char c : text) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator_run) out += '-';
      in_separator_run = true;
      continue;
    }
    in_separator_run = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::string fingerprint_key(const Finding& finding) {
  std::string key = "tillit-finding/1\n";
  append_field(key, to_string(finding.kind));
  switch (finding.kind) {
    case FindingKind::package: {
      std::string vulnerability = vulnerability_key(finding);
      if (vulnerability.empty()) vulnerability = trim(finding.rule_id);
      append_field(key, vulnerability);
      append_field(key, component_key(finding.component, finding.purl));
      append_field(key, asset_key(finding.asset));
      break;
    }
    case FindingKind::network:
      append_field(key, trim(finding.rule_id));
      append_field(key, asset_key(finding.asset));
      append_field(key, to_lower(trim(finding.location.port)) + "/" + to_lower(trim(finding.location.protocol)));
      break;
    case FindingKind::code:
      append_field(key, trim(finding.rule_id));
      append_field(key, path_key(finding.location.path));
      append_field(key, asset_key(finding.asset));
      append_field(key, trim(finding.tool_fingerprint));
      break;
    case FindingKind::configuration:
      append_field(key, trim(finding.rule_id));
      append_field(key, path_key(finding.location.path));
      append_field(key, asset_key(finding.asset));
      break;
  }
  return key;
}

std::string fingerprint(const Finding& finding) {
  const auto digest = sha256(fingerprint_key(finding));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (std::size_t i = 0; i < 16; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace tillit::ingest
