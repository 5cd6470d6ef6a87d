// fuzz_sntp: sntp::read_response (core), which reads the time source's UDP answer — a
// datagram anyone on the path could forge. Each input is tried as sent, and once more with
// our request's time patched in as the originate timestamp so the checks after it are reached.
// Invariants: a refusal is invalid_argument with a message; an accepted answer has stratum
// 1-15, a round trip that is not negative, and a reference name only at stratum 1.
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_check.h"
#include "tillit/core/sntp.h"

namespace {

using tillit::sntp::Instant;

void check(const std::vector<std::uint8_t>& answer, Instant sent, Instant received) {
  const auto read = tillit::sntp::read_response(answer, sent, received);
  if (!read) {
    FUZZ_CHECK(read.error().code == tillit::ErrorCode::invalid_argument);
    FUZZ_CHECK(!read.error().message.empty());
    return;
  }
  FUZZ_CHECK(read->stratum >= 1 && read->stratum <= 15);
  FUZZ_CHECK(read->delay.count() >= 0);
  FUZZ_CHECK(read->stratum == 1 || read->reference.empty());
  FUZZ_CHECK(read->reference.size() <= 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A fixed moment (2026-11-23T10:00:00Z) and a 20 ms round trip.
  const Instant sent{std::chrono::seconds(1795428000)};
  const Instant received = sent + std::chrono::milliseconds(20);
  std::vector<std::uint8_t> answer(data, data + size);
  check(answer, sent, received);
  if (answer.size() >= tillit::sntp::kPacketSize) {
    const auto originate = tillit::sntp::to_ntp(sent);
    for (std::size_t i = 0; i < 8; ++i) answer[24 + i] = static_cast<std::uint8_t>(originate >> (8 * (7 - i)));
    check(answer, sent, received);
  }
  return 0;
}
