// The Beast/Asio half of Server: the accept loop, one coroutine per TLS connection, graceful
// stop, certificate reload and signal handling. This is the only translation unit that
// includes Beast and Asio, which keeps the rest of the build fast.
//
// Threading: `threads` workers run one io_context. Each connection's coroutine, and any
// operation on that connection, runs on the connection's own strand. Handlers of streamed
// bodies run on a separate pool (streamed_handlers_): they block while pulling the body, and
// the bytes they wait for need the I/O threads, so they must not occupy one. The acceptor, the
// accept retry timer and the signal set are touched only on the `control_` strand (or by the
// controlling thread before run()). The connection registry is guarded by registry_mutex_,
// the current TLS context by tls_mutex_; stopping_ and port_ are atomics.

#include "tillit/web/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tls_context.h"

namespace tillit::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Completion token: co_await yields (error_code, results...) instead of throwing.
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Sent on every response, replacing any value a handler set.
constexpr std::pair<std::string_view, std::string_view> kSecurityHeaders[] = {
    {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
};

// Headers that frame the message on the connection; only the server may set them.
constexpr std::string_view kFramingHeaders[] = {
    "Connection", "Content-Length", "Keep-Alive", "Trailer", "Transfer-Encoding", "Upgrade",
};

// How long to wait for the client's close_notify after sending ours.
constexpr auto kCloseNotifyTimeout = std::chrono::seconds(1);
// How much of a streamed body the handler left unread is read and dropped before closing.
constexpr std::size_t kDiscardBudget = 4 << 20;
// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool alphanumeric =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alphanumeric && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool is_field_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// `text` with control characters replaced, safe to put in a log line.
std::string printable(std::string_view text) {
  std::string safe(text);
  for (char& c : safe) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return safe;
}

// Why the server must not send `response`, if it must not.
std::optional<std::string> response_problem(const Response& response) {
  if (response.status < 200 || response.status > 599) {
    return "status " + std::to_string(response.status) + " is outside 200-599";
  }
  if ((response.status == 204 || response.status == 304) && !response.body.empty()) {
    return "status " + std::to_string(response.status) + " must not have a body";
  }
  if (!is_field_value(response.content_type)) return "content type contains CR, LF or NUL";
  for (const auto& [name, value] : response.headers) {
    if (!is_token(name)) return "header name '" + printable(name) + "' is not an HTTP token";
    if (!is_field_value(value)) return "value of header '" + name + "' contains CR, LF or NUL";
    for (std::string_view framing : kFramingHeaders) {
      if (iequals(name, framing)) return "header '" + name + "' is set by the server only";
    }
  }
  return std::nullopt;
}

std::string describe(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
         std::to_string(endpoint.port());
}

// Whether `error` means the client sent something that is not HTTP (rather than that the
// connection ended or timed out).
bool is_parse_error(const error_code& error) {
  return &error.category() == &http::make_error_code(http::error::bad_method).category() &&
         error != http::error::end_of_stream && error != http::error::partial_message &&
         error != http::error::need_buffer;
}

// Status, code and message for a request that could not be read, or nullopt when the
// connection should simply be closed (timeout, reset, client gone).
struct Rejection {
  int status;
  std::string_view code;
  std::string_view message;
};
std::optional<Rejection> rejection_for(const error_code& error) {
  if (error == http::error::body_limit) {
    return Rejection{413, "payload_too_large", "request body too large"};
  }
  if (error == http::error::header_limit) {
    return Rejection{431, "header_too_large", "request header too large"};
  }
  if (is_parse_error(error)) return Rejection{400, "bad_request", "malformed request"};
  return std::nullopt;
}

// The request line and header fields of `header`; the body is added later (or streamed).
std::optional<Request> to_request(const http::request_header<>& header,
                                  const std::string& client_address) {
  Request request;
  request.method = std::string(header.method_string());
  request.target = std::string(header.target());
  if (request.target.empty() || request.target.front() != '/') return std::nullopt;
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) {
    auto query = parse_urlencoded(std::string_view(request.target).substr(question + 1));
    if (!query) return std::nullopt;
    request.query = std::move(*query);
  }
  for (const auto& field : header) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.client_address = client_address;
  return request;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler handler, ErrorResponder errors);

  void start();
  unsigned short port() const { return port_.load(); }
  void run();
  void stop();
  bool reload_certificate(std::string* error);
  void handle_signals(LogSink log);

 private:
  struct Connection {
    Connection(Impl& server, tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
               std::string client_address)
        : server(server),
          tls(std::move(tls)),
          stream(std::move(socket), *this->tls),
          client_address(std::move(client_address)) {}
    ~Connection() { server.forget(this); }

    Impl& server;
    std::shared_ptr<asio::ssl::context> tls;  // the context this connection was accepted with
    asio::ssl::stream<beast::tcp_stream> stream;
    std::string client_address;
    // On the connection's strand only: true while no request is being received or handled,
    // which is when stop() may close the connection.
    bool awaiting_request = true;
  };
  using ResponseMessage = http::response<http::string_body>;
  using HeadParser = http::request_parser<http::empty_body>;

  // A streamed body on its way from the connection to the handler. Touched on the
  // connection's strand only (by read_body_chunk), while the handler waits for it.
  struct StreamedBody {
    StreamedBody(HeadParser&& head, std::size_t limit) : parser(std::move(head)), limit(limit) {}
    http::request_parser<http::buffer_body> parser;
    std::size_t limit;
    std::size_t received = 0;
    bool expect_continue = false;  // "100 Continue" is still owed before the first read
    bool done = false;             // the whole body arrived
    BodyError error = BodyError::none;
  };
  class SocketBodyStream;

  std::shared_ptr<asio::ssl::context> load_tls_context() const;
  std::shared_ptr<asio::ssl::context> current_tls_context() const;

  asio::awaitable<void> accept_connections();
  asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
  // Sends the server's own error answer (with "Connection: close") and closes the connection.
  asio::awaitable<void> reject(Connection& connection, const Rejection& rejection, unsigned version);
  // Runs the handler of a streamed-body route; returns whether the connection may carry
  // another request.
  asio::awaitable<bool> serve_streamed(std::shared_ptr<Connection> connection, beast::flat_buffer& buffer,
                                       HeadParser&& head, Request request, std::size_t limit);
  // Up to `capacity` bytes of the body into `out` (on the connection's strand).
  asio::awaitable<BodyChunk> read_body_chunk(Connection& connection, beast::flat_buffer& buffer,
                                             StreamedBody& body, char* out, std::size_t capacity);
  // Reads and drops what is left of a body the handler did not take, briefly, so that closing
  // the connection does not reset it before the client has read the answer.
  asio::awaitable<void> discard_body(Connection& connection, beast::flat_buffer& buffer, StreamedBody& body);
  asio::awaitable<void> watch_signals(LogSink log);
  // co_spawn completion that logs an escaped exception; stops the server when `fatal`.
  std::function<void(std::exception_ptr)> report_failure(std::string task, bool fatal);

  void begin_shutdown();
  // Closes every connection's socket now, so that handlers pulling a streamed body stop waiting.
  void abort_connections();
  void remember(const std::shared_ptr<Connection>& connection);
  void forget(const Connection* connection);

  // The reply to `request` (nullopt: its target was malformed), keeping the connection alive
  // if the client wants to.
  ResponseMessage respond(std::optional<Request>& request, const http::request<http::string_body>& message);
  Response call_handler(Request& request);
  Response error_response(int status, std::string_view code, std::string_view message) const;
  ResponseMessage to_message(Response&& response, unsigned version, bool keep_alive,
                             bool head_request) const;
  void log(std::string_view message) const noexcept;

  const ServerOptions options_;
  const Handler handler_;
  const ErrorResponder errors_;

  std::atomic<bool> stopping_{false};
  std::atomic<unsigned short> port_{0};
  bool started_ = false;  // controlling thread only
  bool ran_ = false;      // controlling thread only

  mutable std::mutex tls_mutex_;
  std::shared_ptr<asio::ssl::context> tls_context_;  // for new connections

  // Declared before io_: Connection destructors, which may run while io_ is destroyed,
  // use them.
  std::mutex registry_mutex_;
  std::condition_variable registry_changed_;  // stop requested, or connections_ shrank
  // Connections that may still be receiving, handling or answering a request: what stop()
  // waits for.
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;

  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::optional<asio::signal_set> signals_;
  // Declared after io_, so destroyed (stopped and joined) before it: a handler here may still
  // refer to its connection's coroutine, which io_ owns.
  asio::thread_pool streamed_handlers_;
};

