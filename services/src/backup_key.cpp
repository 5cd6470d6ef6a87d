// The backup key: a key of its own (not the master key), so backups can be opened by whoever
// keeps them without holding the key that unlocks the live installation, and the reverse.
#include <fstream>

#include "tillit/crypto/key_file.h"
#include "tillit/services/backup.h"

namespace tillit::services {
namespace {
constexpr std::string_view kHeader =
    "# Tillit backup key (AES-256). Keep it away from the backups it opens; without it they cannot be read.\n";
}  // namespace

std::filesystem::path backup_key_file(const Config& config) { return config.data_dir / "keys" / "backup.key"; }

Status create_backup_key_file(const std::filesystem::path& path) { return write_backup_key_file(path, crypto::random_key(32)); }

Status write_backup_key_file(const std::filesystem::path& path, const crypto::SecretBytes& key) {
  std::string content = std::string(kHeader) + crypto::to_base64(key.view()) + "\n";
  auto status = crypto::write_private_file(path, content);
  std::fill(content.begin(), content.end(), '\0');
  return status;
}

Result<crypto::SecretBytes> load_backup_key_file(const std::filesystem::path& path) {
  if (auto s = crypto::check_private_permissions(path); !s) return s.error();
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::unavailable, "cannot open the backup key '" + path.string() + "'");
  std::string line, encoded;
  bool is_backup_key = false;
  while (std::getline(in, line)) {
    if (line.rfind("# Tillit backup key", 0) == 0) is_backup_key = true;
    if (line.empty() || line[0] == '#') continue;
    encoded = line;
    break;
  }
  auto decoded = crypto::from_base64(encoded);
  std::fill(encoded.begin(), encoded.end(), '\0');
  if (!is_backup_key || !decoded || decoded->size() != 32)
    return make_error(ErrorCode::invalid_argument,
                      "'" + path.string() + "' is not a Tillit backup key file (a master key is not one); give the "
                      "installation's keys/backup.key, or create one with 'tillit backup key --data DIR'");
  return crypto::SecretBytes(std::move(*decoded));
}

}  // namespace tillit::services
