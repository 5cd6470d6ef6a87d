// End-to-end tests of Server over real TLS connections on 127.0.0.1: round trips, security
// headers, error statuses, keep-alive, timeouts, certificate reload, graceful stop, signals.

#include "tillit/web/server.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tillit/web/router.h"
#include "tls_test_support.h"

namespace tillit::web {
namespace {

using namespace std::chrono_literals;
using testing::ClientOptions;
using testing::HttpReply;
using testing::LogCollector;
using testing::RunningServer;
using testing::TempDir;
using testing::TlsClient;
using testing::http_request;
using testing::write_self_signed;

constexpr std::pair<const char*, const char*> kExpectedSecurityHeaders[] = {
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

void expect_security_headers(const HttpReply& reply, const std::string& context) {
  for (const auto& [name, value] : kExpectedSecurityHeaders) {
    EXPECT_EQ(reply.header_count(name), 1u) << name << " on " << context;
    EXPECT_EQ(reply.header(name), value) << name << " on " << context;
  }
  EXPECT_EQ(reply.header("Server"), "Tillit") << context;
}

std::string error_code_of(const HttpReply& reply) {
  return nlohmann::json::parse(reply.body)["error"]["code"].get<std::string>();
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    write_self_signed(certificate(), key(), kFirstSerial);
    router_.add("GET", "/hello", [](Request&) { return Response::json(200, R"({"hello":"world"})"); });
    router_.add("GET", "/echo/{word}", [](Request& request) {
      const auto q = request.query.find("q");
      return Response::text(200, request.params.at("word") + "|" +
                                     (q == request.query.end() ? "-" : q->second) + "|" +
                                     request.client_address + "|" +
                                     request.header("x-probe").value_or("-"));
    });
    router_.add("POST", "/upload", [](Request& request) {
      return Response::text(200, std::to_string(request.body.size()));
    });
    router_.add("GET", "/boom", [](Request&) -> Response {
      throw std::runtime_error("secret connection string postgres://admin:hunter2@db");
    });
    router_.add("GET", "/cached", [](Request&) {
      Response response = Response::text(200, "cacheable");
      response.headers.emplace_back("Cache-Control", "max-age=60");
      return response;
    });
    router_.add("GET", "/overrides", [](Request&) {
      Response response = Response::text(200, "x");
      response.headers.emplace_back("Content-Security-Policy", "default-src *");
      response.headers.emplace_back("X-Frame-Options", "ALLOWALL");
      response.headers.emplace_back("Server", "Apache/2.4.1");
      return response;
    });
    router_.add("GET", "/split", [](Request&) {
      Response response = Response::text(200, "x");
      response.headers.emplace_back("X-Note", "a\r\nSet-Cookie: session=stolen");
      return response;
    });
    router_.add("GET", "/framing", [](Request&) {
      Response response = Response::text(200, "x");
      response.headers.emplace_back("Content-Length", "0");
      return response;
    });
    router_.add("GET", "/slow", [](Request&) {
      std::this_thread::sleep_for(500ms);
      return Response::text(200, "done");
    });
    router_.add("GET", "/empty", [](Request&) {
      Response response;
      response.status = 204;
      return response;
    });
  }

  ServerOptions options() const {
    ServerOptions result;
    result.address = "127.0.0.1";
    result.port = 0;
    result.certificate_file = certificate();
    result.private_key_file = key();
    result.threads = 2;
    result.max_body_bytes = 1024;
    result.request_timeout = 30s;
    result.log = log_.sink();
    return result;
  }

  std::unique_ptr<RunningServer> start(ServerOptions server_options) {
    return std::make_unique<RunningServer>(std::move(server_options),
                                           [this](Request& request) { return router_.dispatch(request); });
  }
  std::unique_ptr<RunningServer> start() { return start(options()); }

  std::filesystem::path certificate() const { return dir_.path() / "server.crt"; }
  std::filesystem::path key() const { return dir_.path() / "server.key"; }

  static constexpr long kFirstSerial = 1001;
  static constexpr long kSecondSerial = 2002;
  TempDir dir_;
  Router router_;
  mutable LogCollector log_;
};

TEST_F(ServerTest, GetRoundTripOverTls12) {
  auto server = start();
  ClientOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  TlsClient client(server->port(), tls12);
  ASSERT_TRUE(client.connected()) << client.failure();
  EXPECT_EQ(client.version(), TLS1_2_VERSION);
  EXPECT_EQ(client.cipher(), "ECDHE-ECDSA-AES256-GCM-SHA384");  // the server's first choice
  const auto reply = client.exchange(http_request("GET", "/hello"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("Content-Type"), "application/json");
  EXPECT_EQ(reply->body, R"({"hello":"world"})");
}

TEST_F(ServerTest, GetRoundTripOverTls13) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  EXPECT_EQ(client.version(), TLS1_3_VERSION);
  EXPECT_EQ(client.peer_serial(), kFirstSerial);
  const auto reply = client.exchange(http_request("GET", "/hello"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"hello":"world"})");
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
  auto server = start();
  struct Case {
    std::string request;
    int status;
  };
  const Case cases[] = {
      {http_request("GET", "/hello"), 200},
      {http_request("GET", "/no/such/page"), 404},
      {http_request("DELETE", "/hello"), 405},
      {http_request("GET", "/boom"), 500},
      {http_request("GET", "/empty"), 204},
      {http_request("POST", "/upload", std::string(2048, 'x')), 413},
      {"GET /hello HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    TlsClient client(server->port());
    ASSERT_TRUE(client.connected()) << client.failure();
    const auto reply = client.exchange(c.request);
    ASSERT_TRUE(reply) << c.request;
    EXPECT_EQ(reply->status, c.status) << c.request;
    expect_security_headers(*reply, c.request);
    EXPECT_EQ(reply->header("Cache-Control"), "no-store") << c.request;
  }
}

TEST_F(ServerTest, HandlerMayChooseCacheControlButNotSecurityHeaders) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto cached = client.exchange(http_request("GET", "/cached"));
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->header_count("Cache-Control"), 1u);
  EXPECT_EQ(cached->header("Cache-Control"), "max-age=60");

