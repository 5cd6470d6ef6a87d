// The requirement catalogue model: a framework (the contract's security annex, ISO/IEC
// 27001:2022 Annex A, GDPR, or one a user loads) as data. Requirements carry stable ids
// that never change meaning, mappings to other catalogues and the recurring duties they set.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"
#include "tillit/core/time.h"

namespace tillit {

// Text in the product's two languages; either may be empty where the source has none.
struct LocalizedText {
  std::string sv;
  std::string en;
  // The text in the wanted language ("sv" or "en"), else the other one.
  const std::string& in(std::string_view lang) const;
};

struct RecurringDuty {
  std::string id;  // unique within its catalogue
  LocalizedText title;
  Period every;
};

struct Mapping {
  std::string catalog;                // target catalogue id
  std::vector<std::string> controls;  // requirement ids in the target catalogue
};

struct Requirement {
  std::string id;
  LocalizedText category;
  LocalizedText title;
  LocalizedText text;
  std::vector<Mapping> maps_to;
  std::vector<RecurringDuty> duties;
};

// One row of a severity table (CVSS score band -> time allowed for remediation).
struct RemediationBand {
  std::string severity;      // none, low, medium, high, critical
  double min = 0, max = 0;   // inclusive CVSS score bounds
  std::optional<int> days;   // nullopt: no fixed deadline (backlog)
  LocalizedText label;
};

struct Catalog {
  std::string id;
  LocalizedText name;
  std::string version;
  std::string source;
  std::vector<Requirement> requirements;
  std::vector<RemediationBand> cvss_remediation;

  const Requirement* find(std::string_view requirement_id) const;
};

// Identifier rules shared by every catalogue: catalogue and duty ids are lowercase slugs
// ([a-z0-9-], 1-64 chars, no leading dash); requirement ids are 1-64 of [A-Za-z0-9. -].
bool is_valid_slug(std::string_view id);
bool is_valid_requirement_id(std::string_view id);

// Checks what a single catalogue must satisfy on its own: valid and unique ids, a title for
// every requirement, non-overlapping remediation bands. Cross-catalogue mappings are checked
// by check_mappings once the other catalogues are known.
Status validate_catalog(const Catalog& catalog);

// Every mapping of `catalog` must name a known catalogue and an existing requirement in it.
Status check_mappings(const Catalog& catalog, const std::vector<const Catalog*>& known);

}  // namespace tillit

namespace tillit {

// Resolves "CATALOG:ID", or a bare "ID" looked up in `preferred_catalog` first and then in
// the other catalogues in order. Returns the catalogue's index in `catalogs` and the
// requirement, or not_found with a hint.
struct RequirementRef {
  std::size_t catalog_index;
  const Requirement* requirement;
};
// The reverse of maps_to: every requirement, in any of `catalogs`, that maps onto
// `catalog_id:requirement_id`, as (index into `catalogs`, requirement), in catalogue order.
std::vector<RequirementRef> requirements_mapping_to(const std::vector<const Catalog*>& catalogs,
                                                    std::string_view catalog_id, std::string_view requirement_id);

Result<RequirementRef> resolve_requirement(const std::vector<const Catalog*>& catalogs, std::string_view reference,
                                           std::string_view preferred_catalog = "annex");

}  // namespace tillit
