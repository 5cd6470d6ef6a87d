// fuzz_catalog_yaml: content::parse_catalog, the strict loader for catalogue files
// (tillit-catalog/1, see content/README.md) that users import with `tillit catalog import`
// and through the web UI. Then what an import does with the result: check_mappings against
// the built-in catalogues, and requirement lookups.
//
// Invariants:
//  - parse_catalog never throws (an escaping exception kills the server's request thread);
//  - a rejection is invalid_argument with a message "line N: ..." (N >= 1), as documented;
//  - an accepted catalogue passes validate_catalog and, checked independently here, every
//    rule content/README.md states (ids, uniqueness, titles, CVSS bands in 0-10, min <= max,
//    no overlap, days >= 0);
//  - every requirement of an accepted catalogue resolves, as "CATALOG:ID" and as a bare id.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tillit/content/catalog_loader.h"
#include "tillit/core/catalog.h"

namespace {

using tillit::Catalog;
using tillit::fuzz::show;

bool has_text(const tillit::LocalizedText& t) { return !t.sv.empty() || !t.en.empty(); }

void check_rejection(std::string_view text, const tillit::Error& e) {
  FUZZ_CHECK_MSG(e.code == tillit::ErrorCode::invalid_argument, show(e.message));
  // "line N: ..." with N a line of the input (or one past its end, for a fault at the end).
  const std::string& m = e.message;
  std::size_t i = 5;
  FUZZ_CHECK_MSG(m.rfind("line ", 0) == 0, "rejection without the documented 'line N: ' prefix: " + show(m));
  long long line = 0;
  while (i < m.size() && m[i] >= '0' && m[i] <= '9' && line < 1000000000) line = line * 10 + (m[i++] - '0');
  FUZZ_CHECK_MSG(i > 5 && m.compare(i, 2, ": ") == 0, "malformed 'line N: ' prefix: " + show(m));
  long long lines = 1;
  for (const char c : text) lines += c == '\n' || c == '\r';
  FUZZ_CHECK_MSG(line >= 1 && line <= lines + 1, "line number out of range of the input: " + show(m));
}

// content/README.md's rules, checked without the loader's or validate_catalog's code.
void check_rules(const Catalog& c) {
  FUZZ_CHECK_MSG(tillit::is_valid_slug(c.id), show(c.id));
  FUZZ_CHECK(has_text(c.name));
  FUZZ_CHECK(!c.requirements.empty());
  std::set<std::string> requirement_ids, duty_ids;
  for (const auto& r : c.requirements) {
    FUZZ_CHECK_MSG(tillit::is_valid_requirement_id(r.id), show(r.id));
    FUZZ_CHECK_MSG(requirement_ids.insert(r.id).second, "duplicate requirement " + show(r.id));
    FUZZ_CHECK_MSG(has_text(r.title), show(r.id));
    for (const auto& m : r.maps_to) FUZZ_CHECK_MSG(tillit::is_valid_slug(m.catalog), show(m.catalog));
    for (const auto& d : r.duties) {
      FUZZ_CHECK_MSG(tillit::is_valid_slug(d.id), show(d.id));
      FUZZ_CHECK_MSG(duty_ids.insert(d.id).second, "duplicate duty " + show(d.id));
      FUZZ_CHECK_MSG(has_text(d.title), show(d.id));
      FUZZ_CHECK_MSG(d.every.years > 0 || d.every.months > 0 || d.every.days > 0, "empty period in duty " + show(d.id));
    }
  }
  static const std::set<std::string> severities = {"none", "low", "medium", "high", "critical"};
  const auto& bands = c.cvss_remediation;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const auto& b = bands[i];
    const std::string which = "cvss_remediation band " + std::to_string(i) + " (" + show(b.severity) +
                              ", min " + std::to_string(b.min) + ", max " + std::to_string(b.max) + ")";
    FUZZ_CHECK_MSG(severities.count(b.severity), which);
    // Written so that NaN fails: every comparison with NaN is false.
    FUZZ_CHECK_MSG(b.min >= 0.0 && b.max <= 10.0 && b.min <= b.max, which + " is not within 0.0-10.0 with min <= max");
    FUZZ_CHECK_MSG(!b.days || *b.days >= 0, which + " has negative days");
    for (std::size_t j = 0; j < i; ++j)
      FUZZ_CHECK_MSG(bands[j].max < b.min || b.max < bands[j].min, which + " overlaps band " + std::to_string(j));
  }
}

void check_lookups(const Catalog& c) {
  const std::vector<const Catalog*> just_this = {&c};
  for (const auto& r : c.requirements) {
    const auto qualified = tillit::resolve_requirement(just_this, c.id + ":" + r.id);
    FUZZ_CHECK_MSG(qualified.ok() && qualified->requirement == &r, "cannot resolve " + show(c.id + ":" + r.id));
    const auto bare = tillit::resolve_requirement(just_this, r.id, c.id);
    FUZZ_CHECK_MSG(bare.ok() && bare->requirement == &r, "cannot resolve " + show(r.id));
    FUZZ_CHECK(c.find(r.id) == &r);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Parsed once and cached; do it here so its cost and allocations are not charged to an input.
  (void)tillit::content::builtin_catalogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = tillit::fuzz::as_text(data, size);
  auto parsed = tillit::content::parse_catalog(text);
  if (!parsed) {
    check_rejection(text, parsed.error());
    return 0;
  }
  const Catalog& c = *parsed;
  const auto valid = tillit::validate_catalog(c);
  FUZZ_CHECK_MSG(valid.ok(), "parse_catalog accepted a catalogue validate_catalog rejects: " + show(valid.error().message));
  check_rules(c);
  check_lookups(c);

  // What an import does next (services/catalog_service.cpp): check the mappings against the
  // built-in catalogues plus this one. Either outcome is fine; it must not crash or throw.
  std::vector<const Catalog*> known;
  for (const auto& b : tillit::content::builtin_catalogs())
    if (b.id != c.id) known.push_back(&b);
  known.push_back(&c);
  const auto mapped = tillit::check_mappings(c, known);
  if (!mapped) FUZZ_CHECK(mapped.error().code == tillit::ErrorCode::invalid_argument);
  return 0;
}