  const auto overridden = client.exchange(http_request("GET", "/overrides"));
  ASSERT_TRUE(overridden);
  EXPECT_EQ(overridden->status, 200);
  expect_security_headers(*overridden, "/overrides");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto missing = client.exchange(http_request("GET", "/missing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("Content-Type"), "application/json");
  EXPECT_EQ(error_code_of(*missing), "not_found");

  const auto wrong_method = client.exchange(http_request("POST", "/hello", "{}"));
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->header("Allow"), "GET, HEAD");
  EXPECT_EQ(error_code_of(*wrong_method), "method_not_allowed");
}

TEST_F(ServerTest, OversizedBodyIs413AndConnectionCloses) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto reply = client.exchange(http_request("POST", "/upload", std::string(4096, 'x')));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(error_code_of(*reply), "payload_too_large");
  EXPECT_EQ(reply->header("Connection"), "close");
  EXPECT_TRUE(client.closed_by_peer(5s));
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  std::string chunked = "POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(512, 'x') + "\r\n";
  chunked += "0\r\n\r\n";
  const auto reply = client.exchange(chunked);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto reply = client.exchange(http_request("POST", "/upload", std::string(1024, 'x')));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "1024");
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  ASSERT_TRUE(client.send(
      "POST /upload HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  const auto interim = client.read_reply();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send("abcde"));
  const auto reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "5");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  auto server = start();
  for (const char* garbage : {"NOT AN HTTP REQUEST\r\n\r\n", "GET /hello HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                              "GET /hello HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                              "GET http://example.com/hello HTTP/1.1\r\nHost: x\r\n\r\n",
                              "GET /echo/x?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    TlsClient client(server->port());
    ASSERT_TRUE(client.connected()) << client.failure();
    const auto reply = client.exchange(garbage);
    ASSERT_TRUE(reply) << garbage;
    EXPECT_EQ(reply->status, 400) << garbage;
    EXPECT_EQ(error_code_of(*reply), "bad_request") << garbage;
  }
}

TEST_F(ServerTest, HandlerExceptionIs500WithoutDetails) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto reply = client.exchange(http_request("GET", "/boom"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, R"({"error":{"code":"internal_error","message":"internal error"}})");
  EXPECT_EQ(reply->body.find("hunter2"), std::string::npos);
  EXPECT_TRUE(log_.contains("GET /boom threw: secret connection string")) << log_.all();

  const auto after = client.exchange(http_request("GET", "/hello"));  // connection still usable
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, InvalidHandlerHeadersBecome500) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto split = client.exchange(http_request("GET", "/split"));
  ASSERT_TRUE(split);
  EXPECT_EQ(split->status, 500);
  EXPECT_FALSE(split->header("Set-Cookie").has_value());
  const auto framing = client.exchange(http_request("GET", "/framing"));
  ASSERT_TRUE(framing);
  EXPECT_EQ(framing->status, 500);
  EXPECT_TRUE(log_.contains("header 'Content-Length' is set by the server only")) << log_.all();
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  for (int i = 0; i < 3; ++i) {
    const auto reply = client.exchange(http_request("GET", "/hello"));
    ASSERT_TRUE(reply) << "request " << i;
    EXPECT_EQ(reply->status, 200);
    EXPECT_FALSE(reply->header("Connection").has_value());
  }
  const auto last = client.exchange(http_request("GET", "/hello", {}, "Connection: close\r\n"));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("Connection"), "close");
  EXPECT_TRUE(client.closed_by_peer(5s));
}

