// The JSON shape of catalogues and requirements, shared by the API and the CLI so both
// print the same document.
#pragma once

#include <nlohmann/json.hpp>

#include "tillit/core/catalog.h"
#include "tillit/services/catalog_service.h"

namespace tillit::services {

nlohmann::json to_json(const LocalizedText& t);
nlohmann::json to_json(const Requirement& r);
// to_json(r) already serialised, cached per catalogue file (by its SHA-256) and requirement:
// list endpoints serve the same text over and over. Thread-safe.
std::string requirement_json_text(const CatalogEntry& entry, const Requirement& r);

// Catalogue facts without its requirements (they are paginated separately).
nlohmann::json catalog_summary_json(const CatalogEntry& e);
// The severity table, where the catalogue has one.
nlohmann::json remediation_json(const Catalog& c);
// "iso27001-2022:A.5.1 gdpr:Art. 32"
std::string mappings_text(const Requirement& r);

}  // namespace tillit::services
