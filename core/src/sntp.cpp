#include "tillit/core/sntp.h"

#include <cstdlib>

namespace tillit::sntp {
namespace {

using namespace std::chrono;

// Seconds from NTP's epoch (1900-01-01) to the Unix epoch; one NTP era is 2^32 seconds.
constexpr std::int64_t kNtpToUnix = 2208988800LL;
constexpr std::int64_t kEra = std::int64_t{1} << 32;

constexpr int kModeClient = 3;
constexpr int kModeServer = 4;
constexpr int kLeapUnsynchronised = 3;

std::uint64_t read_u64(std::span<const std::uint8_t> p, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | p[at + i];
  return v;
}

void write_u64(Packet& p, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) p[at + 7 - i] = static_cast<std::uint8_t>(v >> (8 * i));
}

Error refuse(const std::string& why) { return make_error(ErrorCode::invalid_argument, "the time server's answer " + why); }

}  // namespace

std::uint64_t to_ntp(Instant t) {
  const auto since_unix = duration_cast<nanoseconds>(t.time_since_epoch());
  const auto whole = floor<seconds>(since_unix);
  const auto fraction_ns = (since_unix - whole).count();  // 0 .. 999,999,999
  const auto ntp_seconds = static_cast<std::uint64_t>((whole.count() + kNtpToUnix) % kEra);
  // fraction_ns < 2^30, so shifting by 32 stays within 64 bits.
  const auto fraction = (static_cast<std::uint64_t>(fraction_ns) << 32) / 1'000'000'000u;
  return (ntp_seconds << 32) | fraction;
}

Instant from_ntp(std::uint64_t ntp, Instant near) {
  const auto seconds_in_era = static_cast<std::int64_t>(ntp >> 32);
  // Rounded to the nearest nanosecond, so to_ntp and back gives the same time.
  const auto fraction_ns = static_cast<std::int64_t>(((ntp & 0xffffffffu) * 1'000'000'000u + (1u << 31)) >> 32);
  // The era is the one that puts the time closest to `near` (RFC 5905, section 6).
  const auto near_ntp = floor<seconds>(near.time_since_epoch()).count() + kNtpToUnix;
  std::int64_t era = near_ntp / kEra;
  std::int64_t best = era * kEra + seconds_in_era;
  for (std::int64_t e : {era - 1, era + 1}) {
    const std::int64_t candidate = e * kEra + seconds_in_era;
    if (std::llabs(candidate - near_ntp) < std::llabs(best - near_ntp)) best = candidate;
  }
  return Instant(duration_cast<Instant::duration>(seconds(best - kNtpToUnix) + nanoseconds(fraction_ns)));
}

Packet client_request(Instant transmit) {
  Packet p{};
  p[0] = static_cast<std::uint8_t>((0 << 6) | (4 << 3) | kModeClient);  // no leap warning, version 4
  write_u64(p, 40, to_ntp(transmit));
  return p;
}

Result<Sample> read_response(std::span<const std::uint8_t> answer, Instant sent, Instant received) {
  if (answer.size() < kPacketSize)
    return refuse("is " + std::to_string(answer.size()) + " bytes long; an NTP packet has at least 48");
  const int leap = answer[0] >> 6;
  const int version = (answer[0] >> 3) & 7;
  const int mode = answer[0] & 7;
  const int stratum = answer[1];
  if (mode != kModeServer) return refuse("is not a server answer (mode " + std::to_string(mode) + ")");
  if (version != 3 && version != 4) return refuse("has NTP version " + std::to_string(version) + " (3 or 4 expected)");
  if (stratum == 0) {
    const std::string code(reinterpret_cast<const char*>(answer.data() + 12), 4);
    return refuse("is a kiss-o'-death (" + code + "): the server refuses to serve time now");
  }
  if (stratum > 15) return refuse("has stratum " + std::to_string(stratum) + " (1-15 expected)");
  if (leap == kLeapUnsynchronised) return refuse("says the server's own clock is not synchronised");
  const auto originate = read_u64(answer, 24);
  const auto receive = read_u64(answer, 32);
  const auto transmit = read_u64(answer, 40);
  if (originate != to_ntp(sent)) return refuse("does not answer our request (its originate time is not ours)");
  if (transmit == 0) return refuse("has no transmit time");
  if (received < sent) return refuse("arrived before it was asked for: the local clock stepped");

  const auto t1 = sent;
  const auto t2 = from_ntp(receive, sent);
  const auto t3 = from_ntp(transmit, sent);
  const auto t4 = received;
  Sample s;
  s.offset = round<microseconds>(((t2 - t1) + (t3 - t4)) / 2);
  s.delay = round<microseconds>((t4 - t1) - (t3 - t2));
  if (s.delay.count() < 0) s.delay = microseconds(0);  // a server whose processing time exceeds the round trip
  s.stratum = stratum;
  if (stratum == 1) {
    for (std::size_t i = 12; i < 16 && answer[i] >= 0x20 && answer[i] < 0x7f; ++i) s.reference += static_cast<char>(answer[i]);
  }
  return s;
}

}  // namespace tillit::sntp
