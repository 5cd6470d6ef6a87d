#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "tillit/services/config.h"

using namespace tillit;
using namespace tillit::services;

namespace {
auto env(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}
}  // namespace

TEST(Listen, ParsesIpv4Ipv6AndPortZero) {
  std::string address;
  unsigned short port = 1;
  ASSERT_TRUE(parse_listen("0.0.0.0:443", address, port));
  EXPECT_EQ(address, "0.0.0.0");
  EXPECT_EQ(port, 443);
  ASSERT_TRUE(parse_listen("[::1]:0", address, port));
  EXPECT_EQ(address, "::1");
  EXPECT_EQ(port, 0);
  for (const char* bad : {"", "8443", ":8443", "host:", "host:99999", "host:12x", "[::1:80"})
    EXPECT_FALSE(parse_listen(bad, address, port)) << bad;
}

TEST(ConfigText, AppliesKnownSettings) {
  Config c;
  ASSERT_TRUE(apply_config_text(c, "listen: \"127.0.0.1:9443\"\nthreads: 4\npublic_url: https://tillit.example.se\n", "f"));
  EXPECT_EQ(c.listen_port, 9443);
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.public_url, "https://tillit.example.se");
}

TEST(ConfigText, RejectsUnknownKeysSoSecretsAreNotKeptInPlainText) {
  Config c;
  auto s = apply_config_text(c, "listen: \"127.0.0.1:9443\"\ndatabase_password: hunter2\n", "tillit.yaml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("tillit.yaml:2: unknown setting 'database_password'", 0), 0u) << s.error().message;
  EXPECT_EQ(s.error().message.find("hunter2"), std::string::npos);  // the value is never echoed
}

TEST(ConfigText, RejectsBadValuesWithTheirLine) {
  Config c;
  auto s = apply_config_text(c, "threads: 0\n", "x");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("x:1:", 0), 0u);
  EXPECT_FALSE(apply_config_text(c, "public_url: http://plain.example\n", "x"));
  EXPECT_FALSE(apply_config_text(c, "- a list\n", "x"));
  EXPECT_FALSE(apply_config_text(c, "listen: [1, 2]\n", "x"));
}

