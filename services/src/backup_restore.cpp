// `tillit restore` and `tillit backup test`: everything is restored into a hidden directory
// beside the target and checked there; only a fully verified restore is renamed into place,
// so a failure or a kill -9 never leaves a half-restored installation under the target name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "backup_archive.h"
#include "backup_database.h"
#include "tillit/crypto/key_file.h"
#include "tillit/services/audit_service.h"
#include "tillit/services/backup.h"
#include "tillit/store/repositories.h"

namespace tillit::services {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDatabasePart = "database/tillit.db";
constexpr const char* kDumpPart = "database/dump.jsonl";

Error io_error(const fs::path& path, std::string_view what) {
  return make_error(ErrorCode::unavailable, std::string(what) + " '" + path.string() + "': " + std::strerror(errno));
}

std::string random_tag() { return crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))); }

Status make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return make_error(ErrorCode::unavailable, "cannot create directory '" + dir.string() + "': " + ec.message());
  return {};
}

Status fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return io_error(path, "cannot open");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error(path, "cannot sync");
  return {};
}

// Writes each part where it belongs in `dir` as it streams out of the archive.
class Extractor {
 public:
  explicit Extractor(fs::path dir) : dir_(std::move(dir)) {}
  ~Extractor() {
    if (fd_ >= 0) ::close(fd_);
  }

  fs::path target_of(const std::string& name) const {
    if (name == kDatabasePart) return dir_ / "tillit.db";
    if (name == kDumpPart) return dir_ / ".dump.jsonl";
    return dir_ / name.substr(6);  // "files/..." (checked by valid_part_name)
  }

  backup_format::PartSink sink() {
    return {[this](const std::string& name, unsigned mode) { return begin(name, mode); },
            [this](std::string_view data) { return write(data); }, [this] { return end(); }};
  }

 private:
  Status begin(const std::string& name, unsigned mode) {
    path_ = target_of(name);
    if (auto s = make_private_dir(path_.parent_path()); !s) return s;
    // Never wider than the original, never writable by others; the database stays private.
    const unsigned allowed = name.rfind("database/", 0) == 0 ? 0600u : (mode & 0644u) | 0600u;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, allowed);
    if (fd_ < 0) return io_error(path_, "cannot create");
    return {};
  }
  Status write(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error(path_, "cannot write");
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }
  Status end() {
    const int rc = ::fsync(fd_);
    ::close(fd_);
    fd_ = -1;
    if (rc != 0) return io_error(path_, "cannot flush");
    return {};
  }

  fs::path dir_;
  fs::path path_;
  int fd_ = -1;
};

// The restored configuration names the database it now uses: a PostgreSQL URL, or none
// (SQLite in the data directory).
Status point_config_at(const fs::path& config_file, const std::string& url) {
  if (!fs::exists(config_file)) return {};
  std::ifstream in(config_file);
  std::stringstream kept;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("database:", 0) != 0) kept << line << '\n';
  if (!url.empty()) kept << "database: " << yaml_quote(url) << "\n";
  in.close();
  const fs::path temp = config_file.string() + ".new";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << kept.str();
    if (!out.flush()) return make_error(ErrorCode::unavailable, "cannot write '" + temp.string() + "'");
  }
  std::error_code ec;
  fs::rename(temp, config_file, ec);
  if (ec) return make_error(ErrorCode::unavailable, "cannot replace '" + config_file.string() + "': " + ec.message());
  return {};
}

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::unavailable, "cannot read '" + path.string() + "'");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Fills the restored database from whichever database part the archive holds.
Status restore_database(const fs::path& dir, const BackupManifest& manifest, const std::string& database_url,
                        bool& created_schema) {
  const bool has_dump = std::any_of(manifest.parts.begin(), manifest.parts.end(),
                                    [](const BackupPart& p) { return p.name == kDumpPart; });
  const fs::path snapshot = dir / "tillit.db";
  if (database_url.empty()) {
    if (!has_dump) return {};  // the SQLite copy is already in place
    auto db = store::open_sqlite(snapshot, true);
    if (!db) return db.error();
    ::chmod(snapshot.c_str(), 0600);
    if (auto v = store::migrate(**db); !v) return v.error();
    return backup_database::load_dump(**db, dir / ".dump.jsonl");
  }
  auto target = store::open_postgresql(database_url, 2);
  if (!target) return target.error();
  auto empty = store::is_empty(**target);
  if (!empty) return empty.error();
  if (!*empty)
    return make_error(ErrorCode::conflict, "the PostgreSQL database already holds Tillit tables; give an empty one");
  created_schema = true;
  if (auto v = store::migrate(**target); !v) return v.error();
  if (has_dump) return backup_database::load_dump(**target, dir / ".dump.jsonl");
  // A SQLite backup restored to PostgreSQL: copied table by table, as `tillit migrate` does.
  auto source = store::open_sqlite(snapshot, false);
  if (!source) return source.error();
  if (auto v = store::migrate(**source); !v) return v.error();
  auto copied = store::copy_all_rows(**source, **target);
  if (!copied) return copied.error();
  source->reset();
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(snapshot.string() + suffix, ec);
  return {};
}

