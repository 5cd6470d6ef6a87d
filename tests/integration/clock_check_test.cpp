// The clock against a real NTP server: chronyd, started on loopback as the time source.
// `tillit doctor` and /healthz report the measured offset; an unreachable source is a warning.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "process.h"
#include "tls_test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::run_command;
using tillit::web::testing::http_request;
using tillit::web::testing::TlsClient;

namespace {

// A UDP port nothing listens on right now.
unsigned short free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// chronyd serving its own clock at stratum 9 on 127.0.0.1, touching nothing of the system's.
class ChronyServer {
 public:
  explicit ChronyServer(const fs::path& dir) : dir_(dir), port_(free_udp_port()) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "chrony.conf") << "port " << port_ << "\nbindaddress 127.0.0.1\nallow 127.0.0.1\n"
                                        << "local stratum 9\ncmdport 0\nbindcmdaddress /\n"
                                        << "pidfile " << (dir_ / "chronyd.pid").string() << "\n"
                                        << "driftfile " << (dir_ / "drift").string() << "\n";
    // -x: never adjust the system clock; -u root: no privilege drop to a user that cannot
    // write the test's directory. Without -d, chronyd detaches once it is listening.
    auto started = run_command({chronyd(), "-x", "-u", "root", "-f",
                                (dir_ / "chrony.conf").string(), "-l", (dir_ / "chronyd.log").string()});
    if (started.exit_code != 0) failure_ = "chronyd did not start: " + started.err;
  }
  ~ChronyServer() {
    std::ifstream pid_file(dir_ / "chronyd.pid");
    pid_t pid = 0;
    if (pid_file >> pid && pid > 0) {
      ::kill(pid, SIGTERM);
      // chronyd writes its drift file as it exits: wait for it (it is not our child, so poll).
      for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  static const char* chronyd() { return "/usr/sbin/chronyd"; }
  const std::string& failure() const { return failure_; }
  unsigned short port() const { return port_; }

 private:
  fs::path dir_;
  unsigned short port_;
  std::string failure_;
};

class ClockCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(ChronyServer::chronyd())) GTEST_SKIP() << "chrony is not installed (scripts/setup.sh --test installs it)";
    if (::geteuid() != 0) GTEST_SKIP() << "chronyd needs root to start; run the tests as root to include this check";
    base_ = fs::temp_directory_path() / ("tillit-clock-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    chrony_ = std::make_unique<ChronyServer>(base_ / "chrony");
    ASSERT_EQ(chrony_->failure(), "");
    data_ = base_ / "data";
    auto init = run_command({TILLIT_BINARY, "init", "--data", data_.string()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  void TearDown() override {
    chrony_.reset();
    std::error_code ignored;
    fs::remove_all(base_, ignored);
  }
  void use_time_source(const std::string& source) {
    std::ofstream(data_ / "tillit.yaml", std::ios::app) << "time_source: " << source << "\n";
  }
  json doctor() {
    auto r = run_command({TILLIT_BINARY, "doctor", "--data", data_.string(), "--json", "--timeout-ms", "3000"});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    EXPECT_EQ(j.value("ok", false), r.exit_code == 0);
    return j;
  }
  static json check_named(const json& report, const std::string& name) {
    for (const auto& c : report["checks"])
      if (c["name"] == name) return c;
    return json::object();
  }

  fs::path base_, data_;
  std::unique_ptr<ChronyServer> chrony_;
};

}  // namespace

TEST_F(ClockCheck, DoctorMeasuresTheOffsetToTheTimeSource) {
  use_time_source("127.0.0.1:" + std::to_string(chrony_->port()));
  const auto report = doctor();
  EXPECT_EQ(check_named(report, "installation")["state"], "ok") << report.dump();
  EXPECT_EQ(check_named(report, "database")["state"], "ok") << report.dump();
  EXPECT_EQ(check_named(report, "tls certificate")["state"], "ok") << report.dump();
  const auto clock = check_named(report, "clock");
  // chronyd serves this machine's own clock, so the offset is what scheduling adds: small.
  const std::string detail = clock.value("detail", "");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(detail, m, std::regex("^([+-][0-9]+\\.[0-9]) ms from 127\\.0\\.0\\.1:[0-9]+ \\(stratum 9, round trip")))
      << detail;
  EXPECT_LT(std::abs(std::stod(m[1])), 50.0) << detail;
}

TEST_F(ClockCheck, AnUnansweredTimeSourceIsAWarning) {
  use_time_source("127.0.0.1:" + std::to_string(free_udp_port()));
  const auto report = doctor();
  EXPECT_FALSE(report.value("ok", true));
  const auto clock = check_named(report, "clock");
  EXPECT_EQ(clock["state"], "warning");
  EXPECT_NE(clock.value("detail", "").find("could not be measured"), std::string::npos) << clock.dump();
}

TEST_F(ClockCheck, AnInvalidTimeSourceIsRefusedWithTheSettingsName) {
  use_time_source("ntp.example.org:99999");
  auto r = run_command({TILLIT_BINARY, "doctor", "--data", data_.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("time_source"), std::string::npos) << r.out << r.err;
}

TEST_F(ClockCheck, HealthzReportsTheServersLatestMeasurement) {
  use_time_source("127.0.0.1:" + std::to_string(chrony_->port()));
  tillit::testing::ServerProcess server({TILLIT_BINARY, "serve", "--data", data_.string(), "--listen", "127.0.0.1:0"});
  std::smatch m;
  const std::string line = server.first_line();
  ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
  const auto port = static_cast<unsigned short>(std::stoi(m[1]));
  json source;
  // The server measures on its own schedule (at start, then every five minutes).
  for (int i = 0; i < 100 && source.is_null(); ++i) {
    TlsClient client(port);
    auto reply = client.exchange(http_request("GET", "/healthz"));
    ASSERT_TRUE(reply.has_value());
    source = json::parse(reply->body)["clock"].value("time_source", json());
    if (source.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(source.is_null()) << "no clock measurement in /healthz";
  EXPECT_EQ(source["source"], "127.0.0.1:" + std::to_string(chrony_->port()));
  EXPECT_EQ(source["stratum"], 9);
  EXPECT_LT(std::abs(source["offset_ms"].get<double>()), 50.0);
}
