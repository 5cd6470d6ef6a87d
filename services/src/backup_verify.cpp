// `tillit backup verify`: the whole archive is read and checked, nothing is written.
#include "backup_archive.h"

namespace tillit::services {

Result<BackupManifest> verify_backup(const std::filesystem::path& archive, const crypto::SecretBytes& backup_key) {
  auto manifest = backup_format::read_archive(archive, backup_key, {});
  if (!manifest) return manifest.error();
  int databases = 0;
  for (const auto& p : manifest->parts) databases += p.name.rfind("database/", 0) == 0 ? 1 : 0;
  if (databases != 1)
    return make_error(ErrorCode::integrity, "'" + archive.string() + "' holds " + std::to_string(databases) +
                                                " database parts instead of one; it cannot be restored");
  if (manifest->database_check != "ok")
    return make_error(ErrorCode::integrity, "'" + archive.string() + "' is intact, but its database failed the "
                                                "integrity check when it was taken (" + manifest->database_check +
                                                "); use an earlier backup");
  return manifest;
}

}  // namespace tillit::services
