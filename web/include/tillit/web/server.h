// Server is Tillit's HTTPS/1.1 front end: it terminates TLS 1.2/1.3 under the product's
// cipher policy, parses requests, calls one Handler (usually a Router's dispatch), adds the
// security headers to every response, and shuts down gracefully.
//
//   Server server(options, [&router](Request& r) { return router.dispatch(r); });
//   server.start();                  // bind, listen, load the certificate; throws on failure
//   server.handle_signals(log);      // optional: SIGTERM/SIGINT stop, SIGHUP reloads the cert
//   server.run();                    // blocks until stop()
//
// Thread safety: call the constructor, start(), handle_signals() and run() from one thread,
// in that order. stop() and reload_certificate() may be called from any thread, including
// from a handler, once start() has returned. port() may be called from any thread after
// start(). The handler runs concurrently on up to `threads` threads and must be thread-safe;
// a handler that blocks occupies one of them. Handlers of streamed bodies (see
// streamed_body_limit) run on up to `threads` further threads of their own. Destroy the Server only after run() returned
// (or when run() was never called). A Server runs once: it cannot be restarted after stop().
#ifndef TILLIT_WEB_SERVER_H_
#define TILLIT_WEB_SERVER_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tillit/web/http.h"

namespace tillit::web {

// Receives one line of operator-facing text. May be called from any server thread,
// concurrently; it must be thread-safe and should not block for long.
using LogSink = std::function<void(std::string_view message)>;

struct ServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal to listen on
  unsigned short port = 8443;          // 0 picks a free port; see Server::port()
  std::filesystem::path certificate_file;  // PEM chain, leaf first
  std::filesystem::path private_key_file;  // unencrypted PEM key
  unsigned threads = 2;                    // I/O and handler threads; at least 1
  std::size_t max_body_bytes = 1 << 20;    // larger request bodies get 413
  // Which requests have a streamed body, and its limit: called with the request line and
  // header (Request::body empty) before any of the body is read; nullopt means "read the body
  // whole, up to max_body_bytes". Usually Router::streamed_body_limit. Empty: none streams.
  //
  // For a streamed request the handler runs at once (so it can authenticate and authorize
  // before taking a byte of the body) on a separate pool of `threads` threads, pulling the body
  // through Request::body_stream as the client sends it; memory stays at what it asks for. A
  // Content-Length above the limit gets 413 before the handler runs; a chunked body that
  // passes it fails the handler's next read (BodyStream has the rules).
  std::function<std::optional<std::size_t>(const Request& head)> streamed_body_limit;
  // Limit for the TLS handshake, for receiving each request (header and body together), for
  // sending each response, and for an idle keep-alive connection. A streamed body may take
  // longer in all, but each of its reads must make progress within this limit.
  std::chrono::seconds request_timeout{30};
  // After stop(), how long requests already being handled may take before the server drops
  // every connection and run() returns.
  std::chrono::seconds shutdown_timeout{10};
  // Receives handler failures (with the exception text the client never sees), invalid
  // handler responses and accept errors. May be empty.
  LogSink log;
};

class Server {
 public:
  // `errors` builds the bodies of the responses the server produces itself: 400, 413, 431
  // and 500. Throws std::invalid_argument when options.threads is 0, request_timeout is not
  // positive, or the handler is empty.
  Server(ServerOptions options, Handler handler, ErrorResponder errors = json_error);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the certificate and key, binds and listens. Throws std::runtime_error saying what
  // failed (file and OpenSSL reason, or address and system error); std::logic_error when
  // called twice.
  void start();

  // The bound port: options.port, or the one the system picked when that was 0; 0 before
  // start().
  unsigned short port() const;

  // Serves on `threads` new threads and blocks until stop() has taken effect: the listener is
  // closed, idle connections are closed, and requests being received or handled have been
  // answered, or shutdown_timeout passed and the rest were dropped. (A handler still running
  // then delays the return until it returns; it cannot be interrupted.) Throws
  // std::logic_error before start() or on a second call.
  void run();

  // Begins the graceful stop described at run(). Idempotent; never blocks.
  void stop();

  // Reads the certificate and key again from the configured paths and uses them for new
  // connections; established connections keep the old ones. On failure keeps serving with
  // the current pair, stores the reason in *error (when error is not null) and returns false.
  bool reload_certificate(std::string* error);

  // Installs handlers so that SIGTERM or SIGINT call stop() and SIGHUP calls
  // reload_certificate(); `log` (may be empty) hears about each. Once stopping, the signals
  // revert to their default action, so a second SIGINT ends the process at once. Call at
  // most once, before run().
  void handle_signals(LogSink log);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tillit::web

#endif  // TILLIT_WEB_SERVER_H_
