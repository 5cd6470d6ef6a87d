// Scale-out on PostgreSQL: two `tillit serve` processes on one database with many writers at
// once, and the database restarted under them. Runs only with TILLIT_TEST_BACKEND=postgresql
// (scripts/test.sh provides a throwaway cluster); the failover test also needs
// TILLIT_TEST_PG_CTL, the command that stops and starts that cluster.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "process.h"
#include "test_database.h"
#include "tls_test_support.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::run_command;
using tillit::testing::ServerProcess;

namespace {

tillit::testing::CommandResult tillit_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), TILLIT_BINARY);
  return run_command(args);
}

unsigned short port_of(const ServerProcess& server) {
  std::smatch m;
  const std::string line = server.first_line();
  if (!std::regex_search(line, m, std::regex(":([0-9]+)/"))) throw std::runtime_error("no port in: " + line);
  return static_cast<unsigned short>(std::stoi(m[1]));
}

std::optional<tillit::web::testing::HttpReply> get(unsigned short port, const std::string& target,
                                                   const std::string& token = {}) {
  tillit::web::testing::TlsClient client(port);
  if (!client.connected()) return std::nullopt;
  return client.exchange(tillit::web::testing::http_request(
      "GET", target, {}, token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n"));
}

// "OK: N events" from `tillit audit verify`, or -1.
int verified_events(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("OK: ([0-9]+) events"))) return -1;
  return std::stoi(m[1]);
}

