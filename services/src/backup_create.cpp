// `tillit backup create`: a consistent online backup into one encrypted archive.
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "backup_archive.h"
#include "backup_database.h"
#include "tillit/services/backup.h"
#include "tillit/store/database.h"

namespace tillit::services {
namespace fs = std::filesystem;
namespace {

Error io_error(const fs::path& path, std::string_view what) {
  return make_error(ErrorCode::unavailable, std::string(what) + " '" + path.string() + "': " + std::strerror(errno));
}

// "2025-03-01T12:00:00.123Z" -> "20250301T120000.123Z": sorts by time, safe in file names.
std::string file_stamp(const std::string& rfc3339) {
  std::string out;
  for (char c : rfc3339)
    if (c != '-' && c != ':') out.push_back(c);
  return out;
}

Status fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(dir, "cannot open directory");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error(dir, "cannot sync directory");
  return {};
}

unsigned file_mode(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 0777;
}

Status add_file(backup_format::ArchiveWriter& writer, const fs::path& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(path, "cannot read");
  if (auto s = writer.begin_part(name, file_mode(path)); !s) return s;
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0)
      if (auto s = writer.write(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount()))); !s) return s;
  }
  if (in.bad()) return io_error(path, "cannot read");
  return writer.end_part();
}

// The data directory's files a restore needs besides the database. keys/ is left out on
// purpose: the master key and the backup key must not travel with the backups.
Status add_data_files(backup_format::ArchiveWriter& writer, const Config& config) {
  for (const char* name : {"tillit.yaml", "audit-signing-key.pub"}) {
    const fs::path path = config.data_dir / name;
    if (fs::is_regular_file(path))
      if (auto s = add_file(writer, path, std::string("files/") + name); !s) return s;
  }
  std::error_code ec;
  const fs::path tls = config.data_dir / "tls";
  if (!fs::is_directory(tls, ec)) return {};
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(tls, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (fs::is_regular_file(it->path())) files.push_back(it->path());
  if (ec) return make_error(ErrorCode::unavailable, "cannot list '" + tls.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string name = "files/" + f.lexically_relative(config.data_dir).generic_string();
    if (!backup_format::valid_part_name(name))
      return make_error(ErrorCode::invalid_argument, "cannot back up '" + f.string() + "': its name has control characters");
    if (auto s = add_file(writer, f, name); !s) return s;
  }
  return {};
}

// SQLite: the online backup API copies the live database into a private file in the data
// directory (where the same data already lies in plain text; the destination is meant to
// hold only ciphertext), which is read for the manifest and then streamed into the archive.
Status add_sqlite_database(backup_format::ArchiveWriter& writer, Installation& inst,
                           const std::vector<std::string>& tables, BackupManifest& manifest, const BackupOptions& options) {
  const fs::path snapshot = inst.config().data_dir / (".backup-snapshot-" + std::to_string(::getpid()) + "-" +
                                                     crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))) + ".db");
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix, ec);
    }
  } remove{snapshot};
  // Created empty with mode 0600 first, so the copy is never readable by others.
  const int fd = ::open(snapshot.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(snapshot, "cannot create");
  ::close(fd);
  if (auto s = backup_database::sqlite_online_copy(inst.config().database_file(), snapshot); !s) return s;
  if (options.after_snapshot) options.after_snapshot();
  {
    auto copy = store::open_sqlite(snapshot, false);
    if (!copy) return copy.error();
    auto tx = (*copy)->begin(store::Access::read);
    if (!tx) return tx.error();
    auto facts = backup_database::read_facts(**tx, tables);
    if (!facts) return facts.error();
    tx->reset();
    auto check = (*copy)->integrity_check();
    if (!check) return check.error();
    manifest.database_check = *check;
    manifest.installation_id = facts->installation_id;
    manifest.schema_version = facts->schema_version;
    manifest.rows = facts->rows;
    manifest.audit_events = facts->audit_events;
    manifest.audit_head = facts->audit_head;
  }
  if (fs::exists(snapshot.string() + "-wal") && fs::file_size(snapshot.string() + "-wal") > 0)
    return make_error(ErrorCode::internal, "the database copy kept a write-ahead log after closing; retry the backup");
  return add_file(writer, snapshot, "database/tillit.db");
}

// PostgreSQL: a logical dump in one REPEATABLE READ transaction (what Database::begin(read)
// opens there), streamed straight into the archive, with the manifest's facts read in the
// same transaction.
Status add_postgresql_dump(backup_format::ArchiveWriter& writer, Installation& inst,
                           const std::vector<std::string>& tables, BackupManifest& manifest, const BackupOptions& options) {
  auto tx = inst.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto facts = backup_database::read_facts(**tx, tables);
  if (!facts) return facts.error();
  if (options.after_snapshot) options.after_snapshot();
  manifest.installation_id = facts->installation_id;
  manifest.schema_version = facts->schema_version;
  manifest.rows = facts->rows;
  manifest.audit_events = facts->audit_events;
  manifest.audit_head = facts->audit_head;
  if (auto s = writer.begin_part("database/dump.jsonl", 0600); !s) return s;
  if (auto s = backup_database::write_dump(**tx, tables, [&](std::string_view line) { return writer.write(line); }); !s)
    return s;
  if (auto s = writer.end_part(); !s) return s;
  tx->reset();
  auto check = inst.db().integrity_check();
  if (!check) return check.error();
  manifest.database_check = *check;
  return {};
}

