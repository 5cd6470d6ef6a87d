// Encrypted backups of an installation, checked and restored (annex req. 22 and 35).
//
// Archive format (".tbk", format version 1). One file:
//
//   header  = "TILLITBK" | version (u32, big-endian) | key id (8 bytes) | salt (16 random bytes)
//   chunk*  = length (u32, big-endian) | AES-256-GCM sealed record (nonce 12 | ciphertext | tag 16)
//
// The key id is HKDF(backup key, "tillit/backup-key-id/1") so a wrong key is named as such
// before anything is decrypted. Every chunk is sealed under HKDF(backup key,
// "tillit/backup-chunk-key/1" | salt) -- a key of its own per archive, so random nonces stay
// far from GCM's limits -- with the associated data header | chunk index (u64, big-endian) |
// final flag (1 byte). A flipped byte fails that chunk's tag; reordered or dropped chunks fail
// on the index; a file cut at a chunk boundary lacks the chunk flagged final; bytes after it
// are rejected. A chunk holds at most 1 MiB, so memory stays bounded whatever the size.
//
// Each chunk's plaintext is one record, its first byte saying which:
//   'B' {"name": ..., "mode": ...}  begins a part     'D' bytes  the part's next bytes
//   'E'                             ends the part      'M' JSON   the manifest: the final chunk
// The manifest comes last because the parts' SHA-256 and sizes are known only once written;
// it holds the format version, installation id, created_at, schema version, back end, each
// part's SHA-256 and size, the row count of every table and the audit chain's head.
//
// Parts: "database/tillit.db" (SQLite: a copy made with SQLite's online backup API, one read
// transaction, so it is consistent while the server writes) or "database/dump.jsonl"
// (PostgreSQL: a logical dump through Tillit's own Database interface in one REPEATABLE READ
// transaction -- no pg_dump whose version must match the server's -- which also loads into
// SQLite), and "files/..." for tillit.yaml, audit-signing-key.pub and tls/. Never keys/: the
// master key, the backup key and the OIDC client secret are kept apart from the backups; a
// restore needs the master key file, because the keys in the database are sealed under it.
//
// The backup key is DATA/keys/backup.key (mode 0600), separate from the master key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tillit/crypto/crypto.h"
#include "tillit/services/installation.h"

namespace tillit::services {

// ---- backup key ----------------------------------------------------------------------------
std::filesystem::path backup_key_file(const Config& config);  // DATA/keys/backup.key
// Creates a new backup key file (mode 0600); fails when the file exists.
Status create_backup_key_file(const std::filesystem::path& path);
// Writes `key` as a backup key file (mode 0600); fails when the file exists.
Status write_backup_key_file(const std::filesystem::path& path, const crypto::SecretBytes& key);
// Loads a backup key file; refuses one others can read, and a master key given by mistake.
Result<crypto::SecretBytes> load_backup_key_file(const std::filesystem::path& path);

// ---- manifest -------------------------------------------------------------------------------
struct BackupPart {
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;  // hex
  unsigned mode = 0644;
  bool operator==(const BackupPart&) const = default;
};

struct BackupManifest {
  int format_version = 1;
  std::string tillit_version;
  std::string installation_id;
  std::string created_at;
  int schema_version = 0;
  std::string backend;          // of the installation backed up: "sqlite" or "postgresql"
  std::string database_check;   // the back end's integrity check of the snapshot ("ok")
  std::vector<BackupPart> parts;
  std::vector<std::pair<std::string, std::int64_t>> rows;  // per table, in the snapshot
  std::int64_t audit_events = 0;
  std::string audit_head;  // hash of the newest event in the snapshot
};

// ---- create ---------------------------------------------------------------------------------
struct BackupOptions {
  std::filesystem::path destination;  // directory; meant to be separate storage
  // Test seams (never set by `tillit` itself except through TILLIT_TEST_PAUSE_BACKUP):
  // called once the database snapshot is taken, and once its part is in the partial file.
  std::function<void()> after_snapshot;
  std::function<void()> after_first_part;
};

struct BackupReport {
  std::filesystem::path file;
  std::string sha256;  // of the whole archive file
  std::uint64_t bytes = 0;
  BackupManifest manifest;
  std::string warning;  // e.g. the audit event could not be recorded
};

// Writes DEST/tillit-backup-<UTC time>.tbk through a hidden ".partial" file that is fsynced
// and renamed only when complete, so an interrupted run leaves nothing named .tbk. Records
// "backup.create" in the audit log.
Result<BackupReport> create_backup(Installation& inst, const Actor& actor, const crypto::SecretBytes& backup_key,
                                   const BackupOptions& options);

// ---- verify ---------------------------------------------------------------------------------
// Decrypts and authenticates every chunk and checks every part against the manifest, without
// writing anything.
Result<BackupManifest> verify_backup(const std::filesystem::path& archive, const crypto::SecretBytes& backup_key);

// ---- restore --------------------------------------------------------------------------------
struct RestoreOptions {
  std::filesystem::path archive;
  std::filesystem::path data_dir;  // new or empty (unless force)
  crypto::SecretBytes backup_key;
  // The installation's master key file, copied to DATA/keys/master.key. Without it the
  // database is restored and checked but the audit chain cannot be verified.
  std::optional<std::filesystem::path> master_key_file;
  std::string database_url;  // restore into this empty PostgreSQL database; empty: SQLite
  bool force = false;         // a non-empty data_dir is moved aside, never deleted
};

struct RestoreReport {
  BackupManifest manifest;
  std::filesystem::path data_dir;
  std::string backend;  // restored into
  std::vector<std::pair<std::string, std::int64_t>> rows;
  bool audit_verified = false;
  std::int64_t audit_events = 0;
  std::string audit_head;
  std::optional<std::filesystem::path> moved_aside;  // the earlier contents, with force
};

// Restores into a hidden directory beside data_dir, checks every part's hash, the database's
// integrity, the row counts and (with the master key) the audit chain against the manifest,
// and only then renames it to data_dir. A failure or a kill leaves data_dir untouched.
Result<RestoreReport> restore_backup(const RestoreOptions& options);

// ---- restore test ---------------------------------------------------------------------------
struct RestoreTestReport {
  bool passed = false;
  std::string detail;  // what failed, or a summary
  std::optional<RestoreReport> restore;
};

// Restores `archive` into a temporary directory inside the data directory (SQLite, whatever
// the source back end, so no scratch PostgreSQL database is needed) with this installation's
// master key, verifies it, removes it, and records "backup.restore_test"
// with the result in this installation's audit log: the evidence of a tested restore.
Result<RestoreTestReport> test_restore(Installation& inst, const Actor& actor, const std::filesystem::path& archive,
                                       const crypto::SecretBytes& backup_key);

// ---- schedule -------------------------------------------------------------------------------

struct ScheduledBackupReport {
  BackupReport backup;
  std::vector<std::filesystem::path> removed;  // archives past retention, deleted
};

// The daily job's work (config `backup_*`): a backup into backup_destination with the
// installation's backup key, checked with verify_backup, then the archives past retention
// deleted (only when the new one verified, and never the newest keep_at_least). Records
// "backup.prune" with the names removed. Fails when scheduled backups are not configured or
// the backup key is missing.
Result<ScheduledBackupReport> run_scheduled_backup(Installation& inst, const Actor& actor, Timestamp now);

// The time in an archive's name (tillit-backup-20261123T174512.345Z.tbk), if it is one.
std::optional<Timestamp> archive_time(const std::filesystem::path& file);

}  // namespace tillit::services