TEST_F(ServerTest, RequestFieldsReachTheHandler) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto reply = client.exchange(
      http_request("GET", "/echo/hello%20world?q=a%2Bb+c&q=second", {}, "X-PROBE: 42\r\n"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello world|a+b c|127.0.0.1|42");
}

TEST_F(ServerTest, HeadGetsHeadersWithoutBody) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto head = client.exchange(http_request("HEAD", "/hello"), /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), "17");
  // The next response must start right away: a body sent after HEAD would corrupt it.
  const auto next = client.exchange(http_request("GET", "/hello"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, R"({"hello":"world"})");
}

TEST_F(ServerTest, NoContentHasNoBodyHeaders) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  const auto reply = client.exchange(http_request("GET", "/empty"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 204);
  EXPECT_FALSE(reply->header("Content-Length").has_value());
  EXPECT_FALSE(reply->header("Content-Type").has_value());
}

TEST_F(ServerTest, SilentClientIsDisconnectedAfterRequestTimeout) {
  ServerOptions short_timeout = options();
  short_timeout.request_timeout = 1s;
  auto server = start(short_timeout);
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: loc"));  // and then nothing
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_peer(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
}

TEST_F(ServerTest, PlainHttpClientGetsNoHttpResponse) {
  auto server = start();
  const std::string answer = testing::plain_tcp_exchange(server->port(), http_request("GET", "/hello"));
  EXPECT_EQ(answer.find("HTTP/1."), std::string::npos);
  EXPECT_EQ(answer.find("hello"), std::string::npos);
}

TEST_F(ServerTest, ReloadCertificateServesNewCertificateToNewConnections) {
  auto server = start();
  TlsClient before(server->port());
  ASSERT_TRUE(before.connected()) << before.failure();
  ASSERT_EQ(before.peer_serial(), kFirstSerial);

  write_self_signed(certificate(), key(), kSecondSerial);
  std::string error;
  ASSERT_TRUE(server->server().reload_certificate(&error)) << error;

  TlsClient after(server->port());
  ASSERT_TRUE(after.connected()) << after.failure();
  EXPECT_EQ(after.peer_serial(), kSecondSerial);
  const auto fresh = after.exchange(http_request("GET", "/hello"));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 200);

  const auto old = before.exchange(http_request("GET", "/hello"));  // established one lives on
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
}

