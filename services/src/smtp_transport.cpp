// MailTransport over SMTP through libcurl. TLS is not optional: STARTTLS is required
// (CURLUSESSL_ALL: curl refuses to go on when the server does not offer it) or the
// connection is TLS from the start (smtp_tls: implicit). TLS 1.2 or newer, certificate and
// host name verified.
#include <curl/curl.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "tillit/crypto/key_file.h"
#include "tillit/services/mail.h"

namespace tillit::services {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Upload {
  const std::string* message;
  std::size_t offset = 0;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, up->message->size() - up->offset);
  std::copy_n(up->message->data() + up->offset, n, buffer);
  up->offset += n;
  return n;
}

// The server's answers as curl sees them; the last one is what the outbox records.
int keep_answers(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* last = static_cast<std::string*>(user);
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (!line.empty()) *last = line;
  return 0;
}

Result<std::string> read_password(const std::string& path) {
  if (auto s = crypto::check_private_permissions(path); !s) return s.error();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(ErrorCode::invalid_argument,
                      "cannot read smtp_password_file '" + path + "'; check the path and that Tillit's user owns it");
  std::ostringstream text;
  text << in.rdbuf();
  std::string password = text.str();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  if (password.empty() || password.find_first_of("\r\n") != std::string::npos)
    return make_error(ErrorCode::invalid_argument,
                      "smtp_password_file '" + path + "' must hold the password alone, on one line");
  return password;
}

class SmtpTransport final : public MailTransport {
 public:
  SmtpTransport(MailSettings settings, std::string password)
      : settings_(std::move(settings)), password_(std::move(password)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~SmtpTransport() override { std::fill(password_.begin(), password_.end(), '\0'); }

  Outcome send(const std::string& from, const std::vector<std::string>& to, const std::string& message) override {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return {false, false, "could not start an SMTP connection (curl_easy_init failed)"};
    CURL* c = curl.get();
    const bool implicit = settings_.tls == "implicit";
    const std::string host = settings_.host.find(':') != std::string::npos ? "[" + settings_.host + "]" : settings_.host;
    const std::string url = (implicit ? "smtps://" : "smtp://") + host + ":" + std::to_string(settings_.port);
    curl_slist* list = nullptr;
    for (const auto& r : to)
      if (auto* next = curl_slist_append(list, ("<" + r + ">").c_str())) list = next;
    const std::unique_ptr<curl_slist, SlistFree> recipients(list);
    const std::string mail_from = "<" + from + ">";
    Upload upload{&message};
    std::string last_answer;
    char error[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    // The debug callback only sees what the server answered (never the password we send).
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, keep_answers);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &last_answer);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);

    const CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) return {true, false, last_answer.empty() ? "250 accepted" : last_answer};
    std::string reason = error[0] ? error : curl_easy_strerror(rc);
    if (rc == CURLE_USE_SSL_FAILED)
      reason += " (the server at " + url + " does not offer STARTTLS; Tillit never sends mail without TLS)";
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
      reason += " (the mail server's certificate was not accepted; set smtp_ca_file if it uses a private CA)";
    const std::string answer = last_answer.empty() ? reason : reason + "; server said: " + last_answer;
    // 5xx is the server's final no (unknown recipient, refused message): retrying cannot help.
    return {false, code >= 500 && code < 600, answer};
  }

 private:
  MailSettings settings_;
  std::string password_;
};

}  // namespace

Result<std::unique_ptr<MailTransport>> smtp_transport(const Config& config) {
  const auto& m = config.mail;
  if (!m.enabled() || m.from.empty())
    return make_error(ErrorCode::unavailable,
                      "mail is not configured: set smtp_host, smtp_from (and smtp_username with smtp_password_file "
                      "if the server needs a sign-in) in tillit.yaml; queued messages wait in the outbox until then");
  std::string password;
  if (!m.username.empty()) {
    auto p = read_password(m.password_file);
    if (!p) return p.error();
    password = std::move(*p);
  }
  return std::unique_ptr<MailTransport>(new SmtpTransport(m, std::move(password)));
}

}  // namespace tillit::services
