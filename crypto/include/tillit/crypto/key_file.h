// Key files on disk: created with mode 0600 in one step (never world-readable, not even for
// a moment), and refused at load time when their permissions let anyone but the owner read
// them. The master key file holds 32 random bytes, base64-encoded, with a header line.
#pragma once

#include <filesystem>
#include <string_view>

#include "tillit/core/result.h"
#include "tillit/crypto/crypto.h"

namespace tillit::crypto {

// Writes `content` to a new file with mode 0600; fails if the file exists.
Status write_private_file(const std::filesystem::path& path, std::string_view content);

// Fails when group or others have any permission on the file.
Status check_private_permissions(const std::filesystem::path& path);

Status create_master_key_file(const std::filesystem::path& path);
Result<SecretBytes> load_master_key_file(const std::filesystem::path& path);

}  // namespace tillit::crypto
