// Scheduled backups with retention (annex req. 22): the daily job's work.
#include <nlohmann/json.hpp>
#include <regex>

#include "tillit/core/retention.h"
#include "tillit/services/backup.h"

namespace tillit::services {

namespace fs = std::filesystem;

std::optional<Timestamp> archive_time(const fs::path& file) {
  static const std::regex name(R"(tillit-backup-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,3})?Z\.tbk)");
  std::smatch m;
  const std::string base = file.filename().string();
  if (!std::regex_match(base, m, name)) return std::nullopt;
  const std::string text = m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "T" + m[4].str() + ":" + m[5].str() + ":" +
                           m[6].str() + m[7].str() + "Z";
  auto t = parse_rfc3339(text);
  if (!t) return std::nullopt;
  return *t;
}

Result<ScheduledBackupReport> run_scheduled_backup(Installation& inst, const Actor& actor, Timestamp now) {
  const auto& settings = inst.config().backup;
  if (!settings.enabled())
    return make_error(ErrorCode::invalid_argument,
                      "scheduled backups are off: set backup_destination in tillit.yaml to a directory on separate storage");
  auto key = load_backup_key_file(backup_key_file(inst.config()));
  if (!key) return make_error(key.error().code, key.error().message + " (create one with `tillit backup key --data DIR`)");
  std::error_code ec;
  fs::create_directories(settings.destination, ec);
  if (ec)
    return make_error(ErrorCode::unavailable,
                      "cannot create backup_destination " + settings.destination.string() + ": " + ec.message());

  ScheduledBackupReport report;
  auto created = create_backup(inst, actor, *key, BackupOptions{settings.destination, {}, {}});
  if (!created) return created.error();
  report.backup = *created;
  // Old archives go only once the new one has proved readable end to end.
  if (auto verified = verify_backup(created->file, *key); !verified)
    return make_error(ErrorCode::integrity, "the new backup " + created->file.string() +
                                                " did not verify, so no older archive was removed: " +
                                                verified.error().message);

  std::vector<DatedItem> archives;
  for (const auto& entry : fs::directory_iterator(settings.destination, ec))
    if (auto at = archive_time(entry.path()); at && entry.is_regular_file())
      archives.push_back({entry.path().filename().string(), *at});
  const auto past = past_retention(archives, now, settings.keep_for, settings.keep_at_least);
  if (past.empty()) return report;
  for (const auto& name : past) {
    if (fs::remove(settings.destination / name, ec)) report.removed.push_back(settings.destination / name);
  }
  nlohmann::json removed = nlohmann::json::array();
  for (const auto& p : report.removed) removed.push_back(p.filename().string());
  auto tx = inst.db().begin(store::Access::write);
  if (!tx) return tx.error();
  const nlohmann::json changes = {{"removed", {{"after", removed}}},
                                  {"retention_days", {{"after", settings.keep_for.count()}}},
                                  {"keep_at_least", {{"after", settings.keep_at_least}}}};
  if (auto e = inst.record(**tx, actor, "backup.prune", "backup", settings.destination.string(), changes); !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return report;
}

}  // namespace tillit::services