// The checks that make a restore trustworthy: the database's own integrity check, every
// table's row count against the manifest, and with the master key the audit chain, which must
// end exactly where the backup's did.
Status check_restored(const fs::path& dir, const BackupManifest& manifest, const std::string& database_url,
                      bool have_master_key, RestoreReport& report) {
  Config config;
  config.data_dir = dir;
  config.database_url = database_url;
  {
    auto db = open_database(config, false);
    if (!db) return db.error();
    auto check = (*db)->integrity_check();
    if (!check) return check.error();
    if (*check != "ok")
      return make_error(ErrorCode::integrity, "the restored database fails its integrity check: " + *check);
    auto counts = store::count_rows(**db);
    if (!counts) return counts.error();
    for (const auto& [table, expected] : manifest.rows) {
      // A named copy: clang 14 cannot capture a structured binding in a lambda.
      const std::string& name = table;
      auto it = std::find_if(counts->begin(), counts->end(), [&name](const auto& c) { return c.first == name; });
      if (it == counts->end())
        return make_error(ErrorCode::integrity, "the restored database lacks the table '" + table + "'");
      if (it->second != expected)
        return make_error(ErrorCode::integrity, "the table '" + table + "' holds " + std::to_string(it->second) +
                                                    " rows after the restore but " + std::to_string(expected) +
                                                    " in the backup");
    }
    report.rows = *counts;
  }
  if (!have_master_key) return {};
  auto loaded = load_config(dir, [](const char*) { return std::optional<std::string>{}; });
  if (!loaded) return loaded.error();
  loaded->database_url = database_url;
  auto inst = Installation::open(*loaded);
  if (!inst)
    return make_error(inst.error().code, "the restored installation does not open with the master key given (" +
                                             inst.error().message + ")");
  auto audit = verify_audit_log(**inst, local_operator());
  if (!audit) return audit.error();
  if (!audit->intact)
    return make_error(ErrorCode::integrity, "the restored audit log is broken: " + audit->failure);
  if (audit->events != manifest.audit_events || audit->head_hash != manifest.audit_head)
    return make_error(ErrorCode::integrity, "the restored audit log ends at event " + std::to_string(audit->events) +
                                                " but the backup's ended at " + std::to_string(manifest.audit_events));
  report.audit_verified = true;
  report.audit_events = audit->events;
  report.audit_head = audit->head_hash;
  return {};
}

}  // namespace