// Request::body_stream for a streamed route: each read runs read_body_chunk on the
// connection's strand and waits for it on the handler's thread.
class Server::Impl::SocketBodyStream final : public BodyStream {
 public:
  SocketBodyStream(Impl& server, Connection& connection, beast::flat_buffer& buffer, StreamedBody& body)
      : server_(server), connection_(connection), buffer_(buffer), body_(body),
        content_length_(body.parser.content_length()) {}

  BodyChunk read(char* out, std::size_t capacity) override {
    if (capacity == 0) return {0, BodyError::none};
    try {
      return asio::co_spawn(connection_.stream.get_executor(),
                            server_.read_body_chunk(connection_, buffer_, body_, out, capacity), asio::use_future)
          .get();
    } catch (const std::exception& failure) {
      server_.log(std::string("web server: reading a streamed body failed: ") + failure.what());
      return {0, BodyError::broken_off};
    }
  }
  std::size_t limit() const override { return body_.limit; }
  std::optional<std::size_t> content_length() const override {
    if (!content_length_) return std::nullopt;
    return static_cast<std::size_t>(*content_length_);
  }

 private:
  Impl& server_;
  Connection& connection_;
  beast::flat_buffer& buffer_;
  StreamedBody& body_;
  boost::optional<std::uint64_t> content_length_;
};

