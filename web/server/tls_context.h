// Builds the OpenSSL server context that carries Tillit's TLS policy: TLS 1.2 and 1.3 only,
// ECDHE with AEAD ciphers for TLS 1.2, groups X25519/P-256/P-384, no compression, no
// renegotiation, no session resumption, ALPN limited to http/1.1.
//
// Thread safety: make_server_tls_context may run on any thread; each call builds an
// independent context. Internal to tillit_web_server.
#ifndef TILLIT_WEB_SERVER_TLS_CONTEXT_H_
#define TILLIT_WEB_SERVER_TLS_CONTEXT_H_

#include <openssl/types.h>

#include <filesystem>
#include <memory>

namespace tillit::web::detail {

struct SslCtxFree {
  void operator()(SSL_CTX* context) const noexcept;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Throws std::runtime_error naming the file and OpenSSL's reason when the certificate chain
// or the private key cannot be loaded, or when they do not belong together.
SslCtxPtr make_server_tls_context(const std::filesystem::path& certificate_file,
                                  const std::filesystem::path& private_key_file);

}  // namespace tillit::web::detail

#endif  // TILLIT_WEB_SERVER_TLS_CONTEXT_H_