Result<RestoreReport> restore_backup(const RestoreOptions& options) {
  fs::path target = fs::absolute(options.data_dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "dir/" names "dir"
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_directory(target))
    return make_error(ErrorCode::conflict, "'" + target.string() + "' exists and is not a directory");
  const bool occupied = exists && !fs::is_empty(target, ec);
  if (occupied && !options.force)
    return make_error(ErrorCode::conflict, "'" + target.string() +
                                               "' is not empty; restore into a new or empty directory, or give --force "
                                               "to move its contents aside first");
  std::optional<std::string> master_key_text;
  if (options.master_key_file) {
    if (auto key = crypto::load_master_key_file(*options.master_key_file); !key) return key.error();
    auto text = read_text(*options.master_key_file);
    if (!text) return text.error();
    master_key_text = std::move(*text);
  }
  if (!options.database_url.empty())
    if (auto s = store::check_postgresql_url(options.database_url); !s) return s.error();

  const fs::path work = target.parent_path() / ("." + target.filename().string() + ".restoring-" + random_tag());
  if (auto s = make_private_dir(work); !s) return s.error();
  bool created_schema = false;
  RestoreReport report;
  auto restored = [&]() -> Status {
    Extractor extractor(work);
    auto manifest = backup_format::read_archive(options.archive, options.backup_key, extractor.sink());
    if (!manifest) return manifest.error();
    report.manifest = *manifest;
    if (manifest->database_check != "ok")
      return make_error(ErrorCode::integrity, "the backup's database failed its integrity check when it was taken (" +
                                                  manifest->database_check + "); use an earlier backup");
    if (manifest->schema_version > store::latest_schema_version())
      return make_error(ErrorCode::conflict, "the backup has schema version " + std::to_string(manifest->schema_version) +
                                                 ", newer than this Tillit knows; restore it with a newer Tillit");
    if (auto s = restore_database(work, *manifest, options.database_url, created_schema); !s) return s;
    fs::remove(work / ".dump.jsonl", ec);
    if (auto s = point_config_at(work / "tillit.yaml", options.database_url); !s) return s;
    if (auto s = make_private_dir(work / "keys"); !s) return s;
    if (master_key_text)
      if (auto s = crypto::write_private_file(work / "keys" / "master.key", *master_key_text); !s) return s;
    // The restored installation keeps making backups under the same key.
    if (auto s = write_backup_key_file(work / "keys" / "backup.key", options.backup_key); !s) return s;
    return check_restored(work, *manifest, options.database_url, master_key_text.has_value(), report);
  }();

  if (restored) {
    // Move the earlier contents aside (never deleted), then the restored directory into place.
    if (occupied) {
      fs::path aside = target.string() + ".before-restore-" + random_tag();
      fs::rename(target, aside, ec);
      if (ec) restored = make_error(ErrorCode::unavailable, "cannot move '" + target.string() + "' aside: " + ec.message());
      else report.moved_aside = aside;
    } else if (exists) {
      fs::remove(target, ec);  // empty: rename cannot replace a directory otherwise
    }
  }
  if (restored) {
    fs::rename(work, target, ec);
    if (ec) restored = make_error(ErrorCode::unavailable, "cannot rename the restored directory to '" + target.string() +
                                                              "': " + ec.message());
  }
  if (!restored) {
    fs::remove_all(work, ec);
    if (created_schema)
      if (auto db = store::open_postgresql(options.database_url, 1)) (void)store::drop_schema(**db);
    return restored.error();
  }
  (void)fsync_path(target.parent_path(), O_RDONLY | O_DIRECTORY);
  report.data_dir = target;
  report.backend = options.database_url.empty() ? "sqlite" : "postgresql";
  return report;
}

Result<RestoreTestReport> test_restore(Installation& inst, const Actor& actor, const fs::path& archive,
                                       const crypto::SecretBytes& backup_key) {
  RestoreTestReport result;
  std::string installation_id;
  {
    auto tx = inst.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto record = store::load_installation(**tx);
    if (!record) return record.error();
    if (*record) installation_id = (*record)->installation_id;
  }
  // Inside the data directory: the restored copy is plain text, like the live database.
  const fs::path scratch = inst.config().data_dir / (".restore-test-" + random_tag());
  if (auto s = make_private_dir(scratch); !s) return s.error();
  RestoreOptions options;
  options.archive = archive;
  options.data_dir = scratch / "data";
  options.backup_key = backup_key;
  options.master_key_file = inst.config().master_key_file();
  auto restored = restore_backup(options);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!restored) {
    result.detail = restored.error().message;
  } else if (restored->manifest.installation_id != installation_id) {
    result.detail = "the backup belongs to another installation (" + restored->manifest.installation_id + ")";
  } else {
    result.passed = true;
    std::int64_t rows = 0;
    for (const auto& r : restored->rows) rows += r.second;
    result.detail = "restored and verified: " + std::to_string(rows) + " rows in " +
                    std::to_string(restored->rows.size()) + " tables, audit chain intact with " +
                    std::to_string(restored->audit_events) + " events";
    result.restore = std::move(*restored);
  }

  // The evidence of the test (annex: restores are tested at least twice a year).
  auto tx = inst.db().begin(store::Access::write);
  if (!tx) return tx.error();
  nlohmann::json changes = {{"archive", {{"after", fs::absolute(archive).string()}}},
                            {"result", {{"after", result.passed ? "passed" : "failed"}}},
                            {"detail", {{"after", result.detail}}}};
  if (result.restore) changes["backup_created_at"] = {{"after", result.restore->manifest.created_at}};
  auto e = inst.record(**tx, actor, "backup.restore_test", "backup", archive.filename().string(), changes);
  if (!e) return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return result;
}

}  // namespace tillit::services