Server::Impl::Impl(ServerOptions options, Handler handler, ErrorResponder errors)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      errors_(errors ? std::move(errors) : ErrorResponder(json_error)),
      io_(static_cast<int>(options_.threads)),
      control_(asio::make_strand(io_)),
      acceptor_(control_),
      accept_retry_timer_(control_),
      streamed_handlers_(options_.threads == 0 ? 1 : options_.threads) {
  if (options_.threads == 0) throw std::invalid_argument("Server: threads must be at least 1");
  if (options_.request_timeout.count() <= 0) {
    throw std::invalid_argument("Server: request_timeout must be positive");
  }
  if (options_.shutdown_timeout.count() < 0) {
    throw std::invalid_argument("Server: shutdown_timeout must not be negative");
  }
  if (!handler_) throw std::invalid_argument("Server: empty handler");
}

std::shared_ptr<asio::ssl::context> Server::Impl::load_tls_context() const {
  auto native = detail::make_server_tls_context(options_.certificate_file,
                                                options_.private_key_file);
  auto context = std::make_shared<asio::ssl::context>(native.get());
  native.release();  // now owned by `context`
  return context;
}

std::shared_ptr<asio::ssl::context> Server::Impl::current_tls_context() const {
  std::lock_guard lock(tls_mutex_);
  return tls_context_;
}

void Server::Impl::start() {
  if (started_) throw std::logic_error("Server::start called twice");
  auto tls = load_tls_context();

  error_code error;
  const auto address = asio::ip::make_address(options_.address, error);
  if (error) {
    throw std::runtime_error("web server: invalid listen address '" + options_.address + "'");
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    error_code ignored;
    acceptor_.close(ignored);
    throw std::runtime_error("web server: cannot listen on " + describe(endpoint) + ": " +
                             error.message());
  }
  port_ = acceptor_.local_endpoint().port();
  {
    std::lock_guard lock(tls_mutex_);
    tls_context_ = std::move(tls);
  }
  started_ = true;
  asio::co_spawn(control_, accept_connections(), report_failure("accept loop", true));
}

