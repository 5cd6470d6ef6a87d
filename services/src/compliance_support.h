// What assessments and evidence share: the catalogues as reference data, requirement
// references resolved to "CATALOG:ID" keys, the requirements a mapping relates, and the
// evidence that bears on a requirement. Private to services/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tillit/services/assessments.h"
#include "tillit/services/catalog_service.h"

namespace tillit::services::compliance {

struct Catalogues {
  std::vector<CatalogEntry> entries;
  std::vector<const Catalog*> catalogs() const;
  const Catalog* find(std::string_view catalog_id) const;
};
// Every catalogue, built in and imported. Read as reference data: the caller has authorized
// the actor for the compliance permission it needs.
Result<Catalogues> load_catalogues(Installation& inst);

struct ResolvedRequirement {
  const Catalog* catalog;
  const Requirement* requirement;
  std::string key() const { return catalog->id + ":" + requirement->id; }
};
// "CATALOG:ID" or a bare annex id; not_found names the field `field`.
Result<ResolvedRequirement> resolve(const Catalogues& c, std::string_view reference, std::string_view field);

// The requirement's own key, then every key it maps to and every key that maps to it.
std::vector<std::string> related_keys(const Catalogues& c, const ResolvedRequirement& r);

// Evidence linked to each of `keys` (a requirement's key -> its links), for many requirements at once.
Result<std::map<std::string, std::vector<store::LinkedEvidence>>> evidence_for(store::Transaction& tx,
                                                                             const std::vector<std::string>& keys);

}  // namespace tillit::services::compliance
