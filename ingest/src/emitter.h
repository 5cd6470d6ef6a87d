// The last step of every parser: a converted finding gets the importer's asset rules, its
// CVSS vectors checked by core, its identifiers tidied and its fingerprint, and then goes to
// the caller's callback. Formats differ in how they read; what leaves them is uniform.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "report_error.h"
#include "tillit/ingest/finding.h"
#include "tillit/ingest/parse.h"

namespace tillit::ingest {

class Emitter {
 public:
  Emitter(const ParseOptions& options, const FindingCallback& callback);

  // Files a vector the report gives under finding.cvss when core can parse it, else under
  // finding.rejected_cvss with core's reason. Blank vectors are ignored; repeats of the same
  // vector from the same source are kept once.
  void add_cvss(Finding& finding, std::string_view vector, std::string_view source);

  // Whether core can parse `vector` (after clean_cvss_vector()).
  bool is_valid_cvss(std::string_view vector);

  // Completes `finding` and hands it to the callback. `place()` says where the finding is in
  // the report ("line 3, column 5 ($.matches[0])"); it is called only for the errors a finding
  // can still have here (no asset, no identifier), so the common path builds no path text.
  template <typename Place>
  Status emit(Finding& finding, Place&& place) {
    if (const char* problem = complete(finding)) {
      if (problem == kNoAsset) asked_for_asset_ = true;
      return make_error(ErrorCode::invalid_argument, place() + ": " + problem);
    }
    return deliver(finding);
  }

  // An error for a finding whose asset cannot be known (see asked_for_asset()).
  Error ask_for_asset(std::string message) {
    asked_for_asset_ = true;
    return make_error(ErrorCode::invalid_argument, std::move(message));
  }

  // The last error came from a finding without any asset: not a malformed report, but
  // a question to the importer.
  bool asked_for_asset() const { return asked_for_asset_; }

  // The asset the finding gets from the options alone (override, else default), "" if none:
  // lets a format skip work (Grype's second pass) when the options decide anyway.
  const std::string& asset_override() const { return options_.asset_override; }

  bool callback_failed() const { return callback_failed_; }
  std::size_t findings() const { return findings_; }
  std::size_t rejected_vectors() const { return rejected_vectors_; }

 private:
  struct Checked {
    std::string version;  // empty when rejected
    std::string problem;
  };
  const Checked& check(std::string_view vector);
  static const char* const kNoAsset;
  // Applies the asset rules and tidies identifiers; the problem, or nullptr.
  const char* complete(Finding& finding);
  Status deliver(Finding& finding);
  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  const ParseOptions& options_;
  const FindingCallback& callback_;
  // Reports repeat the same vectors across assets and packages: each distinct vector is
  // parsed once. Bounded; cleared when full.
  std::unordered_map<std::string, Checked, TransparentHash, std::equal_to<>> checked_;
  bool callback_failed_ = false;
  bool asked_for_asset_ = false;
  std::size_t findings_ = 0;
  std::size_t rejected_vectors_ = 0;
};

}  // namespace tillit::ingest