void Server::Impl::run() {
  if (!started_) throw std::logic_error("Server::run called before start");
  if (ran_) throw std::logic_error("Server::run called twice");
  ran_ = true;

  std::vector<std::thread> workers;
  try {
    for (unsigned i = 0; i < options_.threads; ++i) workers.emplace_back([this] { io_.run(); });
  } catch (...) {
    io_.stop();
    for (auto& worker : workers) worker.join();
    throw;
  }

  bool drained = false;
  std::size_t remaining = 0;
  {
    std::unique_lock lock(registry_mutex_);
    registry_changed_.wait(lock, [this] { return stopping_.load(); });
    drained = registry_changed_.wait_for(lock, options_.shutdown_timeout,
                                         [this] { return connections_.empty(); });
    remaining = connections_.size();
  }
  if (!drained) {
    log("web server: shutdown timeout passed; dropping " + std::to_string(remaining) +
        " connection(s)");
    // A handler pulling a streamed body waits on I/O threads: end its reads while they run.
    abort_connections();
  }
  streamed_handlers_.join();
  // What is left are connections in their closing handshake and, after a timeout, requests
  // that took too long; their sockets close when io_ is destroyed.
  io_.stop();
  for (auto& worker : workers) worker.join();
}

void Server::Impl::stop() {
  if (stopping_.exchange(true)) return;
  { std::lock_guard lock(registry_mutex_); }  // so run() cannot miss the notification
  registry_changed_.notify_all();
  asio::post(control_, [this] { begin_shutdown(); });
}

void Server::Impl::begin_shutdown() {
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  if (signals_) {
    signals_->cancel(ignored);
    signals_->clear(ignored);
  }
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(registry_mutex_);
    for (const auto& [key, connection] : connections_) {
      if (auto alive = connection.lock()) open.push_back(std::move(alive));
    }
  }
  // Idle connections are closed now; the others close after their current response,
  // because serve() checks stopping_ before reading the next request.
  for (auto& connection : open) {
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->awaiting_request) beast::get_lowest_layer(connection->stream).cancel();
    });
  }
}

void Server::Impl::abort_connections() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(registry_mutex_);
    for (const auto& [key, connection] : connections_) {
      if (auto alive = connection.lock()) open.push_back(std::move(alive));
    }
  }
  for (auto& connection : open) {
    asio::post(connection->stream.get_executor(),
               [connection] { beast::get_lowest_layer(connection->stream).close(); });
  }
}

void Server::Impl::remember(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(registry_mutex_);
  connections_.emplace(connection.get(), connection);
}

void Server::Impl::forget(const Connection* connection) {
  bool now_empty = false;
  {
    std::lock_guard lock(registry_mutex_);
    connections_.erase(connection);
    now_empty = connections_.empty();
  }
  if (now_empty) registry_changed_.notify_all();
}

bool Server::Impl::reload_certificate(std::string* error) {
  try {
    auto context = load_tls_context();
    std::lock_guard lock(tls_mutex_);
    tls_context_.swap(context);
  } catch (const std::exception& failure) {
    if (error != nullptr) *error = failure.what();
    return false;
  }
  return true;
}

void Server::Impl::handle_signals(LogSink log) {
  if (signals_) throw std::logic_error("Server::handle_signals called twice");
  // Registered now, so a signal that arrives before run() is queued, not fatal.
  signals_.emplace(control_, SIGINT, SIGTERM, SIGHUP);
  asio::co_spawn(control_, watch_signals(std::move(log)), report_failure("signal handling", false));
}

asio::awaitable<void> Server::Impl::watch_signals(LogSink log) {
  const auto say = [&log](std::string_view message) {
    if (log) log(message);
  };
  for (;;) {
    auto [error, signal_number] = co_await signals_->async_wait(kAwait);
    if (error || stopping_) co_return;
    if (signal_number == SIGHUP) {
      std::string reason;
      if (reload_certificate(&reason)) {
        say("SIGHUP: TLS certificate reloaded");
      } else {
        say("SIGHUP: TLS certificate reload failed, still serving the previous one: " + reason);
      }
    } else {
      say(signal_number == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
      stop();
      co_return;
    }
  }
}

std::function<void(std::exception_ptr)> Server::Impl::report_failure(std::string task,
                                                                     bool fatal) {
  return [this, task = std::move(task), fatal](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& exception) {
      log("web server: " + task + " failed: " + exception.what());
    } catch (...) {
      log("web server: " + task + " failed with a non-standard exception");
    }
    if (fatal) stop();
  };
}