TEST_F(ServerTest, FailedReloadKeepsServingTheOldCertificate) {
  auto server = start();
  {
    std::ofstream garbage(certificate(), std::ios::trunc);
    garbage << "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
  }
  std::string error;
  EXPECT_FALSE(server->server().reload_certificate(&error));
  EXPECT_NE(error.find(certificate().string()), std::string::npos) << error;

  // A valid certificate whose key is not the configured one is refused too.
  write_self_signed(certificate(), dir_.path() / "other.key", kSecondSerial);
  error.clear();
  EXPECT_FALSE(server->server().reload_certificate(&error));
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;

  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  EXPECT_EQ(client.peer_serial(), kFirstSerial);
  const auto reply = client.exchange(http_request("GET", "/hello"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndReturnsPromptly) {
  auto server = start();
  TlsClient idle(server->port());
  ASSERT_TRUE(idle.connected()) << idle.failure();
  ASSERT_TRUE(idle.exchange(http_request("GET", "/hello")));
  TlsClient handshaken_only(server->port());
  ASSERT_TRUE(handshaken_only.connected()) << handshaken_only.failure();

  const auto took = server->stop_and_wait(5s);
  ASSERT_TRUE(took.has_value()) << "run() did not return after stop()";
  EXPECT_LT(*took, 2s);
  EXPECT_TRUE(idle.closed_by_peer(1s));
  EXPECT_THROW(TlsClient late(server->port()), std::runtime_error);  // listener closed
}

TEST_F(ServerTest, StopLetsRequestInProgressFinish) {
  auto server = start();
  TlsClient client(server->port());
  ASSERT_TRUE(client.connected()) << client.failure();
  ASSERT_TRUE(client.send(http_request("GET", "/slow")));
  std::this_thread::sleep_for(150ms);  // the handler is now sleeping

  std::optional<std::chrono::milliseconds> took;
  std::thread stopper([&] { took = server->stop_and_wait(5s); });
  const auto reply = client.read_reply();
  stopper.join();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "done");
  EXPECT_EQ(reply->header("Connection"), "close");
  ASSERT_TRUE(took.has_value());
  EXPECT_LT(*took, 3s);
}

TEST_F(ServerTest, StopIsBoundedByShutdownTimeout) {
  ServerOptions bounded = options();
  bounded.shutdown_timeout = 1s;
  auto server = start(bounded);
  TlsClient stalled(server->port());
  ASSERT_TRUE(stalled.connected()) << stalled.failure();
  // A request whose body never completes is in progress, not idle.
  ASSERT_TRUE(stalled.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  std::this_thread::sleep_for(100ms);

  const auto took = server->stop_and_wait(10s);
  ASSERT_TRUE(took.has_value()) << "run() did not return after stop()";
  EXPECT_GE(*took, 900ms);
  EXPECT_LT(*took, 3s);
  EXPECT_TRUE(log_.contains("shutdown timeout passed")) << log_.all();
}

TEST_F(ServerTest, StartReportsCertificateAndBindFailures) {
  ServerOptions missing = options();
  missing.certificate_file = dir_.path() / "absent.crt";
  Server no_certificate(missing, [](Request&) { return Response{}; });
  try {
    no_certificate.start();
    ADD_FAILURE() << "start() accepted a missing certificate";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("absent.crt"), std::string::npos) << error.what();
  }

  auto server = start();
  ServerOptions same_port = options();
  same_port.port = server->port();
  Server second(same_port, [](Request&) { return Response{}; });
  try {
    second.start();
    ADD_FAILURE() << "start() bound a port already in use";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(server->port())),
              std::string::npos)
        << error.what();
  }

  ServerOptions bad_address = options();
  bad_address.address = "not-an-ip";
  Server third(bad_address, [](Request&) { return Response{}; });
  EXPECT_THROW(third.start(), std::runtime_error);
}

TEST_F(ServerTest, RejectsUnusableOptions) {
  ServerOptions no_threads = options();
  no_threads.threads = 0;
  EXPECT_THROW(Server(no_threads, [](Request&) { return Response{}; }), std::invalid_argument);
  EXPECT_THROW(Server(options(), Handler()), std::invalid_argument);
  Server not_started(options(), [](Request&) { return Response{}; });
  EXPECT_THROW(not_started.run(), std::logic_error);
}

TEST_F(ServerTest, CustomErrorResponderShapesServerErrors) {
  ServerOptions server_options = options();
  Server server(server_options, [](Request&) -> Response { throw std::logic_error("x"); },
                [](int status, std::string_view code, std::string_view) {
                  return Response::html(status, "<h1>" + std::string(code) + "</h1>");
                });
  server.start();
  std::thread runner([&] { server.run(); });
  {
    TlsClient client(server.port());
    ASSERT_TRUE(client.connected()) << client.failure();
    const auto reply = client.exchange(http_request("GET", "/anything"));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 500);
    EXPECT_EQ(reply->header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(reply->body, "<h1>internal_error</h1>");
  }
  server.stop();
  runner.join();
}

TEST_F(ServerTest, SignalsReloadAndStop) {
  Server server(options(), [](Request&) { return Response::text(200, "ok"); });
  server.start();
  LogCollector signal_log;
  server.handle_signals(signal_log.sink());
  std::atomic<bool> returned{false};
  std::thread runner([&] {
    server.run();
    returned = true;
  });

  write_self_signed(certificate(), key(), kSecondSerial);
  std::raise(SIGHUP);
  EXPECT_TRUE(signal_log.wait_for("SIGHUP: TLS certificate reloaded", 5s)) << signal_log.all();
  {
    TlsClient client(server.port());
    ASSERT_TRUE(client.connected()) << client.failure();
    EXPECT_EQ(client.peer_serial(), kSecondSerial);
  }

  std::raise(SIGTERM);
  EXPECT_TRUE(signal_log.wait_for("SIGTERM: stopping", 5s)) << signal_log.all();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!returned && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(returned);
  if (!returned) server.stop();
  runner.join();
}

}  // namespace
}  // namespace tillit::web
