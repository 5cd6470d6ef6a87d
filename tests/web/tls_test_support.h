// Test helpers for the web server: throwaway self-signed certificates, a blocking OpenSSL
// TLS client that speaks just enough HTTP/1.1, a server running on a background thread, and
// a thread-safe log collector.
//
// Thread safety: TlsClient is for one thread. LogCollector may be written from any thread.
#ifndef TILLIT_TESTS_WEB_TLS_TEST_SUPPORT_H_
#define TILLIT_TESTS_WEB_TLS_TEST_SUPPORT_H_

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tillit/web/server.h"

namespace tillit::web::testing {

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

enum class KeyKind { kEcP256, kRsa2048 };

// Writes a self-signed certificate for CN=localhost with `serial` and its unencrypted key as
// PEM. Replaces existing files atomically (write then rename), as an operator would.
void write_self_signed(const std::filesystem::path& certificate_file,
                       const std::filesystem::path& private_key_file, long serial,
                       KeyKind kind = KeyKind::kEcP256);

struct ClientOptions {
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string tls12_ciphers;  // empty: OpenSSL's default list
  std::string groups;         // empty: OpenSSL's default groups
  std::vector<std::string> alpn;
  // Security level 0, so that the client really offers obsolete protocols and ciphers and a
  // failed handshake is the server's refusal, not the client's.
  bool offer_legacy = false;
};

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const;
  std::size_t header_count(std::string_view name) const;
};

// Connects to 127.0.0.1:port and performs the TLS handshake in the constructor.
class TlsClient {
 public:
  explicit TlsClient(unsigned short port, const ClientOptions& options = {});
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool connected() const { return connected_; }
  // After a failed handshake: OpenSSL's reason code (e.g. SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
  // and text.
  int failure_reason() const { return failure_reason_; }
  const std::string& failure() const { return failure_; }

  int version() const;
  std::string cipher() const;
  std::string alpn() const;
  long peer_serial() const;
  int negotiated_group() const;  // NID of the key exchange group

  bool send(std::string_view bytes);
  // Reads one response. `head_request`: the response has no body whatever Content-Length says.
  std::optional<HttpReply> read_reply(bool head_request = false);
  // Sends `request`, reads the reply.
  std::optional<HttpReply> exchange(std::string_view request, bool head_request = false);
  // Whether the server closes the connection (or sends close_notify) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  bool fill_buffer();
  void set_receive_timeout(std::chrono::milliseconds timeout);

  // Members own their resource, so a constructor that throws releases what it acquired.
  struct Socket {
    ~Socket();
    int fd = -1;
  };
  struct SslCtxFree {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  };
  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  Socket socket_;
  std::unique_ptr<SSL_CTX, SslCtxFree> context_;
  std::unique_ptr<SSL, SslFree> ssl_;  // uses socket_.fd: declared after it, so freed first
  bool connected_ = false;
  int failure_reason_ = 0;
  std::string failure_;
  std::string buffer_;
};

// Opens a plain TCP connection to 127.0.0.1:port, sends `bytes` and returns what comes back
// until the server closes (at most a few seconds).
std::string plain_tcp_exchange(unsigned short port, std::string_view bytes);

// "GET /path HTTP/1.1" with Host and, when given, extra header lines and a body.
std::string http_request(std::string_view method, std::string_view target,
                         std::string_view body = {}, std::string_view extra_headers = {});

class LogCollector {
 public:
  LogSink sink();
  bool contains(std::string_view text) const;
  bool wait_for(std::string_view text, std::chrono::milliseconds timeout) const;
  std::string all() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Starts `server` and runs it on a background thread; stops and joins on destruction.
class RunningServer {
 public:
  RunningServer(ServerOptions options, Handler handler);
  ~RunningServer();
  Server& server() { return server_; }
  unsigned short port() const { return server_.port(); }
  bool run_returned() const { return run_returned_; }
  // Calls stop() and waits (at most `limit`) for run() to return; returns the time it took,
  // or nullopt if run() was still running at `limit`.
  std::optional<std::chrono::milliseconds> stop_and_wait(std::chrono::milliseconds limit);

 private:
  Server server_;
  std::atomic<bool> run_returned_{false};
  std::thread runner_;
};

}  // namespace tillit::web::testing

#endif  // TILLIT_TESTS_WEB_TLS_TEST_SUPPORT_H_
