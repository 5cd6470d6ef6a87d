// A test client that behaves like a browser towards `tillit serve`: keeps the session cookie,
// picks up the CSRF token from each page, and can sign a new account in for the first time
// (setup code, new password, authenticator enrolment) exactly as a person would.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tls_test_support.h"

namespace tillit::testing {

using web::testing::HttpReply;

class WebSession {
 public:
  explicit WebSession(unsigned short port) : port_(port) {}

  HttpReply get(const std::string& target);
  // A form post carrying the current CSRF token (unless `with_csrf` is false).
  HttpReply post_form(const std::string& target, const std::map<std::string, std::string>& fields,
                      bool with_csrf = true);
  // A file upload as a browser's form sends it (multipart/form-data): the text fields in
  // order, then the file; the CSRF token goes in the action URL, as the upload form has it.
  HttpReply post_multipart(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& filename, const std::string& content_type, const std::string& content);
  // Any request with a JSON body and the CSRF header.
  HttpReply send_json(const std::string& method, const std::string& target, const std::string& body);

  std::string cookie;  // the session cookie's value ("" when none)
  std::string csrf;    // the CSRF token from the last page that carried one

 private:
  HttpReply exchange(const std::string& request);
  unsigned short port_;
};

struct TestAccount {
  std::string username;
  std::string setup_code;
  std::string password;
  std::string totp_secret;  // base32
  std::vector<std::string> recovery_codes;
};

// `tillit user add` through the CLI (as the local operator).
TestAccount create_account(const std::filesystem::path& data_dir, const std::string& username,
                           const std::vector<std::string>& roles, const std::string& kind = "business");
// Setup code -> new password -> enrol TOTP; fills password, secret and recovery codes.
// Returns "" on success, else what went wrong.
std::string first_sign_in(WebSession& session, TestAccount& account);
// Password + the current TOTP code (the step after the last one used when `next_step`).
std::string sign_in(WebSession& session, const TestAccount& account, bool next_step = false);
std::string totp_now(const std::string& base32_secret, int step_offset = 0);
// Creates an API token for an active account through the CLI and returns it.
std::string create_token(const std::filesystem::path& data_dir, const std::string& username,
                         const std::vector<std::string>& permissions);

std::string url_encode(const std::string& s);
std::string form_body(const std::map<std::string, std::string>& fields);

}  // namespace tillit::testing
