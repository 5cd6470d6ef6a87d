// Tests that the server enforces Tillit's TLS policy: protocol versions, TLS 1.2 cipher
// suites, key exchange groups and ALPN. Each refusal is checked against the alert the server
// sent, and next to a control connection that differs only in the offending parameter, so a
// test cannot pass because the client refused to offer something.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tillit/web/server.h"
#include "tls_test_support.h"

namespace tillit::web {
namespace {

using namespace std::chrono_literals;
using testing::ClientOptions;
using testing::KeyKind;
using testing::RunningServer;
using testing::TempDir;
using testing::TlsClient;

class TlsPolicyTest : public ::testing::TestWithParam<KeyKind> {
 protected:
  TlsPolicyTest() {
    write_self_signed(dir_.path() / "server.crt", dir_.path() / "server.key", 7, GetParam());
    ServerOptions options;
    options.port = 0;
    options.certificate_file = dir_.path() / "server.crt";
    options.private_key_file = dir_.path() / "server.key";
    server_ = std::make_unique<RunningServer>(options,
                                              [](Request&) { return Response::text(200, "ok"); });
  }

  unsigned short port() const { return server_->port(); }
  // The ECDHE + AEAD TLS 1.2 suite matching the certificate's key type.
  std::string allowed_tls12_cipher() const {
    return GetParam() == KeyKind::kEcP256 ? "ECDHE-ECDSA-AES128-GCM-SHA256"
                                          : "ECDHE-RSA-AES128-GCM-SHA256";
  }

  TempDir dir_;
  std::unique_ptr<RunningServer> server_;
};

TEST_P(TlsPolicyTest, RefusesTls11AndBelow) {
  ClientOptions legacy;
  legacy.offer_legacy = true;
  legacy.min_version = TLS1_VERSION;
  legacy.max_version = TLS1_1_VERSION;
  TlsClient old_client(port(), legacy);
  EXPECT_FALSE(old_client.connected());
  EXPECT_EQ(old_client.failure_reason(), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
      << old_client.failure();

  legacy.max_version = TLS1_2_VERSION;  // control: the same client may use TLS 1.2
  TlsClient control(port(), legacy);
  ASSERT_TRUE(control.connected()) << control.failure();
  EXPECT_EQ(control.version(), TLS1_2_VERSION);
}

TEST_P(TlsPolicyTest, RefusesTls12SuitesWithoutEcdheOrAead) {
  const bool ecdsa = GetParam() == KeyKind::kEcP256;
  const std::vector<std::string> refused =
      ecdsa ? std::vector<std::string>{"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384",
                                       "ECDHE-ECDSA-AES128-SHA256"}
            : std::vector<std::string>{"AES256-SHA", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA",
                                       "ECDHE-RSA-AES256-SHA384", "DHE-RSA-AES256-GCM-SHA384"};
  for (const std::string& cipher : refused) {
    ClientOptions weak;
    weak.offer_legacy = true;
    weak.max_version = TLS1_2_VERSION;
    weak.tls12_ciphers = cipher;
    TlsClient client(port(), weak);
    EXPECT_FALSE(client.connected()) << cipher << " was accepted";
    EXPECT_EQ(client.failure_reason(), SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)
        << cipher << ": " << client.failure();
  }

  ClientOptions control;
  control.offer_legacy = true;
  control.max_version = TLS1_2_VERSION;
  control.tls12_ciphers = allowed_tls12_cipher();
  TlsClient client(port(), control);
  ASSERT_TRUE(client.connected()) << client.failure();
  EXPECT_EQ(client.cipher(), allowed_tls12_cipher());
}

TEST_P(TlsPolicyTest, AcceptsEveryPolicySuite) {
  const std::string family = GetParam() == KeyKind::kEcP256 ? "ECDSA" : "RSA";
  for (const char* bulk : {"AES256-GCM-SHA384", "CHACHA20-POLY1305", "AES128-GCM-SHA256"}) {
    ClientOptions tls12;
    tls12.max_version = TLS1_2_VERSION;
    tls12.tls12_ciphers = "ECDHE-" + family + "-" + bulk;
    TlsClient client(port(), tls12);
    EXPECT_TRUE(client.connected()) << tls12.tls12_ciphers << ": " << client.failure();
  }
}

TEST_P(TlsPolicyTest, ServerOrderDecidesTheTls12Suite) {
  const std::string family = GetParam() == KeyKind::kEcP256 ? "ECDSA" : "RSA";
  ClientOptions reversed;
  reversed.max_version = TLS1_2_VERSION;
  reversed.tls12_ciphers = "ECDHE-" + family + "-AES128-GCM-SHA256:ECDHE-" + family +
                           "-CHACHA20-POLY1305:ECDHE-" + family + "-AES256-GCM-SHA384";
  TlsClient client(port(), reversed);
  ASSERT_TRUE(client.connected()) << client.failure();
  EXPECT_EQ(client.cipher(), "ECDHE-" + family + "-AES256-GCM-SHA384");
}

TEST_P(TlsPolicyTest, KeyExchangeGroupsAreRestricted) {
  // In TLS 1.2 the client's groups also name the curves it accepts for an ECDSA certificate,
  // so with the P-256 certificate the groups are tested under TLS 1.3 alone.
  std::vector<int> versions = {TLS1_3_VERSION};
  if (GetParam() == KeyKind::kRsa2048) versions.push_back(TLS1_2_VERSION);
  const std::pair<const char*, int> allowed_groups[] = {
      {"X25519", NID_X25519}, {"P-256", NID_X9_62_prime256v1}, {"P-384", NID_secp384r1}};
  for (const auto& [group, nid] : allowed_groups) {
    for (int version : versions) {
      ClientOptions allowed;
      allowed.groups = group;
      allowed.min_version = allowed.max_version = version;
      TlsClient client(port(), allowed);
      ASSERT_TRUE(client.connected()) << group << ": " << client.failure();
      EXPECT_EQ(client.negotiated_group(), nid) << group;
    }
  }
  for (const char* group : {"P-521", "X448", "ffdhe2048"}) {
    for (int version : versions) {
      ClientOptions refused;
      refused.groups = group;
      refused.min_version = refused.max_version = version;
      TlsClient client(port(), refused);
      EXPECT_FALSE(client.connected()) << group << " was accepted";
      EXPECT_EQ(client.failure_reason(), SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)
          << group << ": " << client.failure();
    }
  }
}

TEST_P(TlsPolicyTest, AlpnSelectsHttp11OrRefuses) {
  ClientOptions browser;
  browser.alpn = {"h2", "http/1.1"};
  TlsClient accepted(port(), browser);
  ASSERT_TRUE(accepted.connected()) << accepted.failure();
  EXPECT_EQ(accepted.alpn(), "http/1.1");

  ClientOptions other_protocol;
  other_protocol.alpn = {"h2", "imap"};
  TlsClient refused(port(), other_protocol);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(refused.failure_reason(), SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL)
      << refused.failure();

  TlsClient no_alpn(port());
  ASSERT_TRUE(no_alpn.connected()) << no_alpn.failure();
  EXPECT_EQ(no_alpn.alpn(), "");
}

INSTANTIATE_TEST_SUITE_P(EcdsaAndRsa, TlsPolicyTest,
                         ::testing::Values(KeyKind::kEcP256, KeyKind::kRsa2048),
                         [](const ::testing::TestParamInfo<KeyKind>& info) {
                           return info.param == KeyKind::kEcP256 ? std::string("EcP256")
                                                                 : std::string("Rsa2048");
                         });

}  // namespace
}  // namespace tillit::web
