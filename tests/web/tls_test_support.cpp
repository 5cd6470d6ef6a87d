// Implementation of the web server test helpers (see tls_test_support.hpp).

#include "tls_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "tillit/web/http.h"

namespace tillit::web::testing {
namespace {

constexpr auto kDefaultReceiveTimeout = std::chrono::seconds(10);

template <typename T, void (*Free)(T*)>
struct OpenSslFree {
  void operator()(T* pointer) const { Free(pointer); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO, BIO_free_all>>;

std::string drain_openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text;
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + drain_openssl_errors());
}

template <typename Write>
void write_pem_atomically(const std::filesystem::path& destination, Write write) {
  const std::filesystem::path staging = destination.string() + ".new";
  {
    BioPtr file(BIO_new_file(staging.c_str(), "w"));
    check(file != nullptr, "open PEM file");
    check(write(file.get()) == 1, "write PEM");
  }
  std::filesystem::rename(staging, destination);
}

int connect_loopback(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("connect() to 127.0.0.1:" + std::to_string(port) + " failed");
  }
  return fd;
}

void set_socket_receive_timeout(int fd, std::chrono::milliseconds timeout) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tillit-web-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_self_signed(const std::filesystem::path& certificate_file,
                       const std::filesystem::path& private_key_file, long serial,
                       KeyKind kind) {
  KeyPtr key(kind == KeyKind::kEcP256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
  check(key != nullptr, "generate key");
  X509Ptr certificate(X509_new());
  check(certificate != nullptr, "X509_new");
  X509* x509 = certificate.get();
  check(X509_set_version(x509, X509_VERSION_3) == 1, "set version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(x509), serial) == 1, "set serial");
  check(X509_gmtime_adj(X509_getm_notBefore(x509), -60) != nullptr, "set notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(x509), 24 * 3600) != nullptr, "set notAfter");
  check(X509_set_pubkey(x509, key.get()) == 1, "set public key");
  X509_NAME* name = X509_get_subject_name(x509);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                   0) == 1,
        "set CN");
  check(X509_set_issuer_name(x509, name) == 1, "set issuer");
  check(X509_sign(x509, key.get(), EVP_sha256()) > 0, "sign certificate");

  write_pem_atomically(private_key_file, [&](BIO* out) {
    return PEM_write_bio_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  write_pem_atomically(certificate_file, [&](BIO* out) { return PEM_write_bio_X509(out, x509); });
}

std::optional<std::string> HttpReply::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (iequals(field, name)) return value;
  }
  return std::nullopt;
}

std::size_t HttpReply::header_count(std::string_view name) const {
  std::size_t count = 0;
  for (const auto& [field, value] : headers) count += iequals(field, name) ? 1 : 0;
  return count;
}

TlsClient::Socket::~Socket() {
  if (fd >= 0) ::close(fd);
}

TlsClient::TlsClient(unsigned short port, const ClientOptions& options) {
  ERR_clear_error();
  context_.reset(SSL_CTX_new(TLS_client_method()));
  check(context_ != nullptr, "SSL_CTX_new");
  SSL_CTX* context = context_.get();
  SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);  // the tests inspect the cert
  if (options.offer_legacy) {
    SSL_CTX_set_security_level(context, 0);
    check(SSL_CTX_set_cipher_list(context, "ALL:@SECLEVEL=0") == 1, "legacy cipher list");
  }
  check(SSL_CTX_set_min_proto_version(context, options.min_version) == 1, "min version");
  check(SSL_CTX_set_max_proto_version(context, options.max_version) == 1, "max version");
  if (!options.tls12_ciphers.empty()) {
    check(SSL_CTX_set_cipher_list(context, options.tls12_ciphers.c_str()) == 1, "cipher list");
  }
  if (!options.groups.empty()) {
    check(SSL_CTX_set1_groups_list(context, options.groups.c_str()) == 1, "groups");
  }
  if (!options.alpn.empty()) {
    std::string wire;
    for (const std::string& protocol : options.alpn) {
      wire += static_cast<char>(protocol.size());
      wire += protocol;
    }
    check(SSL_CTX_set_alpn_protos(context, reinterpret_cast<const unsigned char*>(wire.data()),
                                  static_cast<unsigned>(wire.size())) == 0,
          "ALPN");
  }

  socket_.fd = connect_loopback(port);
  set_socket_receive_timeout(socket_.fd, kDefaultReceiveTimeout);
  ssl_.reset(SSL_new(context));
  check(ssl_ != nullptr, "SSL_new");
  SSL_set_fd(ssl_.get(), socket_.fd);
  SSL_set_tlsext_host_name(ssl_.get(), "localhost");
  if (SSL_connect(ssl_.get()) == 1) {
    connected_ = true;
  } else {
    failure_reason_ = ERR_GET_REASON(ERR_peek_error());
    failure_ = drain_openssl_errors();
  }
}

int TlsClient::version() const { return SSL_version(ssl_.get()); }

std::string TlsClient::cipher() const { return SSL_get_cipher_name(ssl_.get()); }

std::string TlsClient::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

long TlsClient::peer_serial() const {
  X509* certificate = SSL_get0_peer_certificate(ssl_.get());
  return certificate == nullptr ? -1 : ASN1_INTEGER_get(X509_get_serialNumber(certificate));
}

int TlsClient::negotiated_group() const { return SSL_get_negotiated_group(ssl_.get()); }

bool TlsClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const int written = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size()));
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

