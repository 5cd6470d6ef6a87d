// SHA-256 (FIPS 180-4) for finding fingerprints. ingest/ sits below crypto/ in the layers and
// needs a stable hash of a few hundred bytes per finding, nothing secret, so it carries its
// own small implementation rather than a dependency on OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tillit::ingest {

std::array<std::uint8_t, 32> sha256(std::string_view data);

}  // namespace tillit::ingest
