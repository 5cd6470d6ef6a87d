#include "emitter.h"

#include <algorithm>

#include "identifiers.h"
#include "tillit/core/cvss.h"
#include "tillit/ingest/fingerprint.h"

namespace tillit::ingest {
namespace {

constexpr std::size_t kCheckedVectorsKept = 8192;

// Keeps the first spelling of each CWE, normalized ("CWE-79"); drops what names no CWE.
void tidy_cwes(std::vector<std::string>& cwes) {
  std::vector<std::string> out;
  for (const auto& cwe : cwes) add_unique(out, normalize_cwe(cwe));
  cwes.swap(out);
}

// Aliases never repeat each other or the primary id (compared case-insensitively).
void tidy_aliases(std::vector<std::string>& aliases, std::string_view primary) {
  std::vector<std::string> out;
  for (const auto& alias : aliases) {
    const std::string_view id = trim(alias);
    if (id.empty() || equals_ci(id, trim(primary))) continue;
    if (std::none_of(out.begin(), out.end(), [&](const std::string& seen) { return equals_ci(seen, id); })) {
      out.emplace_back(id);
    }
  }
  aliases.swap(out);
}

}  // namespace

Emitter::Emitter(const ParseOptions& options, const FindingCallback& callback)
    : options_(options), callback_(callback) {}

const Emitter::Checked& Emitter::check(std::string_view vector) {
  if (const auto it = checked_.find(vector); it != checked_.end()) return it->second;
  if (checked_.size() >= kCheckedVectorsKept) checked_.clear();
  Checked checked;
  const auto scored = score_cvss(vector);
  if (scored) {
    checked.version = scored->version;
  } else {
    checked.problem = scored.error().message;
  }
  return checked_.emplace(std::string(vector), std::move(checked)).first->second;
}

bool Emitter::is_valid_cvss(std::string_view vector) {
  vector = clean_cvss_vector(vector);
  return !vector.empty() && !check(vector).version.empty();
}

void Emitter::add_cvss(Finding& finding, std::string_view vector, std::string_view source) {
  vector = clean_cvss_vector(vector);
  source = trim(source);
  if (vector.empty()) return;
  const Checked& checked = check(vector);
  if (!checked.version.empty()) {
    for (const auto& existing : finding.cvss) {
      if (existing.vector == vector && existing.source == source) return;
    }
    finding.cvss.push_back(CvssVector{std::string(vector), checked.version, std::string(source)});
    return;
  }
  for (const auto& existing : finding.rejected_cvss) {
    if (existing.vector == vector && existing.source == source) return;
  }
  finding.rejected_cvss.push_back(RejectedCvss{std::string(vector), std::string(source), checked.problem});
}

const char* const Emitter::kNoAsset =
    "the report does not name the asset (image, host or repository) this finding belongs to; name it when "
    "importing (tillit import --asset NAME)";

const char* Emitter::complete(Finding& finding) {
  if (!options_.asset_override.empty()) {
    finding.asset = options_.asset_override;
  } else if (trim(finding.asset).empty()) {
    finding.asset = options_.default_asset;
  }
  if (const std::string_view asset = trim(finding.asset); asset.size() != finding.asset.size()) {
    finding.asset = std::string(asset);
  }
  if (finding.asset.empty()) return kNoAsset;
  if (trim(finding.vulnerability_id).empty() && trim(finding.rule_id).empty()) {
    return "the finding has neither a vulnerability id nor a rule id, so it cannot be told apart from others; "
           "the report is incomplete";
  }
  tidy_aliases(finding.aliases, finding.vulnerability_id);
  tidy_cwes(finding.cwes);
  return nullptr;
}

Status Emitter::deliver(Finding& finding) {
  finding.fingerprint = fingerprint(finding);
  rejected_vectors_ += finding.rejected_cvss.size();
  ++findings_;
  Status status = callback_(finding);
  if (!status) callback_failed_ = true;
  return status;
}

}  // namespace tillit::ingest
