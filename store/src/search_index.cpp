#include "tillit/store/search_index.h"

namespace tillit::store {
namespace {

// Splits `text` into words of letters and digits; bytes of multi-byte UTF-8 characters
// count as letters, so å, ä, ö and other scripts stay inside words.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (unsigned char c : text) {
    const bool word_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (word_char) {
      current.push_back(static_cast<char>(c));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  if (words.size() > 16) words.resize(16);
  return words;
}

}  // namespace

Status index_document(Transaction& tx, const SearchDocument& doc) {
  if (auto s = tx.exec("DELETE FROM search_index WHERE kind = ? AND doc_id = ?", {doc.kind, doc.id}); !s) return s;
  return tx.exec("INSERT INTO search_index (kind, doc_id, title, body) VALUES (?, ?, ?, ?)",
                 {doc.kind, doc.id, doc.title, doc.body});
}

Status clear_index(Transaction& tx, const std::string& kind) {
  return tx.exec("DELETE FROM search_index WHERE kind = ?", {kind});
}

Result<std::vector<SearchHit>> search(Transaction& tx, const std::string& kind, std::string_view text, int limit) {
  const auto words = words_of(text);
  std::vector<SearchHit> hits;
  if (words.empty()) return hits;
  std::string query, sql;
  if (tx.backend() == "postgresql") {
    for (const auto& w : words) query += (query.empty() ? "" : " & ") + w + ":*";
    sql = "SELECT kind, doc_id, title FROM search_index, to_tsquery('swedish', ?) q "
          "WHERE document @@ q AND kind = ? ORDER BY ts_rank(document, q) DESC, doc_id LIMIT ?";
  } else {
    // Each word quoted (a quote inside is impossible: words hold no punctuation) as a prefix.
    for (const auto& w : words) query += (query.empty() ? "\"" : " \"") + w + "\"*";
    sql = "SELECT kind, doc_id, title FROM search_index WHERE search_index MATCH ? AND kind = ? "
          "ORDER BY bm25(search_index, 0.0, 0.0, 10.0, 1.0), doc_id LIMIT ?";
  }
  auto rows = tx.query(sql, {query, kind, std::int64_t{limit}});
  if (!rows) return rows.error();
  for (const auto& r : *rows) hits.push_back({r.text(0), r.text(1), r.text(2)});
  return hits;
}

Result<std::string> index_signature(Transaction& tx, const std::string& kind) {
  auto rows = tx.query("SELECT signature FROM search_index_state WHERE kind = ?", {kind});
  if (!rows) return rows.error();
  return rows->empty() ? std::string() : rows->front().text(0);
}

Status set_index_signature(Transaction& tx, const std::string& kind, const std::string& signature) {
  return tx.exec(
      "INSERT INTO search_index_state (kind, signature) VALUES (?, ?) "
      "ON CONFLICT (kind) DO UPDATE SET signature = excluded.signature",
      {kind, signature});
}

}  // namespace tillit::store