bool TlsClient::fill_buffer() {
  char chunk[16384];
  const int received = SSL_read(ssl_.get(), chunk, sizeof chunk);
  if (received <= 0) return false;
  buffer_.append(chunk, static_cast<std::size_t>(received));
  return true;
}

std::optional<HttpReply> TlsClient::read_reply(bool head_request) {
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill_buffer()) return std::nullopt;
  }
  const std::string head = buffer_.substr(0, header_end + 2);
  buffer_.erase(0, header_end + 4);

  HttpReply reply;
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
  reply.status = std::stoi(status_line.substr(9, 3));
  for (std::size_t start = line_end + 2; start < head.size(); start = line_end + 2) {
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::size_t value_start = line.find_first_not_of(' ', colon + 1);
    reply.headers.emplace_back(line.substr(0, colon), value_start == std::string::npos
                                                          ? std::string()
                                                          : line.substr(value_start));
  }

  const bool bodiless =
      head_request || reply.status < 200 || reply.status == 204 || reply.status == 304;
  if (bodiless) return reply;
  if (const auto length = reply.header("Content-Length")) {
    const std::size_t size = std::stoul(*length);
    while (buffer_.size() < size) {
      if (!fill_buffer()) return std::nullopt;
    }
    reply.body = buffer_.substr(0, size);
    buffer_.erase(0, size);
  } else {
    while (fill_buffer()) {
    }
    reply.body = std::move(buffer_);
    buffer_.clear();
  }
  return reply;
}

std::optional<HttpReply> TlsClient::exchange(std::string_view request, bool head_request) {
  if (!send(request)) return std::nullopt;
  return read_reply(head_request);
}

void TlsClient::set_receive_timeout(std::chrono::milliseconds timeout) {
  set_socket_receive_timeout(socket_.fd, timeout);
}

bool TlsClient::closed_by_peer(std::chrono::milliseconds timeout) {
  set_receive_timeout(timeout);
  char byte;
  errno = 0;
  const int received = SSL_read(ssl_.get(), &byte, 1);
  const int error = SSL_get_error(ssl_.get(), received);
  const bool timed_out = received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  set_receive_timeout(kDefaultReceiveTimeout);
  ERR_clear_error();
  return received <= 0 && !timed_out &&
         (error == SSL_ERROR_ZERO_RETURN || error == SSL_ERROR_SYSCALL || error == SSL_ERROR_SSL);
}

std::string plain_tcp_exchange(unsigned short port, std::string_view bytes) {
  const int fd = connect_loopback(port);
  set_socket_receive_timeout(fd, std::chrono::seconds(5));
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string received;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    received.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return received;
}

std::string http_request(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view extra_headers) {
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra_headers);
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  return request;
}

LogSink LogCollector::sink() {
  return [this](std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  };
}

bool LogCollector::contains(std::string_view text) const {
  std::lock_guard lock(mutex_);
  for (const std::string& line : lines_) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

bool LogCollector::wait_for(std::string_view text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!contains(text)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string LogCollector::all() const {
  std::lock_guard lock(mutex_);
  std::string joined;
  for (const std::string& line : lines_) joined += line + "\n";
  return joined;
}

RunningServer::RunningServer(ServerOptions options, Handler handler)
    : server_(std::move(options), std::move(handler)) {
  server_.start();
  runner_ = std::thread([this] {
    server_.run();
    run_returned_ = true;
  });
}

RunningServer::~RunningServer() {
  server_.stop();
  runner_.join();
}

std::optional<std::chrono::milliseconds> RunningServer::stop_and_wait(
    std::chrono::milliseconds limit) {
  const auto begin = std::chrono::steady_clock::now();
  server_.stop();
  while (!run_returned_) {
    if (std::chrono::steady_clock::now() - begin > limit) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               begin);
}

}  // namespace tillit::web::testing
