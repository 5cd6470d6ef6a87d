// SNTP (RFC 4330 / RFC 5905 client mode): the request packet and the reading of a server's
// answer into a clock offset. Pure: the caller sends and receives the bytes and passes the
// local send and receive times, so the arithmetic is tested with exact numbers.
//
// Annex requirement 30 asks every system to synchronise against one time source (GPS or
// Swedish UTC); Tillit measures its own offset to that source and reports it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "tillit/core/result.h"

namespace tillit::sntp {

constexpr std::size_t kPacketSize = 48;
// Offsets of a few milliseconds matter here, so times keep the system clock's full precision.
using Instant = std::chrono::system_clock::time_point;
using Packet = std::array<std::uint8_t, kPacketSize>;

// A version 4 client request. `transmit` goes into the transmit timestamp, and a valid answer
// must echo it back as its originate timestamp (which is how a forged or stale answer is told
// apart from the one we asked for).
Packet client_request(Instant transmit);

struct Sample {
  std::chrono::microseconds offset{};  // server clock minus local clock
  std::chrono::microseconds delay{};   // round trip, less the server's own processing time
  int stratum = 0;                     // 1: the server reads a reference clock (GPS, atomic)
  std::string reference;               // stratum 1: the reference's code ("GPS", "PPS"); else empty
};

// Reads a server's answer to the request sent at `sent` (local clock) and received at
// `received`. Refused (invalid_argument, with what is wrong): a short packet, not a server
// answer (mode 4), a version other than 3 or 4, a kiss-o'-death or unsynchronised server
// (stratum 0, or leap indicator 3), an originate timestamp that is not our request's, or a
// server transmit time of zero.
Result<Sample> read_response(std::span<const std::uint8_t> answer, Instant sent, Instant received);

// NTP's 64-bit timestamp (seconds since 1900 and a 32-bit fraction) from and to a UTC time.
// Times from 2036 on are in NTP era 1; `near` decides the era of a timestamp read back.
std::uint64_t to_ntp(Instant t);
Instant from_ntp(std::uint64_t ntp, Instant near);

}  // namespace tillit::sntp
