// The database half of a backup: taking a consistent snapshot (SQLite's online backup API, or
// a logical dump in one REPEATABLE READ transaction for PostgreSQL), the facts about it that
// go into the manifest, and loading a logical dump back. Private to services/.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::services::backup_database {

using RowCounts = std::vector<std::pair<std::string, std::int64_t>>;

struct SnapshotFacts {
  std::string installation_id;
  int schema_version = 0;
  RowCounts rows;
  std::int64_t audit_events = 0;
  std::string audit_head;
};

// Tillit's tables that hold data (derived ones such as the search index are left out), parents
// before children, as store::count_rows knows them.
Result<std::vector<std::string>> data_tables(store::Database& db);

// Reads the manifest facts inside `tx`, so they describe exactly what that transaction sees.
Result<SnapshotFacts> read_facts(store::Transaction& tx, const std::vector<std::string>& tables);

// Copies the SQLite database `source` into the existing empty file `target` with the online
// backup API in a single step: one read transaction, so the copy is consistent while other
// connections (a running server) go on writing in WAL mode.
Status sqlite_online_copy(const std::filesystem::path& source, const std::filesystem::path& target);

// Writes every row of `tables` as JSON Lines to `out`: a line {"table": T, "columns": [...]}
// then one JSON array per row. Integers, reals, text and NULL keep their types.
Status write_dump(store::Transaction& tx, const std::vector<std::string>& tables,
                  const std::function<Status(std::string_view)>& out);

// Loads a dump into `target` (migrated, with no rows) in one write transaction, then moves
// PostgreSQL's generated ids past the loaded ones.
Status load_dump(store::Database& target, const std::filesystem::path& dump);

}  // namespace tillit::services::backup_database
