#include "compliance_support.h"

#include <algorithm>

namespace tillit::services::compliance {

std::vector<const Catalog*> Catalogues::catalogs() const {
  std::vector<const Catalog*> out;
  for (const auto& e : entries) out.push_back(&e.catalog);
  return out;
}

const Catalog* Catalogues::find(std::string_view catalog_id) const {
  for (const auto& e : entries)
    if (e.catalog.id == catalog_id) return &e.catalog;
  return nullptr;
}

Result<Catalogues> load_catalogues(Installation& inst) {
  auto all = CatalogService(inst).list(system_actor());
  if (!all) return all.error();
  return Catalogues{std::move(*all)};
}

Result<ResolvedRequirement> resolve(const Catalogues& c, std::string_view reference, std::string_view field) {
  const auto catalogs = c.catalogs();
  auto ref = resolve_requirement(catalogs, reference);
  if (!ref) return make_error(ref.error().code, std::string(field) + ": " + ref.error().message);
  return ResolvedRequirement{catalogs[ref->catalog_index], ref->requirement};
}

std::vector<std::string> related_keys(const Catalogues& c, const ResolvedRequirement& r) {
  std::vector<std::string> keys{r.key()};
  const auto add = [&](std::string key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  };
  for (const auto& m : r.requirement->maps_to)
    for (const auto& control : m.controls) add(m.catalog + ":" + control);
  const auto catalogs = c.catalogs();
  for (const auto& ref : requirements_mapping_to(catalogs, r.catalog->id, r.requirement->id))
    add(catalogs[ref.catalog_index]->id + ":" + ref.requirement->id);
  return keys;
}

Result<std::map<std::string, std::vector<store::LinkedEvidence>>> evidence_for(store::Transaction& tx,
                                                                             const std::vector<std::string>& keys) {
  std::map<std::string, std::vector<store::LinkedEvidence>> out;
  // In slices, so no engine's limit on parameters per statement is reached.
  constexpr std::size_t kSlice = 500;
  for (std::size_t i = 0; i < keys.size(); i += kSlice) {
    const std::vector<std::string> slice(keys.begin() + static_cast<std::ptrdiff_t>(i),
                                         keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), i + kSlice)));
    auto linked = store::evidence_linked_to(tx, "requirement", slice);
    if (!linked) return linked.error();
    for (auto& l : *linked) out[l.link.target_id].push_back(std::move(l));
  }
  return out;
}

}  // namespace tillit::services::compliance
