// The requirement catalogues: the built-in ones (compiled in) and those a user imported
// (kept in the database as the validated file). Built-in ids cannot be replaced.
#pragma once

#include <vector>

#include "tillit/core/catalog.h"
#include "tillit/services/installation.h"

namespace tillit::services {

struct CatalogEntry {
  Catalog catalog;
  bool builtin = false;
  std::string imported_at;  // empty for built-in catalogues
  std::string imported_by;
  std::string sha256;       // of the source file
};

class CatalogService {
 public:
  explicit CatalogService(Installation& inst) : inst_(inst) {}

  Result<std::vector<CatalogEntry>> list(const Actor& actor) const;
  Result<CatalogEntry> get(const Actor& actor, std::string_view catalog_id) const;

  // Finds a requirement by "CATALOG:ID" or, for a bare id, in the annex first and then in
  // the other catalogues in order.
  struct Found {
    CatalogEntry entry;
    Requirement requirement;
  };
  Result<Found> find_requirement(const Actor& actor, std::string_view reference) const;

  // Requirements of `catalog_id` matching `text`, best first: those whose id starts with the
  // text, then full-text hits over titles, categories and text (every word as a prefix).
  // The search index is rebuilt first whenever the catalogues changed.
  Result<std::vector<const Requirement*>> search(const CatalogEntry& entry, std::string_view text) const;

  // Validates and stores a catalogue file; replaces an earlier import with the same id.
  Result<CatalogEntry> import(const Actor& actor, std::string_view yaml_text) const;

 private:
  Installation& inst_;
};

}  // namespace tillit::services