// Files named ".PREFIX<pid>-..." that a killed backup left behind: removed when that process is
// gone (a backup running at the same time keeps its own).
void remove_leftovers(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::atol(name.c_str() + prefix.size());
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

}  // namespace

Result<BackupReport> create_backup(Installation& inst, const Actor& actor, const crypto::SecretBytes& backup_key,
                                   const BackupOptions& options) {
  if (options.destination.empty())
    return make_error(ErrorCode::invalid_argument, "give the directory to write the backup to (--to DIR)");
  const fs::path dest = fs::absolute(options.destination).lexically_normal();
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec || !fs::is_directory(dest))
    return make_error(ErrorCode::unavailable, "cannot use '" + dest.string() + "' as the backup directory" +
                                                  (ec ? ": " + ec.message() : std::string(": not a directory")));

  BackupReport report;
  BackupManifest manifest;
  manifest.created_at = format_rfc3339(now_utc());
  manifest.backend = inst.db().backend();
  const fs::path final_path = dest / ("tillit-backup-" + file_stamp(manifest.created_at) + ".tbk");
  // Hidden and not ending in .tbk: nothing interrupted can be mistaken for a backup.
  const fs::path partial = dest / (".tillit-backup-" + std::to_string(::getpid()) + "-" + file_stamp(manifest.created_at) + ".partial");
  remove_leftovers(dest, ".tillit-backup-");
  remove_leftovers(inst.config().data_dir, ".backup-snapshot-");
  if (fs::exists(final_path)) return make_error(ErrorCode::conflict, "'" + final_path.string() + "' exists already; retry");

  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(partial, "cannot create");
  bool published = false;
  struct Cleanup {
    int fd;
    const fs::path& partial;
    const bool& published;
    ~Cleanup() {
      if (fd >= 0) ::close(fd);
      if (!published) ::unlink(partial.c_str());
    }
  } cleanup{fd, partial, published};

  auto tables = backup_database::data_tables(inst.db());
  if (!tables) return tables.error();
  backup_format::ArchiveWriter writer(fd, partial, backup_key);
  const auto added = manifest.backend == "sqlite" ? add_sqlite_database(writer, inst, *tables, manifest, options)
                                                  : add_postgresql_dump(writer, inst, *tables, manifest, options);
  if (!added) return added.error();
  if (options.after_first_part) options.after_first_part();
  if (auto s = add_data_files(writer, inst.config()); !s) return s.error();
  if (auto s = writer.finish(manifest); !s) return s.error();
  if (::fsync(fd) != 0) return io_error(partial, "cannot flush");
  ::close(cleanup.fd);
  cleanup.fd = -1;
  if (fs::exists(final_path)) return make_error(ErrorCode::conflict, "'" + final_path.string() + "' exists already; retry");
  if (::rename(partial.c_str(), final_path.c_str()) != 0) return io_error(final_path, "cannot create");
  published = true;
  if (auto s = fsync_dir(dest); !s) return s.error();

  manifest.parts = writer.parts();
  report.file = final_path;
  report.bytes = writer.bytes();
  report.sha256 = writer.sha256();
  report.manifest = manifest;
  const fs::path data_dir = fs::absolute(inst.config().data_dir).lexically_normal();
  if (dest == data_dir || dest.string().rfind(data_dir.string() + "/", 0) == 0)
    report.warning = "the backup lies inside the data directory; copy it to separate storage";

  // The audit event is the evidence that backups are taken (annex req. 22).
  auto tx = inst.db().begin(store::Access::write);
  Status recorded = tx ? Status{} : Status(tx.error());
  if (recorded) {
    auto e = inst.record(**tx, actor, "backup.create", "backup", final_path.filename().string(),
                         {{"file", {{"after", final_path.string()}}},
                          {"sha256", {{"after", report.sha256}}},
                          {"bytes", {{"after", report.bytes}}},
                          {"audit_events", {{"after", manifest.audit_events}}},
                          {"backend", {{"after", manifest.backend}}}});
    recorded = e ? (*tx)->commit() : Status(e.error());
  }
  if (!recorded)
    report.warning += (report.warning.empty() ? "" : "; ") +
                      std::string("the backup was written but its audit event could not be recorded: ") +
                      recorded.error().message;
  return report;
}

}  // namespace tillit::services
