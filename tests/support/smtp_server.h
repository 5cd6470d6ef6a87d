// A real SMTP server for tests: tests/smtp-server/server.mjs (npm smtp-server, from the
// nodemailer project) started on a free loopback port with STARTTLS and a certificate made
// for the test. Messages it accepts are read back from its directory. Any test that sends
// mail (outbox, duty reminders, incident notices) can use it:
//
//   if (!SmtpTestServer::available()) GTEST_SKIP() << SmtpTestServer::why_unavailable();
//   SmtpTestServer smtp;                   // or SmtpTestServer smtp({.user = "...", ...})
//   config: smtp_host 127.0.0.1, smtp_port smtp.port(), smtp_ca_file smtp.ca_file()
//   auto mails = smtp.wait_for(1);         // each: envelope, whether TLS was used, raw text
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace tillit::testing {

struct DeliveredMail {
  std::string from;             // envelope sender
  std::vector<std::string> to;  // envelope recipients
  bool secure = false;          // the session had switched to TLS (STARTTLS) when it was sent
  std::string user;             // who signed in, "" for nobody
  std::string raw;              // the message as received

  // The value of the first header `name` (unfolded, not decoded), "" when absent.
  std::string header(const std::string& name) const;
  // The Subject with RFC 2047 "B" encoded words decoded (UTF-8).
  std::string subject() const;
  // The first text/plain part, base64 or 7bit, decoded (line endings as sent: CRLF).
  std::string text() const;
};

class SmtpTestServer {
 public:
  struct Options {
    std::string user;              // when set, AUTH is required with this user and password
    std::string password;
    std::string reject_recipient;  // answered 550 (a permanent refusal)
    bool starttls = true;          // false: the server offers no STARTTLS
  };

  // Whether node and the npm package are installed (scripts/setup.sh --test installs them).
  static bool available();
  static std::string why_unavailable();

  SmtpTestServer() : SmtpTestServer(Options{}) {}
  explicit SmtpTestServer(const Options& options);
  ~SmtpTestServer();
  SmtpTestServer(const SmtpTestServer&) = delete;
  SmtpTestServer& operator=(const SmtpTestServer&) = delete;

  unsigned short port() const { return port_; }
  // The server's certificate (self-signed for 127.0.0.1 and localhost): the CA file to trust.
  std::string ca_file() const { return (dir_ / "server.crt").string(); }
  // A directory the test may use for its own files; removed with the server.
  const std::filesystem::path& work_dir() const { return dir_; }

  // Every message delivered so far, in the order received.
  std::vector<DeliveredMail> messages() const;
  // Waits until at least `count` messages arrived; returns them all (fewer on timeout).
  std::vector<DeliveredMail> wait_for(std::size_t count, std::chrono::seconds timeout = std::chrono::seconds(20)) const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> process_;
  unsigned short port_ = 0;
};

}  // namespace tillit::testing
