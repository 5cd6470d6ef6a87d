#include "tillit/crypto/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tillit::crypto {
namespace {

constexpr std::string_view kMasterKeyHeader = "# Tillit master key (AES-256). Keep secret; back up separately from the data.\n";

Error io_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(ErrorCode::unavailable, std::string(what) + " '" + path.string() + "': " + std::strerror(errno));
}

}  // namespace

Status write_private_file(const std::filesystem::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return io_error(path, "cannot create");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return io_error(path, "cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return io_error(path, "cannot flush");
  return {};
}

Status check_private_permissions(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error(path, "cannot read");
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(ErrorCode::forbidden, "'" + path.string() + "' has mode " + mode +
                                                " and can be read by others; run: chmod 600 '" + path.string() + "'");
  }
  if (st.st_uid != ::geteuid())
    return make_error(ErrorCode::forbidden, "'" + path.string() + "' is not owned by the user running Tillit");
  return {};
}

Status create_master_key_file(const std::filesystem::path& path) {
  const SecretBytes key = random_key(32);
  std::string content = std::string(kMasterKeyHeader) + to_base64(key.view()) + "\n";
  auto status = write_private_file(path, content);
  std::fill(content.begin(), content.end(), '\0');
  return status;
}

Result<SecretBytes> load_master_key_file(const std::filesystem::path& path) {
  if (auto s = check_private_permissions(path); !s) return s.error();
  std::ifstream in(path);
  if (!in) return io_error(path, "cannot open");
  std::string line, encoded;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    encoded = line;
    break;
  }
  auto decoded = from_base64(encoded);
  std::fill(encoded.begin(), encoded.end(), '\0');
  if (!decoded || decoded->size() != 32)
    return make_error(ErrorCode::integrity, "'" + path.string() + "' does not hold a valid 32-byte master key");
  return SecretBytes(std::move(*decoded));
}

}  // namespace tillit::crypto