TEST(LoadConfig, EnvironmentOverridesTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / "tillit-config-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tillit.yaml") << "listen: \"127.0.0.1:9443\"\n";
  auto c = load_config(dir, env({{"TILLIT_LISTEN", "0.0.0.0:8000"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen_address, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 8000);
  EXPECT_EQ(c->certificate_file, dir / "tls" / "certificate.pem");
  auto bad = load_config(dir, env({{"TILLIT_THREADS", "many"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("TILLIT_THREADS"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(LoadConfig, RelativeDataDirectoryResolvesTlsFilesOnce) {
  auto c = load_config("relative-data", env({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->certificate_file, std::filesystem::path("relative-data") / "tls" / "certificate.pem");
  EXPECT_EQ(c->private_key_file, std::filesystem::path("relative-data") / "tls" / "private-key.pem");
}

TEST(LoadConfig, IdentitySettingsHaveFloors) {
  Config c;
  ASSERT_TRUE(apply_config_text(c, "password_min_length: 16\nsession_idle_minutes: 10\nlockout_threshold: 4\n", "x"));
  EXPECT_EQ(c.identity.password.min_length, 16u);
  EXPECT_EQ(c.identity.session_idle, std::chrono::minutes(10));
  EXPECT_EQ(c.identity.lockout_threshold, 4u);
  // The annex's floors cannot be configured away.
  auto weak = apply_config_text(c, "password_min_length: 6\n", "x");
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().message.find("from 12 to 128"), std::string::npos);
  EXPECT_FALSE(apply_config_text(c, "session_absolute_hours: 48\n", "x"));
}

TEST(DefaultConfig, IsValidAndRoundTrips) {
  Config c;
  c.listen_port = 9000;
  Config read;
  ASSERT_TRUE(apply_config_text(read, default_config_text(c), "default"));
  EXPECT_EQ(read.listen_port, 9000);
}

TEST(ConfigText, SurvivesNonScalarKeysAndQuotesEveryValueItWrites) {
  Config c;
  auto s = apply_config_text(c, "[x]: 1\n", "f");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("plain words"), std::string::npos);
  for (const std::string& value : std::vector<std::string>{"a\"b", "c:\\x", "line\nbreak", std::string("nul\x01", 4), "åäö"}) {
    Config read;
    ASSERT_TRUE(apply_config_text(read, "public_url: " + yaml_quote("https://" + value), "quoted")) << value;
    EXPECT_EQ(read.public_url, "https://" + value);
  }
}

TEST(Listen, HostsAreAddressesOrNamesOnly) {
  std::string address;
  unsigned short port = 0;
  for (const char* bad : {"a\"b:1", "c:\\x:1", "a\nb:1", "[[::1]:443", "host name:80"})
    EXPECT_FALSE(parse_listen(bad, address, port)) << bad;
  Config c;
  ASSERT_TRUE(parse_listen("[fe80::1%eth0]:8443", c.listen_address, c.listen_port));
  Config read;
  ASSERT_TRUE(apply_config_text(read, default_config_text(c), "default"));
  EXPECT_EQ(read.listen_address, "fe80::1%eth0");
}

TEST(LoadConfig, EnvironmentValuesAreNeverParsedAsYaml) {
  const auto dir = std::filesystem::temp_directory_path() / "tillit-config-env-test";
  std::filesystem::create_directories(dir);
  auto c = load_config(dir, env({{"TILLIT_THREADS", "4\nlisten: 10.0.0.1:80"}}));
  EXPECT_FALSE(c);
  std::filesystem::remove_all(dir);
}

TEST(ConfigText, TimeSourceIsAHostWithAnOptionalPort) {
  Config c;
  EXPECT_EQ(c.time.source, "sth1.ntp.se");  // Netnod, Swedish UTC
  EXPECT_EQ(c.time.max_offset, std::chrono::milliseconds(500));
  ASSERT_TRUE(apply_config_text(c, "time_source: 127.0.0.1:11123\ntime_max_offset_ms: 250\n", "f"));
  EXPECT_EQ(c.time.source, "127.0.0.1:11123");
  EXPECT_EQ(c.time.max_offset, std::chrono::milliseconds(250));
  std::string host;
  unsigned short port = 0;
  ASSERT_TRUE(parse_time_source("gbg1.ntp.se", host, port));
  EXPECT_EQ(host, "gbg1.ntp.se");
  EXPECT_EQ(port, 123);
  for (const char* bad : {"", ":123", "ntp.se:0", "ntp.se:70000", "ntp se", "ntp.se:12x"}) {
    Config d;
    auto s = apply_config_text(d, std::string("time_source: \"") + bad + "\"\n", "f");
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("time_source"), std::string::npos) << s.error().message;
  }
  Config e;
  EXPECT_FALSE(apply_config_text(e, "time_max_offset_ms: 0\n", "f"));
}

TEST(ConfigText, ImportMaxMbSetsTheStreamedImportLimit) {
  Config c;
  EXPECT_EQ(c.import_max_bytes, std::uint64_t{512} << 20);
  EXPECT_EQ(c.max_request_bytes, std::size_t{1} << 20);  // every other body stays at 1 MiB
  ASSERT_TRUE(apply_config_text(c, "import_max_mb: 25\n", "f"));
  EXPECT_EQ(c.import_max_bytes, std::uint64_t{25} << 20);
  for (const char* bad : {"0", "10241", "-1", "big"}) {
    Config d;
    auto s = apply_config_text(d, std::string("import_max_mb: ") + bad + "\n", "f");
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("import_max_mb"), std::string::npos) << s.error().message;
  }
}
