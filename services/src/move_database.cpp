#include "tillit/services/move_database.h"

#include <fstream>
#include <sstream>

#include "tillit/services/audit_service.h"
#include "tillit/store/database.h"

namespace tillit::services {
namespace fs = std::filesystem;

namespace {

// Writes the data directory's configuration with `database: URL` in place of any earlier
// database line, through a temporary file and a rename so it is never half-written.
Status point_config_at(const Config& config, const std::string& url) {
  std::ifstream in(config.config_file());
  std::stringstream kept;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("database:", 0) != 0) kept << line << '\n';
  kept << "database: " << yaml_quote(url) << "\n";
  const fs::path temp = config.config_file().string() + ".new";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << kept.str();
    if (!out.flush()) return make_error(ErrorCode::unavailable, "cannot write '" + temp.string() + "'");
  }
  std::error_code ec;
  fs::rename(temp, config.config_file(), ec);
  if (ec) return make_error(ErrorCode::unavailable, "cannot replace '" + config.config_file().string() + "': " + ec.message());
  return {};
}

}  // namespace

Result<MoveReport> move_to_postgresql(const Config& config, const std::string& database_url) {
  if (!config.database_url.empty())
    return make_error(ErrorCode::conflict, "'" + config.data_dir.string() + "' already uses PostgreSQL (" +
                                               config.database_url + ")");
  auto source = Installation::open(config);
  if (!source) return source.error();
  auto before = verify_audit_log(**source, local_operator());
  if (!before) return before.error();
  if (!before->intact)
    return make_error(ErrorCode::integrity, "the audit log of the SQLite installation is broken (" + before->failure +
                                                "); it is not moved until that is resolved");
  auto source_counts = store::count_rows((*source)->db());
  if (!source_counts) return source_counts.error();

  Config target_config = config;
  target_config.database_url = database_url;
  auto target = open_database(target_config, false);
  if (!target) return target.error();
  auto empty = store::is_empty(**target);
  if (!empty) return empty.error();
  if (!*empty) return make_error(ErrorCode::conflict, "the PostgreSQL database already holds Tillit tables; give an empty one");

  auto moved = [&]() -> Result<MoveReport> {
    if (auto v = store::migrate(**target); !v) return v.error();
    auto copied = store::copy_all_rows((*source)->db(), **target);
    if (!copied) return copied.error();
    auto target_counts = store::count_rows(**target);
    if (!target_counts) return target_counts.error();
    if (*target_counts != *source_counts)
      return make_error(ErrorCode::integrity, "row counts differ after the copy; the move was undone");
    auto opened = Installation::open(target_config);
    if (!opened) return opened.error();
    auto after = verify_audit_log(**opened, local_operator());
    if (!after) return after.error();
    if (!after->intact || after->events != before->events || after->head_hash != before->head_hash)
      return make_error(ErrorCode::integrity, "the audit chain does not verify identically on PostgreSQL (" +
                                                  after->failure + "); the move was undone");
    return MoveReport{*target_counts, after->events, after->head_hash};
  }();
  if (!moved) {
    (void)store::drop_schema(**target);
    return moved.error();
  }
  if (auto s = point_config_at(config, database_url); !s) {
    (void)store::drop_schema(**target);
    return s.error();
  }
  return moved;
}

}  // namespace tillit::services