std::vector<std::string> split(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

class ScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tillit::testing::postgresql_requested() || tillit::testing::postgresql_unavailable())
      GTEST_SKIP() << "scale-out needs PostgreSQL: run under scripts/test.sh (TILLIT_TEST_BACKEND=postgresql)";
    dir_ = fs::temp_directory_path() / ("tillit-scale-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto init = tillit_cmd({"init", "--data", dir_.string(), "--database", tillit::testing::fresh_database_url()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    for (int i = 0; i < 2; ++i)
      servers_.push_back(std::make_unique<ServerProcess>(
          std::vector<std::string>{TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"}));
    // An auditor signed in through server 0, with a token for the API reads.
    account_ = tillit::testing::create_account(dir_, "scale-auditor", {"auditor"});
    session_ = std::make_unique<tillit::testing::WebSession>(port_of(*servers_[0]));
    ASSERT_EQ(tillit::testing::first_sign_in(*session_, account_), "");
    token_ = tillit::testing::create_token(dir_, "scale-auditor", {"catalog_read"});
    ASSERT_FALSE(token_.empty());
    events_before_ = verified_events(tillit_cmd({"audit", "verify", "--data", dir_.string()}).out);
    ASSERT_GT(events_before_, 0);
  }
  void TearDown() override {
    servers_.clear();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Imports catalogue number `n` through the CLI, a client of the database like any server.
  tillit::testing::CommandResult import_catalog(int n) {
    const auto file = dir_.string() + "-c" + std::to_string(n) + ".yaml";
    std::ofstream(file) << "format: tillit-catalog/1\ncatalog: {id: \"load-" << n << "\", name: {en: \"Load " << n
                        << "\"}}\nrequirements:\n  - id: \"R1\"\n    title: {en: \"Requirement\"}\n";
    auto r = tillit_cmd({"catalog", "import", file, "--data", dir_.string()});
    fs::remove(file);
    return r;
  }

  int catalog_count(unsigned short port) {
    auto r = get(port, "/api/v1/catalogs?per_page=500", token_);
    if (!r || r->status != 200) return -1;
    return json::parse(r->body)["total"].get<int>();
  }

  fs::path dir_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  tillit::testing::TestAccount account_;
  std::unique_ptr<tillit::testing::WebSession> session_;
  std::string token_;
  int events_before_ = 0;
};

}  // namespace

TEST_F(ScaleOutTest, ConcurrentWritersKeepOneChainAndJobsRunOnce) {
  constexpr int kWriters = 12;
  std::vector<std::thread> clients;
  std::vector<int> exit_codes(kWriters, -1);
  std::atomic<int> failed_reads{0};
  for (int i = 0; i < kWriters; ++i) clients.emplace_back([&, i] { exit_codes[i] = import_catalog(i).exit_code; });
  for (int i = 0; i < 4; ++i)
    clients.emplace_back([&, i] {
      for (int k = 0; k < 15; ++k)
        if (catalog_count(port_of(*servers_[(i + k) % 2])) < 3) ++failed_reads;
    });
  for (auto& c : clients) c.join();

  for (int i = 0; i < kWriters; ++i) EXPECT_EQ(exit_codes[i], 0) << "writer " << i;
  EXPECT_EQ(failed_reads.load(), 0);
  // No lost write, and both servers see the same data.
  EXPECT_EQ(catalog_count(port_of(*servers_[0])), 3 + kWriters);
  EXPECT_EQ(catalog_count(port_of(*servers_[1])), 3 + kWriters);
  auto verify = tillit_cmd({"audit", "verify", "--data", dir_.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_EQ(verified_events(verify.out), events_before_ + kWriters) << verify.out;

  // Both servers ran their scheduler at start; each job ran in exactly one of them.
  std::string logs;
  for (auto& s : servers_) {
    s->signal(SIGTERM);
    EXPECT_EQ(s->wait(std::chrono::seconds(15)), 0);
    logs += s->stderr_text();
  }
  EXPECT_EQ(count_of(logs, "job integrity-check"), 1) << logs;
  const int checkpoints = count_of(logs, "job audit-checkpoint");
  EXPECT_TRUE(checkpoints == 1 || checkpoints == 2) << logs;  // 2 only if an hour turned during the test
}

TEST_F(ScaleOutTest, DatabaseRestartDuringWritesNeverHalfAppliesAndServersRecover) {
  const char* pg_ctl = std::getenv("TILLIT_TEST_PG_CTL");
  if (!pg_ctl) GTEST_SKIP() << "TILLIT_TEST_PG_CTL (the command controlling the test cluster) is not set";
  constexpr int kWrites = 24;
  std::vector<tillit::testing::CommandResult> results(kWrites);
  std::atomic<int> done{0};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      results[i] = import_catalog(i);
      ++done;
    }
  });
  while (done < 4) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto stop = split(pg_ctl);
  stop.insert(stop.end(), {"stop", "-m", "fast"});
  ASSERT_EQ(run_command(stop).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto start = split(pg_ctl);
  start.push_back("start");
  ASSERT_EQ(run_command(start).exit_code, 0);
  writer.join();

  int succeeded = 0, refused = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) {
      ++succeeded;
    } else {
      ++refused;
      EXPECT_EQ(r.exit_code, 1);
      EXPECT_NE(r.err.find("PostgreSQL"), std::string::npos) << "unclear error: " << r.err;
    }
  }
  EXPECT_GT(refused, 0) << "the restart did not hit any write; the test proved nothing";
  EXPECT_GE(succeeded, 4);

  // The servers recover by themselves.
  for (auto& s : servers_) {
    bool healthy = false;
    for (int attempt = 0; attempt < 50 && !healthy; ++attempt) {
      auto r = get(port_of(*s), "/healthz");
      healthy = r && r->status == 200;
      if (!healthy) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_TRUE(healthy);
  }
  // Never half-applied: every stored catalogue has its audit event and the other way round,
  // every successful write is there, and the chain is whole.
  const int catalogs = catalog_count(port_of(*servers_[0])) - 3;
  EXPECT_GE(catalogs, succeeded);
  EXPECT_LE(catalogs, kWrites);
  auto verify = tillit_cmd({"audit", "verify", "--data", dir_.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_EQ(verified_events(verify.out), events_before_ + catalogs) << verify.out;
}

TEST_F(ScaleOutTest, ASessionStartedOnOneServerWorksOnTheOtherAndEndsOnBoth) {
  const auto other = port_of(*servers_[1]);
  tillit::testing::WebSession there(other);
  there.cookie = session_->cookie;
  there.csrf = session_->csrf;
  auto me = there.get("/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body)["username"], "scale-auditor");
  EXPECT_EQ(there.get("/catalog").status, 200);
  // Signing out on the second server ends the session on the first too.
  there.post_form("/logout", {});
  EXPECT_EQ(session_->get("/catalog").status, 303);
}
