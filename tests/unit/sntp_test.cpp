// SNTP arithmetic and the checks on a server's answer, with exact times.
#include <gtest/gtest.h>

#include "tillit/core/sntp.h"
#include "tillit/core/time.h"

namespace tillit::sntp {
namespace {

using namespace std::chrono;

Instant at(const char* rfc3339) { return Instant(parse_rfc3339(rfc3339).value()); }

// A server's answer to `request`, stamped with the server's receive and transmit times.
Packet answer(const Packet& request, Instant server_received, Instant server_sent, int stratum = 1,
              int leap = 0, int version = 4, int mode = 4) {
  Packet p{};
  p[0] = static_cast<std::uint8_t>((leap << 6) | (version << 3) | mode);
  p[1] = static_cast<std::uint8_t>(stratum);
  p[12] = 'G', p[13] = 'P', p[14] = 'S', p[15] = 0;
  std::copy(request.begin() + 40, request.begin() + 48, p.begin() + 24);  // originate = our transmit
  auto put = [&p](std::size_t off, std::uint64_t v) {
    for (std::size_t i = 0; i < 8; ++i) p[off + 7 - i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  put(32, to_ntp(server_received));
  put(40, to_ntp(server_sent));
  return p;
}

TEST(Sntp, NtpTimestampsCountFrom1900) {
  EXPECT_EQ(to_ntp(Instant{}) >> 32, 2208988800u);
  // Half a second is half of the 32-bit fraction.
  EXPECT_EQ(to_ntp(Instant{} + milliseconds(500)) & 0xffffffffu, 0x80000000u);
  const auto t = at("2026-11-23T10:15:30.250Z");
  EXPECT_EQ(from_ntp(to_ntp(t), t), t);
}

TEST(Sntp, TheEraRollsOverIn2036) {
  const auto rollover = at("2036-02-07T06:28:16Z");
  EXPECT_EQ(to_ntp(rollover) >> 32, 0u);  // era 1 starts again at zero
  EXPECT_EQ(from_ntp(to_ntp(rollover), at("2036-01-01T00:00:00Z")), rollover);
  const auto before = at("2036-02-07T06:28:15Z");
  EXPECT_EQ(from_ntp(to_ntp(before), rollover), before);
}

TEST(Sntp, OffsetAndDelayFromTheFourTimes) {
  // The server runs 100 ms ahead; 50 ms each way; 1 ms inside the server.
  const auto t1 = at("2026-11-23T10:00:00.000Z");
  const auto request = client_request(t1);
  EXPECT_EQ(request[0] & 7, 3);         // client mode
  EXPECT_EQ((request[0] >> 3) & 7, 4);  // version 4
  const auto reply = answer(request, at("2026-11-23T10:00:00.150Z"), at("2026-11-23T10:00:00.151Z"));
  auto s = read_response(reply, t1, at("2026-11-23T10:00:00.101Z"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->offset, milliseconds(100));
  EXPECT_EQ(s->delay, milliseconds(100));
  EXPECT_EQ(s->stratum, 1);
  EXPECT_EQ(s->reference, "GPS");
}

TEST(Sntp, ABehindServerGivesANegativeOffset) {
  const auto t1 = at("2026-11-23T10:00:00.000Z");
  const auto reply = answer(client_request(t1), at("2026-11-23T09:59:59.755Z"), at("2026-11-23T09:59:59.755Z"), 2);
  auto s = read_response(reply, t1, at("2026-11-23T10:00:00.010Z"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->offset, milliseconds(-250));
  EXPECT_EQ(s->reference, "");  // only stratum 1 names a reference clock
}

TEST(Sntp, AnswersThatCannotBeTrustedAreRefused) {
  const auto t1 = at("2026-11-23T10:00:00.000Z");
  const auto t4 = at("2026-11-23T10:00:00.020Z");
  const auto request = client_request(t1);
  const auto good_time = at("2026-11-23T10:00:00.010Z");
  auto refused = [&](const Packet& p, const char* why) {
    auto s = read_response(p, t1, t4);
    ASSERT_FALSE(s) << why;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(s.error().message.find(why), std::string::npos) << s.error().message;
  };
  refused(answer(request, good_time, good_time, 1, 0, 4, 3), "mode 3");
  refused(answer(request, good_time, good_time, 1, 0, 2), "version 2");
  refused(answer(request, good_time, good_time, 0), "kiss-o'-death");
  refused(answer(request, good_time, good_time, 16), "stratum 16");
  refused(answer(request, good_time, good_time, 2, 3), "not synchronised");
  refused(answer(client_request(at("2026-11-23T09:00:00Z")), good_time, good_time), "originate");
  auto no_transmit = answer(request, good_time, good_time);
  std::fill(no_transmit.begin() + 40, no_transmit.end(), 0);
  refused(no_transmit, "no transmit time");
  const auto reply = answer(request, good_time, good_time);
  auto short_answer = read_response(std::span(reply.data(), 47), t1, t4);
  ASSERT_FALSE(short_answer);
  EXPECT_NE(short_answer.error().message.find("47 bytes"), std::string::npos);
  auto stepped = read_response(reply, t1, t1 - seconds(1));
  ASSERT_FALSE(stepped);
  EXPECT_NE(stepped.error().message.find("stepped"), std::string::npos);
}

}  // namespace
}  // namespace tillit::sntp
