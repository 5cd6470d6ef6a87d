#include "tillit/services/catalog_service.h"

#include <algorithm>

#include "tillit/content/catalog_loader.h"
#include "tillit/store/repositories.h"
#include "tillit/store/search_index.h"

namespace tillit::services {
namespace {

std::string sha256_hex(std::string_view text) { return crypto::to_hex(crypto::sha256(text)); }

// The built-in catalogues never change while the process runs: hash their files once.
const std::vector<CatalogEntry>& builtin_entries() {
  static const std::vector<CatalogEntry> entries = [] {
    std::vector<CatalogEntry> out;
    for (const auto& c : content::builtin_catalogs())
      out.push_back({c, true, {}, {}, sha256_hex(content::builtin_catalog_source(c.id))});
    return out;
  }();
  return entries;
}

Result<std::vector<CatalogEntry>> load_all(store::Transaction& tx) {
  std::vector<CatalogEntry> out = builtin_entries();
  auto stored = store::list_catalogs(tx);
  if (!stored) return stored.error();
  for (const auto& s : *stored) {
    auto parsed = content::parse_catalog(s.source_text);
    if (!parsed)
      return make_error(ErrorCode::integrity, "stored catalogue '" + s.id + "' no longer parses: " + parsed.error().message);
    out.push_back({std::move(*parsed), false, s.imported_at, s.imported_by, s.sha256});
  }
  return out;
}

constexpr const char* kRequirementDocs = "requirement";

// What the requirement index must reflect: every catalogue's id and file hash.
std::string catalogs_signature(const std::vector<CatalogEntry>& all) {
  std::string joined;
  for (const auto& e : all) joined += e.catalog.id + "=" + e.sha256 + ";";
  return sha256_hex("search/1;" + joined);
}

Status rebuild_requirement_index(store::Transaction& tx, const std::vector<CatalogEntry>& all, const std::string& signature) {
  if (auto s = store::clear_index(tx, kRequirementDocs); !s) return s;
  for (const auto& e : all)
    for (const auto& r : e.catalog.requirements) {
      store::SearchDocument doc{kRequirementDocs, e.catalog.id + ":" + r.id, r.title.sv + "\n" + r.title.en,
                                r.id + "\n" + r.category.sv + "\n" + r.category.en + "\n" + r.text.sv + "\n" + r.text.en};
      if (auto s = store::index_document(tx, doc); !s) return s;
    }
  return store::set_index_signature(tx, kRequirementDocs, signature);
}

}  // namespace

Result<std::vector<const Requirement*>> CatalogService::search(const CatalogEntry& entry, std::string_view text) const {
  auto all = [&]() -> Result<std::vector<CatalogEntry>> {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    return load_all(**tx);
  }();
  if (!all) return all.error();
  const std::string signature = catalogs_signature(*all);
  std::vector<store::SearchHit> hits;
  bool stale = false;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto current = store::index_signature(**tx, kRequirementDocs);
    if (!current) return current.error();
    stale = *current != signature;
    if (!stale) {
      auto found = store::search(**tx, kRequirementDocs, text, 1000);
      if (!found) return found.error();
      hits = std::move(*found);
    }
  }
  if (stale) {
    // The index may be stale: rebuild it (derived data, so no audit event) and search again.
    auto tx = inst_.db().begin(store::Access::write);
    if (!tx) return tx.error();
    if (auto s = (*tx)->lock("tillit-search-requirements"); !s) return s.error();
    auto current = store::index_signature(**tx, kRequirementDocs);
    if (!current) return current.error();
    if (*current != signature) {
      if (auto s = rebuild_requirement_index(**tx, *all, signature); !s) return s.error();
    }
    auto found = store::search(**tx, kRequirementDocs, text, 1000);
    if (!found) return found.error();
    hits = std::move(*found);
    if (auto s = (*tx)->commit(); !s) return s.error();
  }

  std::vector<const Requirement*> out;
  auto lower = [](std::string s) {
    for (auto& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  };
  const std::string prefix = lower(std::string(text));
  for (const auto& r : entry.catalog.requirements)
    if (!prefix.empty() && lower(r.id).rfind(prefix, 0) == 0) out.push_back(&r);
  const std::string mine = entry.catalog.id + ":";
  for (const auto& h : hits) {
    if (h.id.rfind(mine, 0) != 0) continue;
    const auto* r = entry.catalog.find(std::string_view(h.id).substr(mine.size()));
    if (r && std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

Result<std::vector<CatalogEntry>> CatalogService::list(const Actor& actor) const {
  if (auto s = authorize(actor, Permission::catalog_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  return load_all(**tx);
}

Result<CatalogEntry> CatalogService::get(const Actor& actor, std::string_view catalog_id) const {
  auto all = list(actor);
  if (!all) return all.error();
  for (auto& e : *all)
    if (e.catalog.id == catalog_id) return std::move(e);
  return make_error(ErrorCode::not_found, "no catalogue '" + std::string(catalog_id) + "'; 'tillit catalog list' shows them");
}

Result<CatalogService::Found> CatalogService::find_requirement(const Actor& actor, std::string_view reference) const {
  auto all = list(actor);
  if (!all) return all.error();
  std::vector<const Catalog*> catalogs;
  for (const auto& e : *all) catalogs.push_back(&e.catalog);
  auto ref = resolve_requirement(catalogs, reference);
  if (!ref) return ref.error();
  Requirement requirement = *ref->requirement;
  return Found{std::move((*all)[ref->catalog_index]), std::move(requirement)};
}

Result<CatalogEntry> CatalogService::import(const Actor& actor, std::string_view yaml_text) const {
  if (auto s = authorize(actor, Permission::catalog_import); !s) return s.error();
  auto parsed = content::parse_catalog(yaml_text);
  if (!parsed) return parsed.error();
  for (const auto& b : content::builtin_catalogs())
    if (b.id == parsed->id)
      return make_error(ErrorCode::conflict, "'" + b.id + "' is a built-in catalogue and cannot be replaced; give yours another id");

  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto all = load_all(**tx);
  if (!all) return all.error();
  std::vector<const Catalog*> known;
  std::string previous_sha;
  for (const auto& e : *all) {
    if (e.catalog.id == parsed->id) {
      previous_sha = e.sha256;
      continue;
    }
    known.push_back(&e.catalog);
  }
  known.push_back(&*parsed);
  if (auto s = check_mappings(*parsed, known); !s) return s.error();

  store::StoredCatalog stored{parsed->id, std::string(yaml_text), sha256_hex(yaml_text), format_rfc3339(now_utc()), actor.id};
  if (auto s = store::upsert_catalog(**tx, stored); !s) return s.error();
  nlohmann::json changes = {{"sha256", {{"after", stored.sha256}}},
                            {"requirements", {{"after", parsed->requirements.size()}}}};
  if (!previous_sha.empty()) changes["sha256"]["before"] = previous_sha;
  if (auto e = inst_.record(**tx, actor, "catalog.import", "catalog", parsed->id, changes); !e) return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return CatalogEntry{std::move(*parsed), false, stored.imported_at, stored.imported_by, stored.sha256};
}

}  // namespace tillit::services
