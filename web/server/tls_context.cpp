// TLS policy for the web server (see tls_context.hpp). OpenSSL only, no Boost.

#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace tillit::web::detail {
namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
constexpr const char* kTls13Suites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
constexpr std::string_view kHttp11 = "http/1.1";

// Drains OpenSSL's error queue for this thread into one line.
std::string openssl_errors() {
  std::string reasons;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!reasons.empty()) reasons += "; ";
    reasons += text;
  }
  return reasons.empty() ? "no OpenSSL error reported" : reasons;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("TLS: " + what + ": " + openssl_errors());
}

// Keys must be unencrypted: without this, OpenSSL would prompt on the terminal.
int refuse_passphrase(char*, int, int, void*) { return 0; }

// Selects http/1.1 when the client offers it and refuses the handshake when it offers only
// other protocols, so a TLS connection meant for another service cannot be redirected here
// (ALPACA). Clients that send no ALPN extension are not affected.
int select_http11(SSL*, const unsigned char** selected, unsigned char* selected_length,
                  const unsigned char* offered, unsigned int offered_length, void*) {
  unsigned int i = 0;
  while (i < offered_length) {
    const unsigned int length = offered[i];
    if (i + 1 + length > offered_length) break;
    const std::string_view protocol(reinterpret_cast<const char*>(offered + i + 1), length);
    if (protocol == kHttp11) {
      *selected = offered + i + 1;
      *selected_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace

void SslCtxFree::operator()(SSL_CTX* context) const noexcept { SSL_CTX_free(context); }

SslCtxPtr make_server_tls_context(const std::filesystem::path& certificate_file,
                                  const std::filesystem::path& private_key_file) {
  ERR_clear_error();
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) fail("cannot create a TLS context");
  SSL_CTX* ctx = context.get();

  SSL_CTX_set_security_level(ctx, 2);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    fail("cannot restrict protocol versions");
  }
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) fail("cannot set TLS 1.2 ciphers");
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) fail("cannot set TLS 1.3 suites");
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) fail("cannot set key exchange groups");
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_default_passwd_cb(ctx, refuse_passphrase);
  SSL_CTX_set_alpn_select_cb(ctx, select_http11, nullptr);

  const std::string certificate = certificate_file.string();
  const std::string key = private_key_file.string();
  if (SSL_CTX_use_certificate_chain_file(ctx, certificate.c_str()) != 1) {
    fail("cannot load certificate chain '" + certificate + "'");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load private key '" + key + "'");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    fail("private key '" + key + "' does not match certificate '" + certificate + "'");
  }
  return context;
}

}  // namespace tillit::web::detail
