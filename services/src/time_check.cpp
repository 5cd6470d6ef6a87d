#include "tillit/services/time_check.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <unistd.h>

#include <mutex>

#include "tillit/core/time.h"

namespace tillit::services {
namespace {

using namespace std::chrono;

struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

struct AddressList {
  addrinfo* first = nullptr;
  ~AddressList() {
    if (first) ::freeaddrinfo(first);
  }
};

void read_kernel_state(ClockReport& r) {
  // adjtimex with modes = 0 only reads the kernel's NTP discipline state; no privilege needed.
  struct timex state {};
  const int answer = ::adjtimex(&state);
  if (answer == -1) {
    r.kernel_state = "unknown";
    return;
  }
  r.kernel_state = (answer == TIME_ERROR || (state.status & STA_UNSYNC)) ? "unsynchronized" : "synchronized";
  r.max_error_ms = state.maxerror / 1000;
}

std::string format_ms(microseconds us) {
  const double ms = static_cast<double>(us.count()) / 1000.0;
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f ms", ms);
  return text;
}

}  // namespace

Result<sntp::Sample> query_time_source(const std::string& host, unsigned short port, milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  AddressList addresses;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses.first); rc != 0)
    return make_error(ErrorCode::unavailable, "cannot resolve the time source " + host + ": " + ::gai_strerror(rc));
  std::string last_error = "no address";
  for (const addrinfo* a = addresses.first; a; a = a->ai_next) {
    Socket s{::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol)};
    // connect() on UDP fixes the peer, so the kernel drops datagrams from anyone else.
    if (s.fd < 0 || ::connect(s.fd, a->ai_addr, a->ai_addrlen) != 0) {
      last_error = "cannot reach it";
      continue;
    }
    const auto sent = system_clock::now();
    const auto request = sntp::client_request(sent);
    if (::send(s.fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
      last_error = "cannot send to it";
      continue;
    }
    const auto deadline = steady_clock::now() + timeout;
    while (true) {
      const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) {
        last_error = "no answer within " + std::to_string(timeout.count()) + " ms";
        break;
      }
      pollfd p{s.fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      std::uint8_t buffer[512];
      const auto n = ::recv(s.fd, buffer, sizeof buffer, 0);
      const auto received = system_clock::now();
      if (n < 0) {
        last_error = "the answer could not be read (is anything listening on that port?)";
        break;
      }
      auto sample = sntp::read_response(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)), sent, received);
      if (sample) return sample;
      // A stray or forged datagram: keep waiting for the real answer until the deadline.
      last_error = sample.error().message;
    }
  }
  return make_error(ErrorCode::unavailable, "time source " + host + ":" + service + ": " + last_error);
}

ClockReport check_clock(const TimeSettings& settings, milliseconds timeout) {
  ClockReport r;
  read_kernel_state(r);
  r.source = settings.source;
  r.checked_at = format_rfc3339(std::chrono::time_point_cast<milliseconds>(system_clock::now()));
  std::string host;
  unsigned short port = 123;
  if (auto s = parse_time_source(settings.source, host, port); !s) {
    r.source_error = s.error().message;
  } else if (auto sample = query_time_source(host, port, timeout)) {
    r.sample = *sample;
  } else {
    r.source_error = sample.error().message;
  }
  // The measurement first (when there is one), then whatever needs attention.
  r.summary = r.sample ? format_ms(r.sample->offset) + " from " + r.source + " (stratum " +
                             std::to_string(r.sample->stratum) + ", round trip " +
                             format_ms(r.sample->delay).substr(1) + ")"
                       : "the offset to " + r.source + " could not be measured: " + r.source_error;
  std::vector<std::string> problems;
  if (r.kernel_state != "synchronized")
    problems.push_back("the system clock is " + r.kernel_state + " (no NTP daemon disciplines it)");
  if (r.sample && abs(r.sample->offset) > duration_cast<microseconds>(settings.max_offset))
    problems.push_back("the offset is beyond the limit of " + std::to_string(settings.max_offset.count()) + " ms");
  r.state = problems.empty() && r.sample ? "ok" : "warning";
  for (const auto& p : problems) r.summary += "; " + p;
  return r;
}

namespace {
std::mutex last_mutex;
std::optional<ClockReport> last_report;
}  // namespace

void remember_clock_check(ClockReport report) {
  std::lock_guard lock(last_mutex);
  last_report = std::move(report);
}

std::optional<ClockReport> last_clock_check() {
  std::lock_guard lock(last_mutex);
  if (!last_report) return std::nullopt;
  ClockReport r = *last_report;
  read_kernel_state(r);  // cheap and local: always current
  return r;
}

}  // namespace tillit::services
