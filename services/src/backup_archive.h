// The .tbk archive format (documented in tillit/services/backup.h): writing it chunk by
// chunk, and reading it back with every chunk authenticated and every part checked against
// the manifest. Private to services/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tillit/services/backup.h"

namespace tillit::services::backup_format {

inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kMaxRecord = 1 << 20;  // plaintext bytes per data record

std::string key_id(const crypto::SecretBytes& backup_key);  // hex, 16 characters

nlohmann::json manifest_to_json(const BackupManifest& m);
Result<BackupManifest> manifest_from_json(std::string_view text);

// Appends to an open file descriptor (owned by the caller), keeping a SHA-256 of everything
// written so the archive itself can be fingerprinted in the audit log.
class ArchiveWriter {
 public:
  ArchiveWriter(int fd, std::filesystem::path path, const crypto::SecretBytes& backup_key);
  Status begin_part(const std::string& name, unsigned mode);
  Status write(std::string_view data);
  Status end_part();
  // Writes the manifest (with the parts written so far) as the final chunk.
  Status finish(BackupManifest manifest);
  const std::vector<BackupPart>& parts() const { return parts_; }
  std::uint64_t bytes() const { return bytes_; }
  std::string sha256();  // after finish

 private:
  Status write_header();
  Status seal_record(char type, std::string_view payload, bool final);
  Status write_raw(std::string_view bytes);
  Status flush_data();

  int fd_;
  std::filesystem::path path_;
  crypto::SecretBytes chunk_key_;
  std::string header_;
  std::uint64_t index_ = 0;
  std::uint64_t bytes_ = 0;
  crypto::Sha256 file_hash_;
  std::optional<crypto::Sha256> part_hash_;
  BackupPart current_;
  std::string pending_;
  std::vector<BackupPart> parts_;
  bool header_written_ = false;
};

// What a reader does with each part as it streams by; any callback may be empty.
struct PartSink {
  std::function<Status(const std::string& name, unsigned mode)> begin;
  std::function<Status(std::string_view data)> data;
  std::function<Status()> end;
};

// Reads the whole archive, authenticating every chunk, hands each part to `sink`, and checks
// each part's size and SHA-256 against the manifest, which it returns.
Result<BackupManifest> read_archive(const std::filesystem::path& archive, const crypto::SecretBytes& backup_key,
                                    const PartSink& sink);

// A part name is "database/tillit.db", "database/dump.jsonl", "files/tillit.yaml",
// "files/audit-signing-key.pub" or "files/tls/" + a relative path without "." or ".."
// components, so a restore can never write outside its directory or over a key.
bool valid_part_name(std::string_view name);

}  // namespace tillit::services::backup_format
