// Full-text search behind one interface: FTS5 on SQLite, a Swedish-stemmed tsvector with a
// GIN index on PostgreSQL. Documents are (kind, id, title, body); a search matches every
// word of the query as a word prefix and returns hits best first. The index is derived
// data: it can always be rebuilt from the records it points at.
#pragma once

#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

struct SearchDocument {
  std::string kind;  // "requirement", ...
  std::string id;
  std::string title;
  std::string body;
};

struct SearchHit {
  std::string kind;
  std::string id;
  std::string title;
};

// Adds or replaces one document.
Status index_document(Transaction& tx, const SearchDocument& doc);
// Removes every document of `kind`.
Status clear_index(Transaction& tx, const std::string& kind);
// Documents of `kind` that contain every word of `text` (as a word or word prefix), best
// first. Words are letters and digits; anything else in `text` only separates words, so no
// query syntax of either engine can be injected. No words: no hits.
Result<std::vector<SearchHit>> search(Transaction& tx, const std::string& kind, std::string_view text, int limit);

// A fingerprint of what the index holds for `kind`, so a caller can tell when to rebuild.
Result<std::string> index_signature(Transaction& tx, const std::string& kind);
Status set_index_signature(Transaction& tx, const std::string& kind, const std::string& signature);

}  // namespace tillit::store