asio::awaitable<void> Server::Impl::accept_connections() {
  while (!stopping_) {
    auto [error, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kAwait);
    if (stopping_) co_return;
    if (error) {
      if (error == asio::error::connection_aborted) continue;
      log("web server: accept failed: " + error.message());
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      co_await accept_retry_timer_.async_wait(kAwait);
      continue;
    }
    error_code ignored;
    const auto peer = socket.remote_endpoint(ignored);
    if (ignored) continue;  // the client is already gone
    socket.set_option(tcp::no_delay(true), ignored);
    auto connection = std::make_shared<Connection>(*this, std::move(socket), current_tls_context(),
                                                   peer.address().to_string());
    remember(connection);
    auto executor = connection->stream.get_executor();
    asio::co_spawn(executor, serve(std::move(connection)), report_failure("connection", false));
  }
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> connection) {
  auto& stream = connection->stream;
  auto& socket = beast::get_lowest_layer(stream);

  socket.expires_after(options_.request_timeout);
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwait);
  if (handshake_error) co_return;

  beast::flat_buffer buffer;
  for (;;) {
    connection->awaiting_request = true;
    if (stopping_) break;
    socket.expires_after(options_.request_timeout);
    HeadParser head;
    head.body_limit(boost::none);  // the limit depends on the route, known once the header is
    auto [error, header_bytes] = co_await http::async_read_header(stream, buffer, head, kAwait);
    connection->awaiting_request = false;
    if (error == http::error::end_of_stream) break;
    if (error) {
      if (const auto rejection = rejection_for(error)) co_await reject(*connection, *rejection, 11);
      co_return;
    }

    const unsigned version = head.get().version();
    auto request = to_request(head.get(), connection->client_address);
    std::optional<std::size_t> streamed_limit;
    if (request && options_.streamed_body_limit) {
      try {
        streamed_limit = options_.streamed_body_limit(*request);
      } catch (const std::exception& failure) {
        log("web server: streamed_body_limit threw: " + printable(failure.what()));
      }
    }
    const std::size_t limit = streamed_limit.value_or(options_.max_body_bytes);
    if (const auto announced = head.content_length(); announced && *announced > limit) {
      co_await reject(*connection, Rejection{413, "payload_too_large", "request body too large"}, version);
      co_return;
    }
    if (streamed_limit) {
      const bool again = co_await serve_streamed(connection, buffer, std::move(head), std::move(*request), limit);
      if (!again) break;
      continue;
    }

    http::request_parser<http::string_body> parser(std::move(head));
    parser.body_limit(options_.max_body_bytes);
    if (!parser.is_done()) {
      const auto& header = parser.get();
      if (header.version() >= 11 && beast::iequals(header[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_ahead{http::status::continue_, header.version()};
        std::tie(error, std::ignore) = co_await http::async_write(stream, go_ahead, kAwait);
        if (error) co_return;
      }
      std::tie(error, std::ignore) = co_await http::async_read(stream, buffer, parser, kAwait);
    }
    if (error) {
      if (const auto rejection = rejection_for(error)) co_await reject(*connection, *rejection, version);
      co_return;
    }

    if (request) request->body = std::move(parser.get().body());
    auto reply = respond(request, parser.get());
    // Decided after the handler ran, so a stop() meanwhile makes this the last response.
    const bool keep_alive = reply.keep_alive() && !stopping_;
    reply.keep_alive(keep_alive);
    socket.expires_after(options_.request_timeout);
    std::tie(error, std::ignore) = co_await http::async_write(stream, reply, kAwait);
    if (error) co_return;
    if (!keep_alive) break;
  }
  // Nothing more for this connection to do that stop() should wait for.
  forget(connection.get());
  socket.expires_after(kCloseNotifyTimeout);
  co_await stream.async_shutdown(kAwait);
}

asio::awaitable<void> Server::Impl::reject(Connection& connection, const Rejection& rejection,
                                           unsigned version) {
  auto reply = to_message(error_response(rejection.status, rejection.code, rejection.message),
                          version, false, false);
  auto& socket = beast::get_lowest_layer(connection.stream);
  socket.expires_after(options_.request_timeout);
  auto [error, written] = co_await http::async_write(connection.stream, reply, kAwait);
  if (error) co_return;
  forget(&connection);
  socket.expires_after(kCloseNotifyTimeout);
  co_await connection.stream.async_shutdown(kAwait);
}

asio::awaitable<bool> Server::Impl::serve_streamed(std::shared_ptr<Connection> connection,
                                                   beast::flat_buffer& buffer, HeadParser&& head,
                                                   Request request, std::size_t limit) {
  const http::request_header<> header = head.get();  // a copy: the parser below takes the original
  const bool client_keeps_alive = head.keep_alive();
  StreamedBody body(std::move(head), limit);
  body.parser.body_limit(boost::none);  // counted by read_body_chunk, which knows the route's limit
  body.done = body.parser.is_done();
  body.expect_continue = !body.done && header.version() >= 11 &&
                         beast::iequals(header[http::field::expect], "100-continue");
  SocketBodyStream stream(*this, *connection, buffer, body);
  request.body_stream = &stream;

  // The handler runs on the pool, so its blocking reads leave the I/O threads free to fetch
  // the bytes it waits for; this coroutine resumes on the connection's strand when it returns.
  Response response = co_await asio::co_spawn(
      streamed_handlers_, [this, &request]() -> asio::awaitable<Response> { co_return call_handler(request); },
      asio::use_awaitable);

  if (body.error == BodyError::broken_off) co_return false;
  if (body.error == BodyError::too_large) {
    response = error_response(413, "payload_too_large", "request body too large");
  } else if (body.error == BodyError::malformed) {
    response = error_response(400, "bad_request", "malformed request");
  }
  const bool whole_body_read = body.done && body.error == BodyError::none;
  const bool keep_alive = whole_body_read && client_keeps_alive && !stopping_;
  auto reply = to_message(std::move(response), header.version(), keep_alive,
                          header.method() == http::verb::head);
  auto& socket = beast::get_lowest_layer(connection->stream);
  socket.expires_after(options_.request_timeout);
  auto [error, written] = co_await http::async_write(connection->stream, reply, kAwait);
  if (error) co_return false;
  // A client still waiting for "100 Continue" sends nothing more; any other may be mid-body.
  if (!whole_body_read && !body.expect_continue && body.error != BodyError::malformed) {
    co_await discard_body(*connection, buffer, body);
  }
  co_return keep_alive;
}

asio::awaitable<BodyChunk> Server::Impl::read_body_chunk(Connection& connection, beast::flat_buffer& buffer,
                                                         StreamedBody& body, char* out, std::size_t capacity) {
  if (body.error != BodyError::none) co_return BodyChunk{0, body.error};
  if (body.done) co_return BodyChunk{0, BodyError::none};
  auto& socket = beast::get_lowest_layer(connection.stream);
  if (body.expect_continue) {
    body.expect_continue = false;
    http::response<http::empty_body> go_ahead{http::status::continue_, body.parser.get().version()};
    socket.expires_after(options_.request_timeout);
    auto [error, written] = co_await http::async_write(connection.stream, go_ahead, kAwait);
    if (error) {
      body.error = BodyError::broken_off;
      co_return BodyChunk{0, body.error};
    }
  }
  // Every byte up to the limit is handed over; then one byte more tells that the body is too long.
  const std::size_t allowed = body.limit - body.received;
  capacity = std::min(capacity, allowed > 0 ? allowed : 1);
  // Fill `out` (one TLS record is at most 16 KiB): each read costs the handler a round trip
  // between threads, so fewer, fuller reads are much faster.
  auto& slot = body.parser.get().body();
  std::size_t filled = 0;
  while (filled < capacity && !body.done) {
    slot.data = out + filled;
    slot.size = capacity - filled;
    slot.more = true;
    socket.expires_after(options_.request_timeout);
    auto [error, transferred] = co_await http::async_read_some(connection.stream, buffer, body.parser, kAwait);
    if (error == http::error::need_buffer) error = {};  // `out` is full: that is the point
    if (error) {
      body.error = is_parse_error(error) ? BodyError::malformed : BodyError::broken_off;
      co_return BodyChunk{0, body.error};
    }
    filled = capacity - slot.size;
    body.done = body.parser.is_done();
  }
  body.received += filled;
  if (body.received > body.limit) {
    body.error = BodyError::too_large;
    co_return BodyChunk{0, body.error};
  }
  co_return BodyChunk{filled, BodyError::none};
}

asio::awaitable<void> Server::Impl::discard_body(Connection& connection, beast::flat_buffer& buffer,
                                                 StreamedBody& body) {
  // Bounded, so a client cannot keep a connection busy by sending on and on.
  std::size_t budget = kDiscardBudget;
  std::array<char, 16 * 1024> scratch;
  auto& socket = beast::get_lowest_layer(connection.stream);
  while (budget > 0 && !body.parser.is_done()) {
    auto& slot = body.parser.get().body();
    slot.data = scratch.data();
    slot.size = std::min(scratch.size(), budget);
    slot.more = true;
    const std::size_t offered = slot.size;
    socket.expires_after(kCloseNotifyTimeout);
    auto [error, transferred] = co_await http::async_read_some(connection.stream, buffer, body.parser, kAwait);
    if (error && error != http::error::need_buffer) co_return;
    budget -= offered - slot.size;
    if (offered == slot.size && transferred == 0) co_return;
  }
}

Server::Impl::ResponseMessage Server::Impl::respond(std::optional<Request>& request,
                                                    const http::request<http::string_body>& message) {
  Response response = request ? call_handler(*request)
                              : error_response(400, "bad_request", "malformed request target");
  return to_message(std::move(response), message.version(), message.keep_alive(),
                    message.method() == http::verb::head);
}

Response Server::Impl::call_handler(Request& request) {
  const auto where = [&request] { return printable(request.method + " " + request.path); };
  try {
    Response response = handler_(request);
    const auto problem = response_problem(response);
    if (!problem) return response;
    log("web server: handler for " + where() + " returned an invalid response: " + *problem);
  } catch (const std::exception& failure) {
    log("web server: handler for " + where() + " threw: " + printable(failure.what()));
  } catch (...) {
    log("web server: handler for " + where() + " threw a non-standard exception");
  }
  return error_response(500, "internal_error", "internal error");
}

Response Server::Impl::error_response(int status, std::string_view code,
                                      std::string_view message) const {
  try {
    Response response = errors_(status, code, message);
    const auto problem = response_problem(response);
    if (!problem) return response;
    log("web server: error responder returned an invalid response: " + *problem);
  } catch (const std::exception& failure) {
    log("web server: error responder threw: " + printable(failure.what()));
  } catch (...) {
    log("web server: error responder threw a non-standard exception");
  }
  return json_error(status, code, message);
}

Server::Impl::ResponseMessage Server::Impl::to_message(Response&& response, unsigned version,
                                                       bool keep_alive,
                                                       bool head_request) const {
  ResponseMessage message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  const bool has_body = response.status != 204 && response.status != 304;
  if (has_body && !response.body.empty() && !response.content_type.empty()) {
    message.set(http::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) {
    if (iequals(name, "Content-Type")) {
      message.set(http::field::content_type, value);
    } else {
      message.insert(name, value);
    }
  }
  if (message.find(http::field::cache_control) == message.end()) {
    message.set(http::field::cache_control, "no-store");
  }
  for (const auto& [name, value] : kSecurityHeaders) message.set(name, value);
  message.set(http::field::server, "Tillit");
  message.keep_alive(keep_alive);
  if (has_body) {
    message.content_length(response.body.size());
    if (!head_request) message.body() = std::move(response.body);
  }
  return message;
}

void Server::Impl::log(std::string_view message) const noexcept {
  if (!options_.log) return;
  try {
    options_.log(message);
  } catch (...) {
    // A failing log sink must not take a connection or the server down with it.
  }
}

Server::Server(ServerOptions options, Handler handler, ErrorResponder errors)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(errors))) {}

Server::~Server() = default;

void Server::start() { impl_->start(); }
unsigned short Server::port() const { return impl_->port(); }
void Server::run() { impl_->run(); }
void Server::stop() { impl_->stop(); }
bool Server::reload_certificate(std::string* error) { return impl_->reload_certificate(error); }
void Server::handle_signals(LogSink log) { impl_->handle_signals(std::move(log)); }

}  // namespace tillit::web
